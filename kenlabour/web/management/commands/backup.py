"""Write a backup archive of the database and the uploaded files (see kenlabour.web.backups)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kenlabour.web import backups


class Command(BaseCommand):
    help = (
        "Sauvegarde la base de données et les fichiers déposés dans une archive compressée, "
        "avec son empreinte SHA-256."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", type=Path, help="Le dossier où écrire l'archive (créé au besoin)."
        )

    def handle(self, *args, directory: Path, **options):
        try:
            archive = backups.create(directory, media_root=Path(settings.MEDIA_ROOT))
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde écrite : {archive}"))
        self.stdout.write(f"Empreinte : {archive}.sha256")

"""Restore a backup archive into an empty database (see kenlabour.web.backups)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from kenlabour.web import backups


class Command(BaseCommand):
    help = (
        "Restaure une archive de sauvegarde dans une base de données vide, après avoir "
        "vérifié son empreinte."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="L'archive .tar.gz à restaurer.")
        parser.add_argument(
            "--database-url",
            default="",
            help="La base cible (par défaut celle de DATABASE_URL).",
        )
        parser.add_argument(
            "--media-root",
            type=Path,
            default=None,
            help="Le dossier des fichiers déposés (par défaut MEDIA_ROOT).",
        )

    def handle(self, *args, archive: Path, database_url: str, media_root, **options):
        connection = (
            backups.connection_for(database_url) if database_url else connections["default"]
        )
        try:
            manifest = backups.restore(
                archive,
                connection=connection,
                media_root=media_root or Path(settings.MEDIA_ROOT),
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        finally:
            if database_url:
                connection.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Restauration terminée : {len(manifest['tables'])} tables, "
                f"{sum(manifest['tables'].values())} lignes, registre vérifié."
            )
        )

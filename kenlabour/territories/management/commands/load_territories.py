from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kenlabour.territories import gazetteer
from kenlabour.territories.services import GazetteerLoadError, load_gazetteer


class Command(BaseCommand):
    help = (
        "Charge ou met à jour le référentiel des territoires (régions, départements, EPCI, "
        "communes) depuis les fichiers livrés. Sans effet si rien n'a changé."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=gazetteer.DATA_DIR,
            help="Dossier des fichiers *.csv.gz (par défaut, ceux livrés avec l'application).",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Supprimer aussi les territoires absents des fichiers (communes fusionnées…).",
        )

    def handle(self, *args, data_dir, prune, **options):
        try:
            report = load_gazetteer(data_dir, prune=prune)
        except GazetteerLoadError as error:
            raise CommandError(str(error)) from error
        for label, created in report.created.items():
            obsolete = report.obsolete.get(label, [])
            self.stdout.write(
                _(
                    "%(label)s : %(created)d créé(s), %(updated)d mis à jour, "
                    "%(obsolete)d absent(s) des fichiers"
                )
                % {
                    "label": label,
                    "created": created,
                    "updated": report.updated[label],
                    "obsolete": len(obsolete),
                }
            )
            if obsolete:
                listed = ", ".join(obsolete[:20]) + (" …" if len(obsolete) > 20 else "")
                message = _("  supprimés : %(codes)s") if prune else _("  absents : %(codes)s")
                self.stdout.write(self.style.WARNING(message % {"codes": listed}))
        if any(report.obsolete.values()) and not prune:
            self.stdout.write(_("Relancez avec --prune pour supprimer les territoires absents."))
        self.stdout.write(self.style.SUCCESS(_("Référentiel des territoires chargé.")))

"""Delete the audit events older than AUDIT_RETENTION_DAYS (schedule it daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from kenlabour.audit import services


class Command(BaseCommand):
    help = "Supprime les événements du journal d'audit plus anciens que la durée de conservation."

    def handle(self, *args, **options):
        deleted = services.purge()
        self.stdout.write(
            f"{deleted} événement(s) supprimé(s) "
            f"(conservation : {settings.AUDIT_RETENTION_DAYS} jours)."
        )

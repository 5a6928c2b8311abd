"""Verify the ledger's hash chain from the first entry: prints OK, or the positions whose
stored hash no longer matches the chain and exits with status 1."""

from django.core.management.base import BaseCommand, CommandError

from kenlabour.funding.models import LedgerEntry
from kenlabour.funding.services import ledger


class Command(BaseCommand):
    help = (
        "Vérifie la chaîne d'empreintes du registre des mouvements (code de sortie 1 si altérée)."
    )

    def handle(self, *args, **options):
        broken = ledger.broken_positions()
        count = LedgerEntry.objects.count()
        if broken:
            positions = ", ".join(str(position) for position in broken)
            raise CommandError(
                f"registre altéré : {len(broken)} écriture(s) sur {count} ne correspondent "
                f"plus à la chaîne. Positions : {positions}",
                returncode=1,
            )
        self.stdout.write(f"OK : {count} écriture(s) vérifiée(s), chaîne intacte.")

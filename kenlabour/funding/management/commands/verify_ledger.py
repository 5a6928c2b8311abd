"""Verify the ledger: its hash chain from the first entry (every column of every entry),
an earlier head kept by the reader (`--head POSITION:HASH`), and the transfers and claims
that feed the public figures, reconciled with it. Prints OK and the head to keep, or every
problem (the chain's first, then the first row that disagrees) and exits with status 1."""

from django.core.management.base import BaseCommand, CommandError

from kenlabour.funding import ledger_chain
from kenlabour.funding.selectors import verification


class Command(BaseCommand):
    help = (
        "Vérifie le registre des mouvements : sa chaîne d'empreintes, une tête conservée "
        "(--head POSITION:EMPREINTE) et la concordance des virements et des demandes "
        "(code de sortie 1 si altéré)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            help="Une tête publiée plus tôt, POSITION:EMPREINTE, qui doit toujours y figurer.",
        )

    def handle(self, *args, **options):
        head = None
        if options.get("head"):
            try:
                head = ledger_chain.parse_head(options["head"])
            except ValueError:
                raise CommandError(
                    "tête illisible : écrivez la position, deux-points, puis l'empreinte de 64 "
                    "caractères hexadécimaux (par exemple 12:9f86d081…).",
                    returncode=2,
                ) from None
        check = verification.verify(head=head)
        if not check.intact:
            problems = check.problems()
            lines = [
                f"registre altéré : {len(problems)} anomalie(s) sur {check.count} écriture(s)."
            ]
            if check.broken:
                lines.append("Positions : " + ", ".join(str(p) for p in check.broken))
            lines.extend(problems)
            raise CommandError("\n".join(lines), returncode=1)
        self.stdout.write(
            f"OK : {check.count} écriture(s) vérifiée(s), chaîne intacte, virements et "
            "demandes concordants."
        )
        if head:
            self.stdout.write(f"La tête {verification.head_text(head)} figure dans le registre.")
        if check.head:
            self.stdout.write(f"Tête du registre : {check.head}")

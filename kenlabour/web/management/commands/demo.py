"""Build the Brittany demo scenario. Deterministic and idempotent: run it as often as you like.

Each app that has demo data exposes a `build(log)` function in its demo module; they run in
the order
below, since later apps build on earlier ones (network before lab, mobilisation, funding).
"""

from importlib import import_module

from django.core.management.base import BaseCommand

from kenlabour.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS

BUILDERS = [
    "kenlabour.accounts.demo:build",
    "kenlabour.network.demo:build",
    "kenlabour.lab.demo:build",
    "kenlabour.lab.demo_experiments:build_experiments",
    "kenlabour.mobilisation.demo:build",
    "kenlabour.funding.demo:build",
    "kenlabour.network.demo_introductions:build",
    "kenlabour.privacy.demo:build",
    "kenlabour.audit.demo:build",
]


class Command(BaseCommand):
    help = "Construit (ou met à jour) les données de démonstration bretonnes."

    def handle(self, *args, **options):
        accounts = []
        for builder in BUILDERS:
            module_name, function = builder.split(":")
            result = getattr(import_module(module_name), function)(self.stdout.write)
            accounts += result or []  # a builder may return the accounts it created
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for email, role in accounts:
            self.stdout.write(f"  {email:32} {role}")
        self.stdout.write(
            "Second facteur de ces comptes (secret à ajouter dans une application "
            "d'authentification, ou : oathtool --totp -b SECRET) :"
        )
        from kenlabour.accounts.models import User

        built = set(
            User.objects.filter(email__in=DEMO_TOTP_SECRETS).values_list("email", flat=True)
        )
        for email, secret in DEMO_TOTP_SECRETS.items():
            if email in built:  # the accounts of the demos that ran
                self.stdout.write(f"  {email:32} {secret}")

"""Enqueue the reminder e-mails of the workshops starting within 48 hours.

Run it at least once a day (cron, systemd timer). It is idempotent: each registration
records when its reminder was sent, so running it again sends nothing twice.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from kenlabour.lab.services import workshops as services


class Command(BaseCommand):
    help = "Envoie (en tâche de fond) le rappel des ateliers qui commencent dans les 48 heures."

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url",
            default=settings.PLATFORM_URL,
            help="Adresse de la plateforme, pour les liens des messages.",
        )

    def handle(self, *args, site_url, **options):
        sent = services.send_due_reminders(now=timezone.now(), site_url=site_url)
        self.stdout.write(f"{sent} rappel(s) mis en file d'envoi.")

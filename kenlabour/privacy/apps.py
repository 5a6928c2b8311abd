from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "kenlabour.privacy"
    verbose_name = _("Données personnelles")

    def ready(self):
        # The permission rules (django-rules) are declared when perms.py is imported.
        from kenlabour.privacy import perms  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabConfig(AppConfig):
    name = "kenlabour.lab"
    verbose_name = _("Laboratoire")

    def ready(self):
        # The permission rules (django-rules) are declared when perms.py is imported.
        from kenlabour.lab import perms  # noqa: F401

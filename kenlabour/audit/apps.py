from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "kenlabour.audit"
    verbose_name = _("Journal d'audit")

    def ready(self):
        # The permission rules (django-rules) are declared when perms.py is imported;
        # the login listener is connected when signals.py is.
        from kenlabour.audit import perms, signals  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "kenlabour.network"
    verbose_name = _("Réseau")

    def ready(self):
        # The permission rules (django-rules) are declared when perms.py is imported.
        from kenlabour.network import perms  # noqa: F401

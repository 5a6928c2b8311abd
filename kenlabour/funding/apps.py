from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "kenlabour.funding"
    verbose_name = _("Financement")

    def ready(self):
        # The permission rules (django-rules) are declared when perms.py is imported.
        from kenlabour.funding import perms  # noqa: F401

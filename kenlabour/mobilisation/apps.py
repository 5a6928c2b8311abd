from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobilisationConfig(AppConfig):
    name = "kenlabour.mobilisation"
    verbose_name = _("Mobilisation")

    def ready(self):
        # The permission rules (django-rules) are declared when perms.py is imported.
        from kenlabour.mobilisation import perms  # noqa: F401

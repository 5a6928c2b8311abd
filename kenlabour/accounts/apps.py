from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kenlabour.accounts"
    verbose_name = _("Comptes")

    def ready(self):
        from kenlabour.accounts import signals  # noqa: F401 - connects the receivers

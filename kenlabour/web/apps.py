from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "kenlabour.web"
    verbose_name = _("Site")

    def ready(self) -> None:
        from kenlabour.web import (
            checks,  # noqa: F401  (registers the theme contrast check)
            lookups,  # noqa: F401  (integer `__in` past the column's range)
        )

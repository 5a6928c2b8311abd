"""System check: the deployment's theme must meet WCAG AA contrast (run by manage.py check)."""

from django.conf import settings
from django.core import checks

from kenlabour.web.themes import THEMES, contrast_failures, with_overrides


@checks.register()
def theme_contrast(app_configs, **kwargs):
    base = THEMES.get(settings.PLATFORM_THEME)
    if base is None:
        return [
            checks.Error(
                f"PLATFORM_THEME « {settings.PLATFORM_THEME} » n'existe pas.",
                hint="Thèmes disponibles : " + ", ".join(sorted(THEMES)),
                id="kenlabour.E001",
            )
        ]
    try:
        theme = with_overrides(base, settings.PLATFORM_COLOURS)
    except ValueError as error:
        return [checks.Error(f"PLATFORM_COLOURS : {error}", id="kenlabour.E002")]
    return [
        checks.Error(
            f"Contraste insuffisant dans le thème : {failure}",
            hint="Choisissez des couleurs qui atteignent le niveau AA du WCAG 2.1.",
            id="kenlabour.E003",
        )
        for failure in contrast_failures(theme)
    ]

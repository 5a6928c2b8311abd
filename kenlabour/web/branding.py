"""The deployment's identity (name, logo, theme) as configured in settings."""

import hashlib
from functools import cache

from django.conf import settings

from kenlabour.web.themes import THEMES, Theme, with_overrides


@cache
def active_theme() -> Theme:
    base = THEMES.get(settings.PLATFORM_THEME)
    if base is None:
        raise ValueError(f"unknown theme {settings.PLATFORM_THEME!r}")
    return with_overrides(base, settings.PLATFORM_COLOURS)


@cache
def theme_version() -> str:
    """A short fingerprint of the theme, so browsers refetch theme.css when it changes."""
    return hashlib.sha256(repr(active_theme()).encode()).hexdigest()[:10]

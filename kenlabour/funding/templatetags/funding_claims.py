"""Template filters of the claims room: amounts in cents shown in euros, in the format of
the active language (French: "1 234,56 €"; English: "€1,234.56")."""

from django import template
from django.utils import translation

register = template.Library()

NBSP = "\u00a0"


def format_euros(cents: int | None) -> str:
    """1234567 → "12 345,67 €" (non-breaking spaces) in French, "€12,345.67" in English;
    exact, from integer cents."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    if (translation.get_language() or "fr").startswith("en"):
        return f"{sign}€{euros:,}.{rest:02d}"
    grouped = f"{euros:,}".replace(",", NBSP)
    return f"{sign}{grouped},{rest:02d}{NBSP}€"


@register.filter
def euros(cents) -> str:
    return format_euros(cents)

"""Template filters of the claims room: amounts in cents shown in euros, the French way."""

from django import template

register = template.Library()

NBSP = "\u00a0"


def format_euros(cents: int | None) -> str:
    """1234567 → "12 345,67 €" (non-breaking spaces), exact, from integer cents."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    grouped = f"{euros:,}".replace(",", NBSP)
    return f"{sign}{grouped},{rest:02d}{NBSP}€"


@register.filter
def euros(cents) -> str:
    return format_euros(cents)

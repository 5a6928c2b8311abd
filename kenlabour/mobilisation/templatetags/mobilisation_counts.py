"""Counted words of the mobilisation's pages, with their plural: `{{ n|units }}` reads
"1 unité", "23 unités" (numbers grouped as the language does)."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import ngettext

register = template.Library()


def _count(singular: str, plural: str, value) -> str:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return ""
    return ngettext(singular, plural, number) % {
        "count": number_format(number, force_grouping=True)
    }


@register.filter
def units(value) -> str:
    return _count("%(count)s unité", "%(count)s unités", value)


@register.filter
def needs(value) -> str:
    return _count("%(count)s besoin", "%(count)s besoins", value)


@register.filter
def deliveries(value) -> str:
    return _count("%(count)s livraison", "%(count)s livraisons", value)

"""The realistic range of what the funding app records, checked at the form, in the
services and by the database (CheckConstraints of the models).

Dates of money (envelopes, coverage, transfers, expenses) lie between 1 January 2000 and
31 December 2100: nothing earlier was ever redistributed on the platform, nothing later is
a plan. Amounts are at most one billion euros (10**11 cents), far below the 64-bit limit
of the database (2**63 − 1); a rate is at most 100,000 € per unit.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

MIN_DATE = datetime.date(2000, 1, 1)
MAX_DATE = datetime.date(2100, 12, 31)
MAX_CENTS = 100_000_000_000  # 1,000,000,000 €
MAX_RATE_CENTS = 10_000_000  # 100,000 € per unit


def date_in_range(value: datetime.date | None) -> None:
    """A model and form validator: the date lies between MIN_DATE and MAX_DATE."""
    if value is not None and not (MIN_DATE <= value <= MAX_DATE):
        raise ValidationError(
            _("Indiquez une date entre le %(min)s et le %(max)s.")
            % {"min": date_format(MIN_DATE, "j F Y"), "max": date_format(MAX_DATE, "j F Y")},
            code="date_range",
        )


def cents_in_range(value: int | None) -> None:
    """A model and form validator: at most MAX_CENTS (one billion euros)."""
    from kenlabour.funding.templatetags.funding_claims import format_euros

    if value is not None and value > MAX_CENTS:
        raise ValidationError(
            _("Un montant ne dépasse pas %(max)s.") % {"max": format_euros(MAX_CENTS)},
            code="amount_range",
        )


def rate_in_range(value: int | None) -> None:
    from kenlabour.funding.templatetags.funding_claims import format_euros

    if value is not None and value > MAX_RATE_CENTS:
        raise ValidationError(
            _("Un taux ne dépasse pas %(max)s par unité.") % {"max": format_euros(MAX_RATE_CENTS)},
            code="rate_range",
        )

"""The dates a lab record may bear (models.EARLIEST_DAY to LATEST_DAY), as the services
check them."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kenlabour.lab.models import EARLIEST_DAY, LATEST_DAY


def out_of_bounds_message() -> str:
    return _("Indiquez une date entre %(first)s et %(last)s.") % {
        "first": EARLIEST_DAY.year,
        "last": LATEST_DAY.year,
    }


def check_day(day, field: str = "date") -> None:
    if day is not None and not (EARLIEST_DAY <= day <= LATEST_DAY):
        raise ValidationError({field: out_of_bounds_message()})

"""The realistic range of what the mobilisation app records, checked at the form, in the
services and by the database (CheckConstraints of the models).

Dates lie in the years 2000 to 2099: a year 1 or 9999 is a typing slip. Beyond the
maxima below, a figure is a typing mistake, not a workshop's output: a need or a delivery
of more than a million units, more than 100,000 units made in a day or declared at once,
a stock of more than a million, a delivery radius beyond 1000 km (other producers are
closer), a reference unit cost above 100,000 €.

The validators are MinValueValidator and MaxValueValidator whose French messages read
the limit (`%(min)s`, `%(max)s`) and the value typed (`%(value)s`) in the reader's number
format; the same validators serve the model fields and the form fields, and the services
ask them too (`problem`), so that a refusal reads the same wherever it is met.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import formats
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

EARLIEST_DAY = datetime.date(2000, 1, 1)
LATEST_DAY = datetime.date(2099, 12, 31)
EARLIEST_MOMENT = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
LATEST_MOMENT = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)  # excluded

MAX_QUANTITY = 1_000_000  # units of a need, of a matching line, of a delivery
MAX_UNITS_PER_DAY = 100_000
MAX_STOCK = 1_000_000
MAX_KM = 1000
MAX_PRODUCTION = 100_000  # units of one production declaration
MAX_MATERIAL_QUANTITY = 1_000_000
MAX_UNIT_COST_CENTS = 10_000_000  # 100,000 € per unit
MAX_POSITION = 1000


def _number(value) -> str:
    """In the reader's format, grouped from five digits on (1000 km, 100 000 unités)."""
    return formats.number_format(value, force_grouping=abs(value) >= 10_000)


@deconstructible(path="kenlabour.mobilisation.bounds.AtLeast")
class AtLeast(MinValueValidator):
    """MinValueValidator with the limit and the value in the reader's number format."""

    def __call__(self, value):
        if value is not None and self.compare(value, self.limit_value):
            raise ValidationError(
                self.message,
                code=self.code,
                params={"min": _number(self.limit_value), "value": _number(value)},
            )


@deconstructible(path="kenlabour.mobilisation.bounds.AtMost")
class AtMost(MaxValueValidator):
    """MaxValueValidator with the limit and the value in the reader's number format."""

    def __call__(self, value):
        if value is not None and self.compare(value, self.limit_value):
            raise ValidationError(
                self.message,
                code=self.code,
                params={"max": _number(self.limit_value), "value": _number(value)},
            )


def day_in_bounds(value: datetime.date | None) -> None:
    """A model and form validator: the day lies in the years 2000 to 2099."""
    if value is not None and not (EARLIEST_DAY <= value <= LATEST_DAY):
        raise ValidationError(
            _("Indiquez une date entre %(first)s et %(last)s."),
            code="out_of_bounds",
            params={"first": EARLIEST_DAY.year, "last": LATEST_DAY.year},
        )


def moment_in_bounds(value: datetime.datetime | None) -> None:
    """A model validator: the moment lies in the years 2000 to 2099."""
    if value is not None and not (EARLIEST_MOMENT <= value < LATEST_MOMENT):
        raise ValidationError(
            _("Indiquez une date entre %(first)s et %(last)s."),
            code="out_of_bounds",
            params={"first": EARLIEST_DAY.year, "last": LATEST_DAY.year},
        )


def problem(validators, value) -> str | None:
    """The message of the first validator `value` breaks, or None (for the services)."""
    for validator in validators:
        try:
            validator(value)
        except ValidationError as error:
            return error.messages[0]
    return None


# --- the validators of each bounded figure ------------------------------------------------

NEED_QUANTITY = [
    AtLeast(1, _("La quantité doit être un nombre entier positif, au moins 1.")),
    AtMost(
        MAX_QUANTITY,
        _(
            "%(value)s unités dans un seul besoin, c'est plus que ce que la mobilisation "
            "peut traiter (%(max)s au plus) : vérifiez le nombre, ou découpez le besoin par "
            "site de livraison."
        ),
    ),
]
UNITS_PER_DAY = [
    AtLeast(0, _("Indiquez un nombre d'unités par jour, 0 ou plus.")),
    AtMost(MAX_UNITS_PER_DAY, _("Au plus %(max)s unités par jour : vérifiez le nombre.")),
]
STOCK = [
    AtLeast(0, _("Indiquez le stock disponible, 0 ou plus.")),
    AtMost(MAX_STOCK, _("Au plus %(max)s unités en stock : vérifiez le nombre.")),
]
MAX_DISTANCE = [
    AtLeast(1, _("Indiquez jusqu'à combien de kilomètres vous pouvez livrer (1 ou plus).")),
    AtMost(MAX_KM, _("Au plus %(max)s km : au-delà, d'autres producteurs sont plus proches.")),
]
DISTANCE = [
    AtLeast(0, _("Une distance n'est pas négative.")),
    AtMost(MAX_KM, _("Au plus %(max)s km : c'est le plus grand rayon de livraison.")),
]
LINE_UNITS = [
    AtLeast(1, _("Indiquez un nombre d'unités, 1 ou plus.")),
    AtMost(MAX_QUANTITY, _("Au plus %(max)s unités : vérifiez le nombre.")),
]
ADJUSTED_UNITS = [
    AtLeast(0, _("Le nombre d'unités ne peut pas être négatif.")),
    AtMost(MAX_QUANTITY, _("Au plus %(max)s unités : vérifiez le nombre.")),
]
DECLARED_UNITS = [
    AtLeast(1, _("Indiquez le nombre d'unités livrées (1 ou plus).")),
    AtMost(MAX_QUANTITY, _("Au plus %(max)s unités : vérifiez le nombre.")),
]
RECEIVED_UNITS = [
    AtLeast(0, _("Indiquez le nombre d'unités reçues : un nombre entier, 0 si rien n'est arrivé.")),
    AtMost(MAX_QUANTITY, _("Au plus %(max)s unités : vérifiez le nombre.")),
]
PRODUCTION_UNITS = [
    AtLeast(1, _("Indiquez le nombre d'unités produites (1 ou plus).")),
    AtMost(
        MAX_PRODUCTION,
        _(
            "Au plus %(max)s unités par déclaration : vérifiez le nombre, ou déclarez jour "
            "par jour."
        ),
    ),
]
MATERIAL_QUANTITY = [
    AtLeast(1, _("Indiquez une quantité (1 ou plus).")),
    AtMost(MAX_MATERIAL_QUANTITY, _("Au plus %(max)s : vérifiez la quantité.")),
]
UNIT_COST = [
    AtLeast(0, _("Un coût n'est pas négatif.")),
    AtMost(MAX_UNIT_COST_CENTS, _("Au plus %(max)s centimes par unité : vérifiez le coût.")),
]
POSITION = [
    AtLeast(0, _("Une position est 0 ou plus.")),
    AtMost(MAX_POSITION, _("Au plus %(max)s : vérifiez la position.")),
]
NOT_NEGATIVE = [AtLeast(0, _("Ce nombre n'est pas négatif."))]


# --- the database's side: conditions of the CheckConstraints ---------------------------


def within(field: str, validators, *, nullable: bool = False) -> Q:
    """The condition that `field` keeps within the limits of `validators`."""
    condition = Q()
    for validator in validators:
        lookup = "gte" if isinstance(validator, MinValueValidator) else "lte"
        condition &= Q(**{f"{field}__{lookup}": validator.limit_value})
    return Q(**{f"{field}__isnull": True}) | condition if nullable else condition


def day_within(field: str, *, nullable: bool = False) -> Q:
    condition = Q(**{f"{field}__gte": EARLIEST_DAY, f"{field}__lte": LATEST_DAY})
    return Q(**{f"{field}__isnull": True}) | condition if nullable else condition


def moment_within(field: str, *, nullable: bool = False) -> Q:
    condition = Q(**{f"{field}__gte": EARLIEST_MOMENT, f"{field}__lt": LATEST_MOMENT})
    return Q(**{f"{field}__isnull": True}) | condition if nullable else condition

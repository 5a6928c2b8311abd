"""Every number and date of the mobilisation is bounded (kenlabour.mobilisation.bounds):
a value out of bounds is refused by the form, in French and at its field, and by the
database itself when written around the forms; the boundary values are accepted by both.
Run on SQLite and PostgreSQL."""

import datetime
from dataclasses import dataclass, field

import pytest
from django.db import IntegrityError, transaction
from django.forms import modelform_factory

from kenlabour.mobilisation.forms.coordination import AdjustForm
from kenlabour.mobilisation.forms.needs import DeliveryConfirmForm, NeedForm
from kenlabour.mobilisation.forms.producers import (
    CapacityForm,
    DeliveryDeclareForm,
    MaterialForm,
    ProductionForm,
)
from kenlabour.mobilisation.models import (
    Assignment,
    Campaign,
    Capacity,
    Delivery,
    ItemType,
    MatchingRun,
    MaterialOffer,
    Need,
    Production,
)
from kenlabour.mobilisation.tests.factories import (
    CampaignFactory,
    CapacityFactory,
    DeliveryFactory,
    ItemTypeFactory,
    MaterialOfferFactory,
    NeedFactory,
    ProductionFactory,
    today,
)
from kenlabour.network.tests.factories import FablabFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
DATE_MESSAGE = "Indiquez une date entre 2000 et 2099."
DATES = (
    datetime.date(1999, 12, 31),
    datetime.date(2000, 1, 1),
    datetime.date(2099, 12, 31),
    datetime.date(2100, 1, 1),
)
UTC = datetime.UTC
MOMENTS = (
    datetime.datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime.datetime(2000, 1, 1, tzinfo=UTC),
    datetime.datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime.datetime(2100, 1, 1, tzinfo=UTC),
)


@dataclass
class World:
    campaign: Campaign
    item: ItemType
    fablab: object
    delivery: Delivery  # declared, 60 units planned and declared


@pytest.fixture
def world():
    campaign = CampaignFactory()
    item = ItemTypeFactory(campaign=campaign)
    fablab = FablabFactory()
    delivery = DeliveryFactory(need=NeedFactory(item_type=item), producer=fablab, planned_units=60)
    return World(campaign, item, fablab, delivery)


# --- forms --------------------------------------------------------------------------------


def need_form(w: World, **changes):
    data = {
        "item_type": w.item.pk,
        "quantity": "250",
        "deadline": (today() + 4 * DAY).isoformat(),
        "urgency": "2",
        "requester_name": "Centre hospitalier de Landerneau",
        "requester_kind": "hospital",
        "contact_name": "Gwenaëlle Kerbrat",
        "contact_email": "g.kerbrat@ch-landerneau.example",
        "commune": "Landerneau",
    }
    return NeedForm({**data, **changes}, campaign=w.campaign)


def capacity_form(w: World, **changes):
    data = {
        "producer": w.fablab.pk,
        "item_type": w.item.pk,
        "units_per_day": "40",
        "stock": "10",
        "available_from": today().isoformat(),
        "available_until": (today() + 10 * DAY).isoformat(),
        "max_km": "30",
    }
    return CapacityForm({**data, **changes}, campaign=w.campaign, actors=[w.fablab])


def declare_form(w: World, **changes):
    prefix = f"livraison-{w.delivery.pk}"
    data = {"units": "60", "declared_on": today().isoformat(), **changes}
    return DeliveryDeclareForm(
        {f"{prefix}-{name}": value for name, value in data.items()}, delivery=w.delivery
    )


def confirm_form(w: World, **changes):
    return DeliveryConfirmForm({"received_units": "60", "name": "Annaïg", **changes})


def production_form(w: World, **changes):
    data = {
        "producer": w.fablab.pk,
        "item_type": w.item.pk,
        "date": today().isoformat(),
        "units": "40",
    }
    return ProductionForm({**data, **changes}, campaign=w.campaign, actors=[w.fablab])


def material_form(w: World, **changes):
    data = {
        "actor": w.fablab.pk,
        "direction": "request",
        "material": "filament",
        "quantity": "10",
        "unit": "bobines",
    }
    return MaterialForm({**data, **changes}, actors=[w.fablab])


def adjust_form(w: World, **changes):
    return AdjustForm({"line": "1", "units": "5", **changes})


def model_form(model, instance_of):
    """The admin's form of a model (a ModelForm): its fields run the model's validators."""

    def build(w: World, **changes):
        instance = instance_of(w)
        form_class = modelform_factory(model, fields=list(changes))
        return form_class(changes, instance=instance)

    build.__name__ = f"{model.__name__}AdminForm"
    return build


def _text(value) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


@dataclass
class Bound:
    """A bounded field of a form: the values just outside, at and just inside its bounds,
    and what the form says outside."""

    form: object
    field: str
    too_low: object
    lowest: object
    highest: object
    too_high: object
    low_message: str
    high_message: str
    extra: dict = field(default_factory=dict)

    def __str__(self):
        return f"{self.form.__name__}.{self.field}"


def dates(form, name, **extra) -> Bound:
    return Bound(form, name, *DATES, DATE_MESSAGE, DATE_MESSAGE, extra)


FORM_BOUNDS = [
    Bound(
        need_form,
        "quantity",
        0,
        1,
        1_000_000,
        1_000_001,
        "La quantité doit être un nombre entier positif, au moins 1.",
        "c'est plus que ce que la mobilisation peut traiter (1\xa0000\xa0000 au plus)",
    ),
    dates(need_form, "deadline"),
    Bound(need_form, "urgency", 0, 1, 3, 4, *["Choisissez le degré d'urgence."] * 2),
    Bound(
        capacity_form,
        "units_per_day",
        -1,
        0,
        100_000,
        100_001,
        "Indiquez un nombre d'unités par jour, 0 ou plus.",
        "Au plus 100\xa0000 unités par jour : vérifiez le nombre.",
    ),
    Bound(
        capacity_form,
        "stock",
        -1,
        0,
        1_000_000,
        1_000_001,
        "Indiquez le stock disponible, 0 ou plus.",
        "Au plus 1\xa0000\xa0000 unités en stock : vérifiez le nombre.",
    ),
    Bound(
        capacity_form,
        "max_km",
        0,
        1,
        1000,
        1001,
        "Indiquez jusqu'à combien de kilomètres vous pouvez livrer (1 ou plus).",
        "Au plus 1000 km : au-delà, d'autres producteurs sont plus proches.",
    ),
    dates(capacity_form, "available_from"),
    dates(capacity_form, "available_until"),
    Bound(
        declare_form,
        "units",
        0,
        1,
        1_000_000,
        1_000_001,
        "Indiquez le nombre d'unités livrées (1 ou plus).",
        "Au plus 1\xa0000\xa0000 unités : vérifiez le nombre.",
    ),
    dates(declare_form, "declared_on"),
    Bound(
        confirm_form,
        "received_units",
        -1,
        0,
        1_000_000,
        1_000_001,
        "Indiquez le nombre d'unités reçues : un nombre entier, 0 si rien n'est arrivé.",
        "Au plus 1\xa0000\xa0000 unités : vérifiez le nombre.",
    ),
    Bound(
        production_form,
        "units",
        0,
        1,
        100_000,
        100_001,
        "Indiquez le nombre d'unités produites (1 ou plus).",
        "Au plus 100\xa0000 unités par déclaration",
    ),
    dates(production_form, "date"),
    Bound(
        material_form,
        "quantity",
        0,
        1,
        1_000_000,
        1_000_001,
        "Indiquez une quantité (1 ou plus).",
        "Au plus 1\xa0000\xa0000 : vérifiez la quantité.",
    ),
    Bound(
        adjust_form,
        "units",
        -1,
        0,
        1_000_000,
        1_000_001,
        "Le nombre d'unités ne peut pas être négatif.",
        "Au plus 1\xa0000\xa0000 unités : vérifiez le nombre.",
    ),
]

campaign_form = model_form(Campaign, lambda w: w.campaign)
item_form = model_form(ItemType, lambda w: w.item)
delivery_form = model_form(Delivery, lambda w: w.delivery)


def _run(w: World) -> MatchingRun:
    return MatchingRun.objects.create(campaign=w.campaign)


def _line(w: World) -> Assignment:
    return Assignment.objects.create(
        run=_run(w), need=w.delivery.need, producer=w.fablab, units=5, km=3.0
    )


run_form = model_form(MatchingRun, _run)
line_form = model_form(Assignment, _line)

# The figures that no public form types (the admin's forms, scripts): the model's form.
FORM_BOUNDS += [
    dates(campaign_form, "starts_on"),
    dates(campaign_form, "ends_on", starts_on="2000-01-01"),
    Bound(
        item_form,
        "unit_cost_cents",
        -1,
        0,
        10_000_000,
        10_000_001,
        "supérieure ou égale à 0",  # Django's own message for a positive integer field
        "Au plus 10\xa0000\xa0000 centimes par unité : vérifiez le coût.",
    ),
    Bound(
        item_form,
        "position",
        -1,
        0,
        1000,
        1001,
        "supérieure ou égale à 0",
        "Au plus 1000 : vérifiez la position.",
    ),
    Bound(
        delivery_form,
        "planned_units",
        0,
        1,
        1_000_000,
        1_000_001,
        "Indiquez un nombre d'unités, 1 ou plus.",
        "Au plus 1\xa0000\xa0000 unités : vérifiez le nombre.",
    ),
    Bound(
        delivery_form,
        "km",
        -0.5,
        0,
        1000,
        1000.5,
        "Une distance n'est pas négative.",
        "Au plus 1000 km : c'est le plus grand rayon de livraison.",
    ),
    Bound(
        line_form,
        "units",
        0,
        1,
        1_000_000,
        1_000_001,
        "Indiquez un nombre d'unités, 1 ou plus.",
        "Au plus 1\xa0000\xa0000 unités : vérifiez le nombre.",
    ),
    Bound(
        line_form,
        "km",
        -0.5,
        0,
        1000,
        1000.5,
        "Une distance n'est pas négative.",
        "Au plus 1000 km : c'est le plus grand rayon de livraison.",
    ),
    Bound(
        run_form,
        "seconds",
        -0.5,
        0,
        1e9,
        None,
        "Ce nombre n'est pas négatif.",
        "",
    ),
    Bound(
        run_form,
        "greedy_unit_km",
        -0.5,
        0,
        1e12,
        None,
        "Ce nombre n'est pas négatif.",
        "",
    ),
]


def _errors(bound: Bound, w: World, value) -> list[str]:
    form = bound.form(w, **{bound.field: _text(value)}, **bound.extra)
    form.is_valid()
    return form.errors.get(bound.field, [])


@pytest.mark.parametrize("bound", FORM_BOUNDS, ids=str)
def test_a_value_out_of_bounds_is_refused_at_its_field_in_french(world, bound):
    assert any(bound.low_message in message for message in _errors(bound, world, bound.too_low))
    if bound.too_high is not None:
        errors = _errors(bound, world, bound.too_high)
        assert any(bound.high_message in message for message in errors), errors


@pytest.mark.parametrize("bound", FORM_BOUNDS, ids=str)
def test_the_boundary_values_are_accepted_by_the_form(world, bound):
    for value in (bound.lowest, bound.highest):
        form = bound.form(world, **{bound.field: _text(value)}, **bound.extra)
        form.fields[bound.field].clean(_text(value))  # the field takes it
        errors = _errors(bound, world, value)
        # Another rule may refuse the value (a date in the future, more than planned…),
        # never its bounds.
        messages = [m for m in (bound.low_message, bound.high_message) if m]
        assert not [error for error in errors if any(m in error for m in messages)], errors


def test_the_forms_accept_their_base_values(world):
    """The forms above are valid but for the value a test changes."""
    for build in (
        need_form,
        capacity_form,
        declare_form,
        confirm_form,
        production_form,
        material_form,
        adjust_form,
    ):
        form = build(world)
        assert form.is_valid(), (build.__name__, form.errors)


def test_a_capacity_window_that_ends_before_it_starts_is_refused_at_the_form(world):
    form = capacity_form(world, available_from="2020-04-10", available_until="2020-04-09")
    assert not form.is_valid()
    assert "est avant son début" in " ".join(form.errors["available_until"])


# --- the database, written around the forms -------------------------------------------------


@dataclass
class Column:
    """A bounded column: rows written outside its bounds are refused by the database."""

    model: type
    make: object  # world -> a saved row
    field: str
    too_low: object
    lowest: object
    highest: object
    too_high: object
    # Written with it, so that another column's bound does not refuse the row: a value,
    # or a function of the value written.
    extra: dict = field(default_factory=dict)

    def __str__(self):
        return f"{self.model.__name__}.{self.field}"


def _capacity(w):
    return CapacityFactory(item_type=w.item, producer=w.fablab)


def _declared(w):
    Delivery.objects.filter(pk=w.delivery.pk).update(
        status="confirmed", declared_units=60, declared_on=today(), confirmed_units=60
    )
    return w.delivery


def _number(model, make, name, *values, **extra):
    return Column(model, make, name, *values, extra)


def _day(model, make, name):
    return Column(model, make, name, *DATES)


def _moment(model, make, name):
    return Column(model, make, name, *MOMENTS)


COLUMNS = [
    _day(Campaign, lambda w: w.campaign, "starts_on"),
    Column(Campaign, lambda w: w.campaign, "ends_on", *DATES, {"starts_on": DATES[1]}),
    _number(ItemType, lambda w: w.item, "unit_cost_cents", -1, 0, 10_000_000, 10_000_001),
    _number(ItemType, lambda w: w.item, "position", -1, 0, 1000, 1001),
    _number(Need, lambda w: w.delivery.need, "quantity", 0, 1, 1_000_000, 1_000_001),
    _day(Need, lambda w: w.delivery.need, "deadline"),
    _number(Need, lambda w: w.delivery.need, "urgency", 0, 1, 3, 4),
    _moment(Need, lambda w: w.delivery.need, "submitted_at"),
    _moment(Need, lambda w: w.delivery.need, "validated_at"),
    _number(Capacity, _capacity, "units_per_day", -1, 0, 100_000, 100_001),
    _number(Capacity, _capacity, "stock", -1, 0, 1_000_000, 1_000_001),
    _number(Capacity, _capacity, "max_km", 0, 1, 1000, 1001),
    # The window's two ends move together: its start stays before its end.
    Column(Capacity, _capacity, "available_from", *DATES, {"available_until": DATES[2]}),
    Column(Capacity, _capacity, "available_until", *DATES, {"available_from": DATES[1]}),
    _moment(Capacity, _capacity, "created_at"),
    _number(MatchingRun, _run, "greedy_unit_km", -0.5, 0, 1e12, None),
    _number(MatchingRun, _run, "seconds", -0.5, 0, 1e9, None),
    _moment(MatchingRun, _run, "created_at"),
    _moment(MatchingRun, _run, "decided_at"),
    _number(Assignment, _line, "units", 0, 1, 1_000_000, 1_000_001),
    _number(Assignment, _line, "km", -0.5, 0, 1000, 1000.5),
    _number(Delivery, lambda w: w.delivery, "planned_units", 0, 1, 1_000_000, 1_000_001),
    _number(Delivery, lambda w: w.delivery, "km", -0.5, 0, 1000, 1000.5),
    # Declared units: 1 at least, the planned units at most.
    _number(Delivery, _declared, "declared_units", 0, 1, 60, 61, confirmed_units=0),
    # Received units: what the producer declared at most, and so a million at most.
    _number(
        Delivery,
        _declared,
        "confirmed_units",
        -1,
        0,
        1_000_000,
        1_000_001,
        planned_units=lambda value: max(value, 1),
        declared_units=lambda value: max(value, 1),
    ),
    _day(Delivery, _declared, "declared_on"),
    _moment(Delivery, _declared, "confirmed_at"),
    _moment(Delivery, _declared, "resolved_at"),
    _number(
        Production, lambda w: ProductionFactory(item_type=w.item), "units", 0, 1, 100_000, 100_001
    ),
    _day(Production, lambda w: ProductionFactory(item_type=w.item), "date"),
    _moment(Production, lambda w: ProductionFactory(item_type=w.item), "created_at"),
    _number(
        MaterialOffer,
        lambda w: MaterialOfferFactory(campaign=w.campaign),
        "quantity",
        0,
        1,
        1_000_000,
        1_000_001,
    ),
    _moment(MaterialOffer, lambda w: MaterialOfferFactory(campaign=w.campaign), "created_at"),
]


def _write(column: Column, row, value):
    """Write `value` straight to the database, as a script or a bug would."""
    extra = {name: v(value) if callable(v) else v for name, v in column.extra.items()}
    return column.model._base_manager.filter(pk=row.pk).update(**{column.field: value}, **extra)


@pytest.mark.parametrize("column", COLUMNS, ids=str)
def test_the_database_refuses_a_value_out_of_bounds(world, column):
    row = column.make(world)
    for value in (column.too_low, column.too_high):
        if value is None:
            continue
        with pytest.raises(IntegrityError), transaction.atomic():
            _write(column, row, value)


@pytest.mark.parametrize("column", COLUMNS, ids=str)
def test_the_database_accepts_the_boundary_values(world, column):
    row = column.make(world)
    for value in (column.lowest, column.highest):
        assert _write(column, row, value) == 1
        stored = column.model._base_manager.values_list(column.field, flat=True).get(pk=row.pk)
        assert stored == value


def test_the_database_refuses_a_capacity_window_that_ends_before_it_starts(world):
    capacity = _capacity(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Capacity.objects.filter(pk=capacity.pk).update(
            available_from=datetime.date(2020, 4, 10), available_until=datetime.date(2020, 4, 9)
        )

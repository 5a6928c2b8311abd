"""The campaign's figures, each recomputed here from the records by walking the ORM objects
in Python (no aggregate), and compared with the selectors' grouped queries."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest

from kenlabour.mobilisation.enums import DeliveryStatus, NeedStatus
from kenlabour.mobilisation.models import Delivery, Need, Production
from kenlabour.mobilisation.selectors import figures
from kenlabour.mobilisation.tests.factories import (
    CampaignFactory,
    DeliveryFactory,
    ItemTypeFactory,
    NeedFactory,
    ProductionFactory,
)
from kenlabour.mobilisation.tests.pages_figures import build_figures
from kenlabour.network.tests.factories import FablabFactory, commune
from kenlabour.territories.models import Departement, Epci

pytestmark = pytest.mark.django_db

COUNTED = {"validated", "matched", "partly_delivered", "delivered"}


def recompute(campaign, *, item=None, departement=None, epci=None, group=None):
    """{group: {figure: value}} from the records, one object at a time. Needs are placed
    by their commune, producers by theirs; `group(dep, epci, item_id)` names the group."""
    group = group or (lambda dep, epci_code, item_id: "all")

    def inside(place, item_id):
        dep = place.departement_id if place else None
        epci_code = place.epci_id if place else None
        return (
            (item is None or item_id == item.pk)
            and (departement is None or dep == departement.code)
            and (epci is None or epci_code == epci.code)
        ), group(dep, epci_code, item_id)

    result = defaultdict(lambda: defaultdict(int))
    producers = defaultdict(set)
    for need in Need.objects.filter(campaign=campaign).select_related("commune"):
        keep, key = inside(need.commune, need.item_type_id)
        if keep and need.status in COUNTED:
            result[key]["needs"] += 1
            result[key]["requested"] += need.quantity
    deliveries = Delivery.objects.filter(need__campaign=campaign).select_related(
        "need__commune", "producer__commune"
    )
    for delivery in deliveries:
        need = delivery.need
        if need.status not in COUNTED or delivery.status == "cancelled":
            continue
        if delivery.declared_units is None:
            continue
        keep, key = inside(need.commune, need.item_type_id)
        if keep:
            result[key]["delivered"] += delivery.declared_units
            result[key]["confirmed"] += delivery.confirmed_units or 0
        keep, key = inside(delivery.producer.commune, need.item_type_id)
        if keep:
            producers[key].add(delivery.producer_id)
    productions = Production.objects.filter(campaign=campaign).select_related("producer__commune")
    for production in productions:
        keep, key = inside(production.producer.commune, production.item_type_id)
        if keep:
            result[key]["produced"] += production.units
            producers[key].add(production.producer_id)
    for key, ids in producers.items():
        result[key]["producers"] = len(ids)
    return result


def as_dict(figures_obj):
    return {
        name: getattr(figures_obj, name)
        for name in ("needs", "requested", "produced", "delivered", "confirmed", "producers")
        if getattr(figures_obj, name)
    }


def expected(values):
    return {name: value for name, value in values.items() if value}


@pytest.fixture
def campaign():
    campaign = CampaignFactory(slug="printemps-test")
    build_figures(campaign, scale=2)
    return campaign


def test_totals_match_the_records(campaign):
    report = figures.dashboard(campaign)
    assert as_dict(report.totals) == expected(recompute(campaign)["all"])
    # The dataset holds what the figures must leave out.
    assert Need.objects.filter(campaign=campaign, status=NeedStatus.SUBMITTED).exists()
    assert Need.objects.filter(campaign=campaign, status=NeedStatus.CANCELLED).exists()
    assert Delivery.objects.filter(status=DeliveryStatus.DISCREPANCY).exists()


def test_submitted_and_cancelled_needs_do_not_count(campaign):
    before = figures.dashboard(campaign).totals
    item = campaign.item_types.first()
    place = commune("35238")
    NeedFactory(campaign=campaign, item_type=item, commune=place, status=NeedStatus.SUBMITTED)
    cancelled = NeedFactory(
        campaign=campaign, item_type=item, commune=place, status=NeedStatus.CANCELLED
    )
    DeliveryFactory(
        need=cancelled,
        planned_units=50,
        declared_units=50,
        declared_on=datetime.date(2020, 4, 2),
        confirmed_units=50,
        status=DeliveryStatus.CONFIRMED,
    )
    after = figures.dashboard(campaign).totals
    assert (after.needs, after.requested, after.delivered, after.confirmed) == (
        before.needs,
        before.requested,
        before.delivered,
        before.confirmed,
    )
    validated = NeedFactory(campaign=campaign, item_type=item, commune=place, quantity=40)
    assert figures.dashboard(campaign).totals.requested == before.requested + validated.quantity


def test_a_discrepancy_counts_what_was_declared_and_what_was_received_apart():
    campaign = CampaignFactory()
    need = NeedFactory(item_type=ItemTypeFactory(campaign=campaign), quantity=200)
    DeliveryFactory(
        need=need,
        planned_units=200,
        declared_units=200,
        declared_on=datetime.date(2020, 4, 2),
        confirmed_units=150,
        status=DeliveryStatus.DISCREPANCY,
    )
    totals = figures.dashboard(campaign).totals
    assert (totals.delivered, totals.confirmed) == (200, 150)
    assert totals.coverage == Decimal("75.0")
    assert totals.producers == 1


def test_rows_by_departement_match_the_records(campaign):
    report = figures.dashboard(campaign)
    by_dep = recompute(campaign, group=lambda dep, epci, item: dep)
    assert {row.code or None: as_dict(row.figures) for row in report.by_departement} == {
        code: expected(values) for code, values in by_dep.items()
    }
    codes = [row.code for row in report.by_departement]
    assert {"22", "29", "35", "56"} <= set(codes)
    # The place-less collective has no département: a row of its own, last.
    assert codes[-1] == ""
    assert report.by_departement[-1].name == str(figures.NO_PLACE)
    assert report.placeless_producers == 1


def test_rows_by_epci_within_the_chosen_departement(campaign):
    finistere = Departement.objects.get(code="29")
    report = figures.dashboard(campaign, figures.FigureFilters(departement=finistere))
    by_epci = recompute(campaign, departement=finistere, group=lambda dep, epci, item: epci)
    assert {row.code or None: as_dict(row.figures) for row in report.by_epci} == {
        code: expected(values) for code, values in by_epci.items()
    }
    # Quimper's and Brest's EPCIs, and Ouessant, which belongs to none.
    assert len(report.by_epci) == 3
    assert report.by_epci[-1].code == ""
    assert as_dict(report.totals) == expected(recompute(campaign, departement=finistere)["all"])


def test_rows_by_item_and_the_item_filter(campaign):
    report = figures.dashboard(campaign)
    by_item = recompute(campaign, group=lambda dep, epci, item: item)
    assert {int(row.code): as_dict(row.figures) for row in report.by_item} == {
        item: expected(values) for item, values in by_item.items()
    }
    mask = campaign.item_types.get(kind="fabric_mask")
    filtered = figures.dashboard(campaign, figures.FigureFilters(item_type=mask))
    assert as_dict(filtered.totals) == expected(recompute(campaign, item=mask)["all"])
    assert [row.item for row in filtered.by_item] == [mask]


def test_epci_filter(campaign):
    epci = Epci.objects.get(communes__code="35238")
    report = figures.dashboard(campaign, figures.FigureFilters(epci=epci))
    assert as_dict(report.totals) == expected(recompute(campaign, epci=epci)["all"])
    assert [row.code for row in report.by_departement] == ["35"]


def test_coverage_is_a_percentage_with_one_decimal():
    assert figures.coverage_of(0, 0) is None
    assert figures.coverage_of(1, 3) == Decimal("33.3")
    assert figures.coverage_of(2, 3) == Decimal("66.7")
    assert figures.coverage_of(1, 8) == Decimal("12.5")
    assert figures.coverage_of(1, 16) == Decimal("6.3")  # 6.25: half up
    assert figures.coverage_of(5, 4) == Decimal("125.0")


def test_active_producers_are_distinct_and_placed_at_their_commune():
    campaign = CampaignFactory()
    shield = ItemTypeFactory(campaign=campaign)
    brest_fablab = FablabFactory(commune=commune("29019"))
    # Produces and delivers in Rennes: one active producer, counted in Finistère.
    ProductionFactory(campaign=campaign, item_type=shield, producer=brest_fablab, units=30)
    ProductionFactory(campaign=campaign, item_type=shield, producer=brest_fablab, units=20)
    need = NeedFactory(item_type=shield, commune=commune("35238"))
    DeliveryFactory(
        need=need,
        producer=brest_fablab,
        declared_units=40,
        declared_on=datetime.date(2020, 4, 3),
        status=DeliveryStatus.DECLARED,
    )
    # Only planned: not active.
    DeliveryFactory(need=need, producer=FablabFactory(commune=commune("35238")))
    report = figures.dashboard(campaign)
    assert report.totals.producers == 1
    rows = {row.code: row.figures for row in report.by_departement}
    assert (rows["29"].producers, rows["29"].produced, rows["29"].needs) == (1, 50, 0)
    assert (rows["35"].producers, rows["35"].needs, rows["35"].delivered) == (0, 1, 40)


def test_campaign_list_headline_figures(campaign):
    other = CampaignFactory(starts_on=datetime.date(2021, 1, 1))
    rows = {c.slug: c for c in figures.campaign_list()}
    totals = recompute(campaign)["all"]
    listed = rows[campaign.slug]
    assert (listed.needs_count, listed.requested, listed.confirmed) == (
        totals["needs"],
        totals["requested"],
        totals["confirmed"],
    )
    assert listed.coverage == figures.coverage_of(totals["confirmed"], totals["requested"])
    assert (rows[other.slug].needs_count, rows[other.slug].coverage) == (0, None)


def test_map_by_commune_matches_the_records(campaign):
    report = figures.campaign_map(campaign)
    by_commune = defaultdict(lambda: defaultdict(int))
    producers = defaultdict(set)
    for need in Need.objects.filter(campaign=campaign, status__in=COUNTED):
        by_commune[need.commune_id]["needs"] += 1
        by_commune[need.commune_id]["requested"] += need.quantity
    for delivery in Delivery.objects.filter(need__campaign=campaign):
        if (
            delivery.need.status in COUNTED
            and delivery.status != "cancelled"
            and delivery.declared_units is not None
        ):
            by_commune[delivery.need.commune_id]["confirmed"] += delivery.confirmed_units or 0
            if delivery.producer.commune_id:
                producers[delivery.producer.commune_id].add(delivery.producer_id)
    for production in Production.objects.filter(campaign=campaign):
        if production.producer.commune_id:
            by_commune[production.producer.commune_id]["produced"] += production.units
            producers[production.producer.commune_id].add(production.producer_id)
    for code, ids in producers.items():
        by_commune[code]["producers"] = len(ids)
    shown = {
        row.code: {
            name: getattr(row, name)
            for name in ("needs", "requested", "confirmed", "producers", "produced")
            if getattr(row, name)
        }
        for row in report.communes
    }
    assert shown == {code: expected(values) for code, values in by_commune.items()}
    assert report.placeless_producers == 1
    assert report.max_requested == max(values["requested"] for values in by_commune.values())

"""The demo's Brittany mobilisation of 2020: it builds, is idempotent, and its figures,
recomputed from the records, have the field's orders of magnitude."""

import datetime
import io
import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from kenlabour.accounts.models import User
from kenlabour.accounts.perms import can
from kenlabour.mobilisation import demo
from kenlabour.mobilisation.enums import DeliveryStatus, MaterialStatus, NeedStatus, RunStatus
from kenlabour.mobilisation.models import (
    Assignment,
    Campaign,
    Capacity,
    Delivery,
    MatchingRun,
    MaterialOffer,
    Need,
    Production,
)
from kenlabour.mobilisation.selectors import figures
from kenlabour.mobilisation.services.lifecycle import refresh_need_status
from kenlabour.mobilisation.tests.test_figures_selectors import expected, recompute
from kenlabour.network.enums import LinkSourceKind, OrganisationKind
from kenlabour.network.models import Actor, LinkSource

pytestmark = pytest.mark.django_db


def build_twice():
    """The whole demo twice (the network and lab demos first); the log of the first run,
    the snapshot after it and after the second."""
    out = io.StringIO()
    call_command("demo", stdout=out)
    first = snapshot()
    started = time.perf_counter()
    call_command("demo", stdout=io.StringIO())
    return out.getvalue(), first, snapshot(), time.perf_counter() - started


def snapshot():
    return {
        "needs": Need.objects.count(),
        "capacities": Capacity.objects.count(),
        "deliveries": Delivery.objects.count(),
        "productions": Production.objects.count(),
        "assignments": Assignment.objects.count(),
        "runs": MatchingRun.objects.count(),
        "actors": Actor.objects.count(),
        "sources": LinkSource.objects.count(),
        "units": sorted(Production.objects.values_list("units", flat=True)),
    }


def check_the_campaign_of_spring_2020(campaign):
    assert campaign.name == "COVID-19, printemps 2020"
    assert (str(campaign.starts_on), str(campaign.ends_on)) == ("2020-03-16", "2020-06-30")
    assert not campaign.accepts_needs
    items = {item.kind: item for item in campaign.item_types.all()}
    assert items["face_shield"].approved_model == "Prusa RC3"
    assert items["face_shield"].model_version
    assert "AFNOR SPEC S76-001" in items["fabric_mask"].standard_category
    assert items["gown"].unit_cost_cents > items["fabric_mask"].unit_cost_cents > 0


def check_the_figures_have_the_orders_of_magnitude_of_the_field(campaign):
    needs = list(Need.objects.filter(campaign=campaign))
    assert 1300 <= len(needs) <= 1700
    statuses = Counter(need.status for need in needs)
    assert statuses[NeedStatus.DELIVERED] > len(needs) / 2
    assert statuses[NeedStatus.PARTLY_DELIVERED] > 0
    assert 0 < statuses[NeedStatus.CANCELLED] < len(needs) / 10
    assert 0 < statuses[NeedStatus.SUBMITTED] < len(needs) / 10
    assert {need.departement_id for need in needs} == {"22", "29", "35", "56"}
    assert {need.submitted_at.year for need in needs} == {2020}
    produced = sum(p.units for p in Production.objects.filter(campaign=campaign))
    assert 90_000 <= produced <= 110_000
    producers = {c.producer_id for c in Capacity.objects.filter(campaign=campaign)}
    assert 200 <= len(producers) <= 400
    deliveries = list(Delivery.objects.filter(need__campaign=campaign))
    kinds = Counter(delivery.status for delivery in deliveries)
    assert kinds[DeliveryStatus.CONFIRMED] > 0.85 * len(deliveries)
    assert 5 <= kinds[DeliveryStatus.DISCREPANCY] <= 0.05 * len(deliveries)
    assert kinds[DeliveryStatus.DECLARED] > 0
    for delivery in deliveries:
        if delivery.status == DeliveryStatus.DISCREPANCY:
            assert delivery.confirmed_units < delivery.declared_units
            assert delivery.discrepancy_note
        if delivery.declared_units is not None:
            assert delivery.declared_units <= delivery.planned_units
            assert demo.STARTS <= delivery.declared_on <= demo.ENDS


def check_the_dashboard_counts_what_the_records_hold(campaign):
    report = figures.dashboard(campaign)
    totals = recompute(campaign)["all"]
    assert {
        name: getattr(report.totals, name)
        for name in ("needs", "requested", "produced", "delivered", "confirmed", "producers")
    } == expected(totals)
    assert totals["confirmed"] < totals["delivered"] < totals["requested"]
    assert report.totals.coverage > 80
    assert {row.code for row in report.by_departement} >= {"22", "29", "35", "56"}


def check_need_statuses_follow_their_deliveries(campaign):
    for need in Need.objects.filter(campaign=campaign).order_by("pk")[::7]:
        status = need.status
        assert refresh_need_status(need).status == status, need.pk
    validated = Need.objects.filter(campaign=campaign, status__in=NeedStatus.counted())
    assert not validated.filter(requester=None).exists()
    assert validated.filter(requester__organisation_kind=OrganisationKind.CARE).exists()


def check_deliveries_feed_the_acquaintance_graph(campaign):
    declared = Delivery.objects.filter(
        need__campaign=campaign, declared_units__isnull=False, need__requester__isnull=False
    )
    sources = LinkSource.objects.filter(
        kind=LinkSourceKind.DELIVERY,
        reference__in=[f"delivery:{pk}" for pk in declared.values_list("pk", flat=True)],
    )
    assert sources.count() == declared.count() > 1000
    delivery = declared.select_related("need").first()
    source = sources.get(reference=f"delivery:{delivery.pk}")
    pair = sorted([delivery.producer_id, delivery.need.requester_id])
    assert [source.link.actor_a_id, source.link.actor_b_id] == pair
    assert source.date == delivery.declared_on


def check_demo_accounts_coordinate_and_produce(campaign):
    coordinator = User.objects.get(email=demo.COORDINATOR_EMAIL)
    assert can(coordinator, "mobilisation.coordinate", campaign)
    producer = User.objects.get(email=demo.PRODUCER_EMAIL)
    labfab = Actor.objects.get(slug=demo.PRODUCER_SLUG)
    assert can(producer, "mobilisation.act_for_producer", labfab)
    assert Capacity.objects.filter(campaign=campaign, producer=labfab).exists()
    assert Delivery.objects.filter(producer=labfab, status=DeliveryStatus.PLANNED).exists()
    assert Delivery.objects.filter(producer=labfab, declared_by=producer).exists()


def test_the_demo_builds_the_mobilisation_of_spring_2020_once():
    log, first, second, _seconds = build_twice()
    assert second == first, "running the demo again must add nothing"
    line = next(line for line in log.splitlines() if line.startswith("Mobilisation"))
    seconds = float(line.rsplit("(", 1)[1].split(" s)")[0])
    assert seconds < 15, line
    campaign = Campaign.objects.get(slug=demo.SLUG)
    check_the_campaign_of_spring_2020(campaign)
    check_the_figures_have_the_orders_of_magnitude_of_the_field(campaign)
    check_the_dashboard_counts_what_the_records_hold(campaign)
    check_need_statuses_follow_their_deliveries(campaign)
    check_deliveries_feed_the_acquaintance_graph(campaign)
    check_demo_accounts_coordinate_and_produce(campaign)
    check_the_current_campaign(Campaign.objects.get(slug=demo.CURRENT_CAMPAIGN_SLUG))


def check_the_current_campaign(campaign):
    """Open today, started a few weeks ago, ending in a few weeks; needs at every stage;
    producers of the four départements, people and fablabs, with confirmed deliveries."""
    today = timezone.localdate()
    assert campaign.accepts_needs
    assert (
        today - datetime.timedelta(days=42) <= campaign.starts_on <= today - datetime.timedelta(7)
    )
    assert today + datetime.timedelta(days=7) <= campaign.ends_on <= today + datetime.timedelta(60)
    needs = list(Need.objects.filter(campaign=campaign))
    statuses = Counter(need.status for need in needs)
    for status in (NeedStatus.SUBMITTED, NeedStatus.VALIDATED, NeedStatus.DELIVERED):
        assert statuses[status] >= 3, statuses
    assert statuses[NeedStatus.MATCHED] + statuses[NeedStatus.PARTLY_DELIVERED] > 0
    assert all(need.submitted_at.date() <= today for need in needs)
    assert all(need.deadline > today for need in needs if need.status == NeedStatus.VALIDATED)
    assert {need.departement_id for need in needs} == {"22", "29", "35", "56"}
    deliveries = list(
        Delivery.objects.filter(need__campaign=campaign).select_related("producer", "need")
    )
    kinds = Counter(delivery.status for delivery in deliveries)
    assert kinds[DeliveryStatus.CONFIRMED] > kinds[DeliveryStatus.DECLARED] > 0
    assert kinds[DeliveryStatus.PLANNED] > 0
    assert kinds[DeliveryStatus.DISCREPANCY] == 1
    for delivery in deliveries:
        if delivery.declared_on:
            assert campaign.starts_on <= delivery.declared_on < today
        if delivery.confirmed_at:
            assert delivery.confirmed_at < timezone.now()
    confirmed = {
        (d.producer.departement_id, d.producer.organisation_kind or "person", d.producer.slug)
        for d in deliveries
        if d.status == DeliveryStatus.CONFIRMED
    }
    for code in ("22", "29", "35", "56"):
        here = {kind for departement, kind, _slug in confirmed if departement == code}
        assert {OrganisationKind.FABLAB, "person"} <= here, (code, here)
        assert len([slug for departement, *_rest, slug in confirmed if departement == code]) >= 3
    labfab = Actor.objects.get(slug=demo.PRODUCER_SLUG)
    mine = Counter(d.status for d in deliveries if d.producer_id == labfab.pk)
    assert mine[DeliveryStatus.CONFIRMED] > 0 and mine[DeliveryStatus.PLANNED] >= 2
    assert Capacity.objects.filter(
        campaign=campaign, producer=labfab, item_type__kind="fabric_mask"
    )
    # Production is declared up to today, never ahead of it.
    assert not Production.objects.filter(campaign=campaign, date__gt=today).exists()
    # A run proposed today on the needs verified since the confirmed one, for the
    # coordinator to adjust, confirm or discard; the LabFab's material still open.
    proposal = MatchingRun.objects.get(campaign=campaign, status=RunStatus.PROPOSED)
    assert proposal.assignments.exists()
    assert proposal.created_by == User.objects.get(email=demo.COORDINATOR_EMAIL)
    assert not Delivery.objects.filter(assignment__run=proposal).exists()
    open_material = MaterialOffer.objects.filter(
        campaign=campaign, actor=labfab, status=MaterialStatus.OPEN
    )
    assert open_material.count() == len(demo.CURRENT_MATERIALS)

"""Matching runs: a coordinator runs the matching, adjusts the proposal and confirms it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.mobilisation.enums import DeliveryStatus, NeedStatus, RunStatus, Urgency
from kenlabour.mobilisation.models import Assignment, Delivery, MatchingRun
from kenlabour.mobilisation.services import coordination
from kenlabour.mobilisation.tests.factories import (
    CampaignFactory,
    CapacityFactory,
    DeliveryFactory,
    ItemTypeFactory,
    NeedFactory,
    coordinator,
)
from kenlabour.network.tests.factories import FablabFactory, commune
from kenlabour.territories.models import Departement

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    return ItemTypeFactory(campaign=CampaignFactory())


@pytest.fixture
def boss(item):
    return coordinator(item.campaign)


def capacity_left(capacity) -> int:
    """What the factory's capacity offers over its window: 50 a day for 10 days."""
    days = (capacity.available_until - capacity.available_from).days + 1
    return capacity.stock + capacity.units_per_day * days


class TestRun:
    def test_only_a_coordinator_of_the_campaign_runs_it(self, item):
        NeedFactory(item_type=item)
        CapacityFactory(item_type=item)
        other_campaign_coordinator = coordinator(CampaignFactory())
        for user in (UserFactory(), other_campaign_coordinator):
            with pytest.raises(PermissionDenied):
                coordination.run_matching(user, item.campaign)
        assert not MatchingRun.objects.exists()

    def test_a_need_goes_to_the_producer_in_range(self, item, boss):
        need = NeedFactory(item_type=item, quantity=120)
        capacity = CapacityFactory(item_type=item)
        run = coordination.run_matching(boss, item.campaign)
        (line,) = run.assignments.all()
        assert (line.need, line.producer, line.units) == (need, capacity.producer, 120)
        assert run.status == RunStatus.PROPOSED
        assert run.units_requested == 120
        assert run.unserved == {}

    def test_a_need_beyond_every_range_is_reported_unserved_with_its_reason(self, item, boss):
        far = NeedFactory(item_type=item, commune=commune("67482"), quantity=10)  # Strasbourg
        CapacityFactory(item_type=item)
        run = coordination.run_matching(boss, item.campaign)
        assert not run.assignments.exists()
        assert run.unserved == {
            str(far.pk): {"units": 10, "reason": coordination.NO_PRODUCER_IN_RANGE}
        }

    def test_when_capacity_runs_out_the_urgent_need_is_served_first(self, item, boss):
        capacity = CapacityFactory(item_type=item)
        total = capacity_left(capacity)
        normal = NeedFactory(item_type=item, quantity=total, urgency=Urgency.NORMAL)
        urgent = NeedFactory(item_type=item, quantity=total, urgency=Urgency.CRITICAL)
        run = coordination.run_matching(boss, item.campaign)
        served = dict(run.assignments.values_list("need", "units"))
        assert served == {urgent.pk: total}
        assert run.unserved[str(normal.pk)] == {
            "units": total,
            "reason": coordination.CAPACITY_EXHAUSTED,
        }

    def test_a_territory_run_only_takes_that_departements_needs(self, item, boss):
        in_finistere = NeedFactory(item_type=item, quantity=10)
        NeedFactory(item_type=item, quantity=10, commune=commune("35238"))  # Rennes
        CapacityFactory(item_type=item, max_km=500)
        run = coordination.run_matching(
            boss, item.campaign, departement=Departement.objects.get(code="29")
        )
        assert list(run.assignments.values_list("need", flat=True)) == [in_finistere.pk]

    def test_units_already_promised_are_not_matched_again(self, item, boss):
        need = NeedFactory(item_type=item, quantity=100)
        DeliveryFactory(need=need, planned_units=70)
        CapacityFactory(item_type=item)
        run = coordination.run_matching(boss, item.campaign)
        assert list(run.assignments.values_list("units", flat=True)) == [30]

    def test_a_new_run_discards_the_proposal_left_undecided(self, item, boss):
        NeedFactory(item_type=item)
        CapacityFactory(item_type=item)
        first = coordination.run_matching(boss, item.campaign)
        coordination.run_matching(boss, item.campaign)
        first.refresh_from_db()
        assert first.status == RunStatus.DISCARDED


class TestDecide:
    def test_confirming_plans_the_deliveries_and_the_need_is_matched(self, item, boss):
        need = NeedFactory(item_type=item, quantity=80)
        capacity = CapacityFactory(item_type=item)
        run = coordination.run_matching(boss, item.campaign)
        coordination.confirm(boss, run)
        (delivery,) = Delivery.objects.all()
        assert (delivery.need, delivery.producer, delivery.planned_units) == (
            need,
            capacity.producer,
            80,
        )
        assert delivery.status == DeliveryStatus.PLANNED
        need.refresh_from_db()
        run.refresh_from_db()
        assert need.status == NeedStatus.MATCHED
        assert (run.status, run.decided_by) == (RunStatus.CONFIRMED, boss)

    def test_an_adjusted_line_plans_less_and_the_rest_goes_to_the_next_run(self, item, boss):
        NeedFactory(item_type=item, quantity=100)
        CapacityFactory(item_type=item)
        run = coordination.run_matching(boss, item.campaign)
        line = run.assignments.get()
        coordination.adjust(boss, run, line.pk, 60)
        coordination.confirm(boss, run)
        assert Delivery.objects.get().planned_units == 60
        second = coordination.run_matching(boss, item.campaign)
        assert list(second.assignments.values_list("units", flat=True)) == [40]

    def test_adjusting_to_zero_removes_the_line(self, item, boss):
        NeedFactory(item_type=item)
        CapacityFactory(item_type=item)
        run = coordination.run_matching(boss, item.campaign)
        coordination.adjust(boss, run, run.assignments.get().pk, 0)
        assert not run.assignments.exists()

    def test_a_line_cannot_grow_nor_go_negative(self, item, boss):
        NeedFactory(item_type=item, quantity=100)
        CapacityFactory(item_type=item)
        run = coordination.run_matching(boss, item.campaign)
        line = run.assignments.get()
        for units in (101, -1):
            with pytest.raises(ValidationError):
                coordination.adjust(boss, run, line.pk, units)
        line.refresh_from_db()
        assert line.units == 100

    def test_a_decided_run_no_longer_changes(self, item, boss):
        NeedFactory(item_type=item)
        CapacityFactory(item_type=item)
        run = coordination.run_matching(boss, item.campaign)
        coordination.confirm(boss, run)
        with pytest.raises(ValidationError):
            coordination.confirm(boss, run)
        with pytest.raises(ValidationError):
            coordination.adjust(boss, run, run.assignments.get().pk, 1)
        with pytest.raises(ValidationError):
            coordination.discard(boss, run)
        assert Delivery.objects.count() == 1

    def test_confirming_after_the_need_was_served_elsewhere_changes_nothing(self, item, boss):
        need = NeedFactory(item_type=item, quantity=100)
        CapacityFactory(item_type=item)
        run = coordination.run_matching(boss, item.campaign)
        DeliveryFactory(need=need, planned_units=50, producer=FablabFactory())
        with pytest.raises(ValidationError, match=need.requester_name):
            coordination.confirm(boss, run)
        assert Delivery.objects.count() == 1
        run.refresh_from_db()
        assert run.status == RunStatus.PROPOSED

    def test_discarding_plans_nothing(self, item, boss):
        NeedFactory(item_type=item)
        CapacityFactory(item_type=item)
        run = coordination.run_matching(boss, item.campaign)
        coordination.discard(boss, run)
        run.refresh_from_db()
        assert run.status == RunStatus.DISCARDED
        assert not Delivery.objects.exists()


class TestPages:
    def test_a_person_who_does_not_coordinate_is_refused(self, client, item):
        run_url = reverse("mobilisation:run_matching", args=[item.campaign.slug])
        assert client.get(run_url).status_code == 302  # to the login page
        client.force_login(UserFactory())
        assert client.get(run_url).status_code == 403
        assert client.post(run_url).status_code == 403
        assert not MatchingRun.objects.exists()

    def test_a_coordinator_runs_reads_adjusts_and_confirms(self, client, item, boss):
        need = NeedFactory(item_type=item, quantity=90)
        CapacityFactory(item_type=item)
        client.force_login(boss)
        response = client.post(reverse("mobilisation:run_matching", args=[item.campaign.slug]))
        run = MatchingRun.objects.get()
        assert response.url == run.get_absolute_url()
        page = client.get(run.get_absolute_url())
        assert need.requester_name in page.content.decode()
        line = run.assignments.get()
        client.post(
            reverse("mobilisation:run_adjust", args=[run.pk]), {"line": line.pk, "units": 45}
        )
        decide = reverse("mobilisation:run_decide", args=[run.pk])
        step = client.post(decide, {"decision": "confirm"}).content.decode()
        assert "Confirmer l&#x27;appariement ?" in step and "1 livraison — 45 unités" in step
        assert not Delivery.objects.exists(), "nothing happens before the confirmation"
        client.post(decide, {"decision": "confirm", "confirmation": "1"})
        assert Delivery.objects.get().planned_units == 45

    def test_an_adjustment_too_large_says_why_and_changes_nothing(self, client, item, boss):
        NeedFactory(item_type=item, quantity=90)
        CapacityFactory(item_type=item)
        run = coordination.run_matching(boss, item.campaign)
        client.force_login(boss)
        line = run.assignments.get()
        response = client.post(
            reverse("mobilisation:run_adjust", args=[run.pk]),
            {"line": line.pk, "units": 500},
            follow=True,
        )
        assert "Au plus 90 unités" in response.content.decode()
        line.refresh_from_db()
        assert line.units == 90

    @pytest.mark.parametrize("units", ["9" * 25, "-" + "9" * 25, "-3", "beaucoup"])
    def test_a_refused_adjustment_is_said_at_its_line_and_changes_nothing(
        self, client, item, boss, units
    ):
        NeedFactory(item_type=item, quantity=90)
        CapacityFactory(item_type=item)
        run = coordination.run_matching(boss, item.campaign)
        client.force_login(boss)
        line = run.assignments.get()
        response = client.post(
            reverse("mobilisation:run_adjust", args=[run.pk]), {"line": line.pk, "units": units}
        )
        assert response.status_code == 200, "a refusal is not a redirection"
        content = response.content.decode()
        assert f'aria-describedby="unites-{line.pk}-erreur"' in content
        assert f'id="unites-{line.pk}-erreur"' in content
        line.refresh_from_db()
        assert line.units == 90

    def test_the_run_page_reads_a_constant_number_of_queries(self, client, item, boss):
        def queries_for(needs: int) -> int:
            Assignment.objects.all().delete()
            MatchingRun.objects.all().delete()
            for _ in range(needs):
                NeedFactory(item_type=item, quantity=5)
            CapacityFactory(item_type=item, producer=FablabFactory())
            run = coordination.run_matching(boss, item.campaign)
            client.force_login(boss)
            from django.db import connection

            with CaptureQueriesContext(connection) as context:
                assert client.get(run.get_absolute_url()).status_code == 200
            return len(context.captured_queries)

        assert queries_for(2) == queries_for(12)

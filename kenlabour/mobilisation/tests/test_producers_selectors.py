"""What producers can still make (read by matching), and the producer's page, in a
constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kenlabour.mobilisation.enums import DeliveryStatus
from kenlabour.mobilisation.selectors.producers import (
    days_left,
    producer_sections,
    remaining_capacities,
)
from kenlabour.mobilisation.tests.factories import (
    CampaignFactory,
    CapacityFactory,
    DeliveryFactory,
    ItemTypeFactory,
    MaterialOfferFactory,
    NeedFactory,
    ProductionFactory,
)
from kenlabour.network.tests.factories import FablabFactory, PlaceLessCollectiveFactory, commune

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2020, 4, 10)


def on(day: int) -> datetime.date:
    """A day counted from TODAY: on(0) is today, on(-1) yesterday."""
    return TODAY + datetime.timedelta(days=day)


@pytest.fixture
def item():
    return ItemTypeFactory(campaign=CampaignFactory(starts_on=on(-30)))


def by_capacity(rows):
    return {row.capacity_id: row for row in rows}


class TestDaysLeft:
    @pytest.mark.parametrize(
        ("start", "end", "expected"),
        [
            (0, 9, 10),  # today to today + 9, inclusive
            (-5, 2, 3),  # started: today, tomorrow, the day after
            (3, 4, 2),  # not started yet: its two days
            (-3, 0, 1),  # ends today: today only
            (-10, -1, 0),  # over
        ],
    )
    def test_days_left(self, start, end, expected):
        assert days_left(on(start), on(end), TODAY) == expected


class TestRemainingCapacities:
    def test_stock_plus_the_days_left(self, item):
        # 100 in stock and 50 a day for 10 days.
        fresh = CapacityFactory(
            item_type=item, stock=100, units_per_day=50, available_from=on(0), available_until=on(9)
        )
        # Started 5 days ago, ends in 2 days: 3 days left at 10 a day, and 20 in stock.
        started = CapacityFactory(
            item_type=item, stock=20, units_per_day=10, available_from=on(-5), available_until=on(2)
        )
        # Starts in 3 days for 2 days at 7 a day.
        later = CapacityFactory(
            item_type=item, stock=0, units_per_day=7, available_from=on(3), available_until=on(4)
        )
        # Ends today: one day at 25.
        last_day = CapacityFactory(
            item_type=item, stock=0, units_per_day=25, available_from=on(-3), available_until=on(0)
        )
        # Over yesterday: nothing, not even its stock (the producer is not available).
        over = CapacityFactory(
            item_type=item,
            stock=500,
            units_per_day=30,
            available_from=on(-10),
            available_until=on(-1),
        )
        rows = by_capacity(remaining_capacities(item.campaign, today=TODAY))
        assert {pk: row.remaining for pk, row in rows.items()} == {
            fresh.pk: 100 + 50 * 10,
            started.pk: 20 + 10 * 3,
            later.pk: 7 * 2,
            last_day.pk: 25,
            over.pk: 0,
        }
        assert rows[started.pk].days_left == 3

    def test_planned_deliveries_not_yet_declared_are_taken_off(self, item):
        fablab = FablabFactory()
        capacity = CapacityFactory(
            item_type=item,
            producer=fablab,
            stock=0,
            units_per_day=10,
            available_from=on(0),
            available_until=on(4),
        )  # 50
        other_item = ItemTypeFactory(campaign=item.campaign)
        for units, status, need_item, producer in [
            (15, DeliveryStatus.PLANNED, item, fablab),  # counted
            (5, DeliveryStatus.PLANNED, item, fablab),  # counted
            (30, DeliveryStatus.DECLARED, item, fablab),  # made: no longer planned
            (40, DeliveryStatus.CANCELLED, item, fablab),
            (7, DeliveryStatus.PLANNED, other_item, fablab),  # another item
            (9, DeliveryStatus.PLANNED, item, FablabFactory()),  # another producer
        ]:
            DeliveryFactory(
                need=NeedFactory(item_type=need_item),
                producer=producer,
                planned_units=units,
                status=status,
                declared_units=units if status == DeliveryStatus.DECLARED else None,
            )
        (row,) = remaining_capacities(item.campaign, item_type=item, today=TODAY)
        assert (row.capacity_id, row.planned, row.remaining) == (capacity.pk, 20, 50 - 20)

    def test_planned_in_another_campaign_do_not_count(self, item):
        fablab = FablabFactory()
        CapacityFactory(item_type=item, producer=fablab, stock=10, units_per_day=0)
        DeliveryFactory(need=NeedFactory(), producer=fablab, planned_units=8)
        (row,) = remaining_capacities(item.campaign, today=TODAY)
        assert row.remaining == 10

    def test_more_planned_than_possible_leaves_zero(self, item):
        fablab = FablabFactory()
        CapacityFactory(
            item_type=item,
            producer=fablab,
            stock=10,
            units_per_day=0,
            available_from=on(0),
            available_until=on(0),
        )
        DeliveryFactory(need=NeedFactory(item_type=item), producer=fablab, planned_units=25)
        (row,) = remaining_capacities(item.campaign, today=TODAY)
        assert (row.planned, row.remaining) == (25, 0)

    def test_only_active_capacities_of_the_campaign(self, item):
        kept = CapacityFactory(item_type=item)
        CapacityFactory(item_type=item, active=False)
        CapacityFactory()  # another campaign
        assert [row.capacity_id for row in remaining_capacities(item.campaign, today=TODAY)] == [
            kept.pk
        ]

    def test_what_matching_needs_to_know(self, item):
        quimper = commune("29232")
        fablab = FablabFactory(name="Fablab de Quimper", commune=quimper)
        capacity = CapacityFactory(item_type=item, producer=fablab, max_km=45)
        collective = CapacityFactory(item_type=item, producer=PlaceLessCollectiveFactory())
        rows = by_capacity(remaining_capacities(item.campaign, today=TODAY))
        row = rows[capacity.pk]
        assert (row.producer_id, row.producer_name, row.item_type_id, row.max_km) == (
            fablab.pk,
            "Fablab de Quimper",
            item.pk,
            45,
        )
        assert (row.latitude, row.longitude) == (quimper.latitude, quimper.longitude)
        assert rows[collective.pk].latitude is None and rows[collective.pk].longitude is None

    def test_filters_by_item_and_departement(self, item):
        other_item = ItemTypeFactory(campaign=item.campaign)
        in_finistere = CapacityFactory(item_type=item)  # Quimper
        in_morbihan = CapacityFactory(
            item_type=item, producer=FablabFactory(commune=commune("56121"))
        )
        other = CapacityFactory(item_type=other_item)
        campaign = item.campaign

        def ids(**filters):
            return {row.capacity_id for row in remaining_capacities(campaign, **filters)}

        assert ids(item_type=item) == {in_finistere.pk, in_morbihan.pk}
        assert ids(item_type=other_item.pk) == {other.pk}
        assert ids(departement="29") == {in_finistere.pk, other.pk}
        assert ids(item_type=item, departement=in_morbihan.producer.departement) == {in_morbihan.pk}

    def test_one_query_however_many_capacities(self, item):
        for _ in range(6):
            capacity = CapacityFactory(item_type=item)
            DeliveryFactory(
                need=NeedFactory(item_type=item), producer=capacity.producer, planned_units=3
            )
        with CaptureQueriesContext(connection) as queries:
            rows = remaining_capacities(item.campaign, today=TODAY)
        assert len(rows) == 6
        assert len(queries) == 1


class TestProducerSections:
    def populate(self, campaign, actor, n: int):
        item = ItemTypeFactory(campaign=campaign)
        CapacityFactory(item_type=item, producer=actor)
        for i in range(n):
            need = NeedFactory(item_type=item)
            DeliveryFactory(need=need, producer=actor, planned_units=10 + i)
            DeliveryFactory(
                need=need,
                producer=actor,
                status=DeliveryStatus.DECLARED,
                declared_units=5,
                declared_on=campaign.starts_on,
            )
            ProductionFactory(item_type=item, producer=actor, units=i + 1)
            MaterialOfferFactory(campaign=campaign, actor=actor)
        DeliveryFactory(
            need=NeedFactory(item_type=item),
            producer=actor,
            status=DeliveryStatus.CANCELLED,
        )

    def test_sections_group_what_each_actor_does(self):
        campaign = CampaignFactory()
        a, b = FablabFactory(), FablabFactory()
        self.populate(campaign, a, 2)
        self.populate(campaign, b, 3)
        self.populate(CampaignFactory(), a, 1)  # another campaign: not shown
        first, second = producer_sections(campaign, [a, b])
        assert first.actor == a and second.actor == b
        assert [len(first.to_deliver), len(first.delivered)] == [2, 2]
        assert [len(second.to_deliver), len(second.delivered)] == [3, 3]
        assert first.units_to_deliver == 10 + 11
        assert [total.units for total in second.production_totals] == [1 + 2 + 3]
        assert len(second.capacities) == 1 and len(second.materials) == 3

    def test_a_constant_number_of_queries(self):
        def count(actors_and_sizes) -> int:
            campaign = CampaignFactory()
            actors = []
            for size in actors_and_sizes:
                actor = FablabFactory()
                self.populate(campaign, actor, size)
                actors.append(actor)
            with CaptureQueriesContext(connection) as queries:
                sections = producer_sections(campaign, actors)
                for section in sections:
                    for delivery in section.to_deliver + section.delivered:
                        str(delivery.need.commune.name)
                        str(delivery.need.item_type.name)
                    for capacity in section.capacities:
                        str(capacity.item_type.name)
                    for production in section.productions:
                        str(production.item_type.name)
            return len(queries)

        assert count([1]) == count([4, 3, 5]) == 5

    def test_recent_productions_are_limited_per_actor(self):
        campaign = CampaignFactory()
        item = ItemTypeFactory(campaign=campaign)
        busy, quiet = FablabFactory(), FablabFactory()
        for day in range(15):
            ProductionFactory(
                item_type=item,
                producer=busy,
                date=campaign.starts_on + datetime.timedelta(days=day),
            )
        ProductionFactory(item_type=item, producer=quiet)
        sections = producer_sections(campaign, [busy, quiet])
        assert len(sections[0].productions) == 10
        assert sections[0].productions[0].date == campaign.starts_on + datetime.timedelta(days=14)
        assert len(sections[1].productions) == 1
        assert sections[0].production_totals[0].units == 15 * 40

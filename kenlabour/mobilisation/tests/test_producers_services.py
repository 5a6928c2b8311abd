"""The producers' services: who may declare, what is refused, and that a refusal changes
nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kenlabour.accounts.tests.factories import UserFactory, user_with_role
from kenlabour.mobilisation.enums import (
    DeliveryStatus,
    MaterialDirection,
    MaterialKind,
    MaterialStatus,
    NeedStatus,
)
from kenlabour.mobilisation.models import Capacity, Delivery, MaterialOffer, Production
from kenlabour.mobilisation.services import producers as services
from kenlabour.mobilisation.tests.factories import (
    CampaignFactory,
    CapacityFactory,
    DeliveryFactory,
    ItemTypeFactory,
    MaterialOfferFactory,
    NeedFactory,
    producer_user,
    today,
)
from kenlabour.network.enums import LinkSourceKind
from kenlabour.network.models import LinkSource
from kenlabour.network.tests.factories import (
    FablabFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceLessCollectiveFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://kenlabour.example"


def declare_delivery(*args, **kwargs):
    return services.declare_delivery(*args, site_url=SITE, **kwargs)


DAY = datetime.timedelta(days=1)


@pytest.fixture
def item():
    return ItemTypeFactory(campaign=CampaignFactory())


@pytest.fixture
def fablab():
    return FablabFactory()


@pytest.fixture
def maker(fablab):
    return producer_user(fablab)


def capacity_values(item, producer, **changes):
    values = {
        "producer": producer,
        "item_type": item,
        "units_per_day": 40,
        "stock": 100,
        "available_from": today(),
        "available_until": today() + 10 * DAY,
        "max_km": 30,
        "note": "Visières Prusa",
    }
    return {**values, **changes}


def snapshot(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


class TestAddCapacity:
    def test_an_administrator_declares_for_their_fablab(self, item, fablab, maker):
        capacity = services.add_capacity(maker, item.campaign, **capacity_values(item, fablab))
        assert (capacity.producer, capacity.item_type, capacity.units_per_day) == (
            fablab,
            item,
            40,
        )
        assert capacity.active and capacity.declared_by == maker
        assert capacity.note == "Visières Prusa"

    def test_a_person_declares_for_their_own_page(self, item):
        user = UserFactory()
        person = PersonFactory(user=user)
        capacity = services.add_capacity(user, item.campaign, **capacity_values(item, person))
        assert capacity.producer == person

    def test_someone_else_may_not_declare_for_the_fablab(self, item, fablab):
        stranger = producer_user(FablabFactory())
        for user in (stranger, UserFactory()):
            with pytest.raises(PermissionDenied):
                services.add_capacity(user, item.campaign, **capacity_values(item, fablab))
        assert not Capacity.objects.exists()

    def test_a_platform_administrator_may(self, item, fablab):
        admin = user_with_role("platform_admin")
        services.add_capacity(admin, item.campaign, **capacity_values(item, fablab))
        assert Capacity.objects.filter(producer=fablab).count() == 1

    @pytest.mark.parametrize(
        ("changes", "field", "words"),
        [
            (
                {"available_from": today() + 5 * DAY, "available_until": today()},
                "available_until",
                "avant son début",
            ),
            ({"units_per_day": 0, "stock": 0}, "units_per_day", "rien à proposer"),
            ({"max_km": 0}, "max_km", "1 ou plus"),
            ({"max_km": 1001}, "max_km", "Au plus 1000 km"),
            ({"units_per_day": -3}, "units_per_day", "0 ou plus"),
            ({"stock": -1}, "stock", "0 ou plus"),
            ({"units_per_day": 5_000_000}, "units_per_day", "Au plus"),
        ],
    )
    def test_bad_figures_are_refused_at_their_field(
        self, item, fablab, maker, changes, field, words
    ):
        with pytest.raises(ValidationError) as refusal:
            services.add_capacity(maker, item.campaign, **capacity_values(item, fablab, **changes))
        assert words in " ".join(refusal.value.message_dict[field])
        assert not Capacity.objects.exists()

    def test_stock_alone_or_production_alone_is_fine(self, item, fablab, maker):
        services.add_capacity(
            maker, item.campaign, **capacity_values(item, fablab, units_per_day=0, stock=300)
        )
        other = ItemTypeFactory(campaign=item.campaign)
        services.add_capacity(
            maker, item.campaign, **capacity_values(other, fablab, units_per_day=20, stock=0)
        )
        assert Capacity.objects.count() == 2

    def test_the_window_may_be_one_day_and_1000_km_is_the_limit(self, item, fablab, maker):
        services.add_capacity(
            maker,
            item.campaign,
            **capacity_values(item, fablab, available_until=today(), max_km=1000),
        )
        assert Capacity.objects.get().max_km == 1000

    def test_an_item_of_another_campaign_is_refused(self, item, fablab, maker):
        foreign = ItemTypeFactory()
        with pytest.raises(ValidationError) as refusal:
            services.add_capacity(maker, item.campaign, **capacity_values(foreign, fablab))
        assert "item_type" in refusal.value.message_dict
        assert not Capacity.objects.exists()

    def test_a_second_active_capacity_for_the_same_item_is_refused(self, item, fablab, maker):
        first = services.add_capacity(maker, item.campaign, **capacity_values(item, fablab))
        before = snapshot(Capacity)
        with pytest.raises(ValidationError) as refusal:
            services.add_capacity(
                maker, item.campaign, **capacity_values(item, fablab, units_per_day=99)
            )
        (error,) = refusal.value.error_dict["item_type"]
        assert error.code == services.DUPLICATE_CAPACITY
        assert error.params["pk"] == first.pk
        assert "modifiez-la" in error.message % error.params
        assert snapshot(Capacity) == before

    def test_after_deactivation_a_new_capacity_may_be_declared(self, item, fablab, maker):
        first = services.add_capacity(maker, item.campaign, **capacity_values(item, fablab))
        values = capacity_values(item, fablab)
        del values["producer"], values["item_type"]
        services.update_capacity(maker, first, **values, active=False)
        services.add_capacity(maker, item.campaign, **capacity_values(item, fablab))
        assert Capacity.objects.filter(active=True).count() == 1
        assert Capacity.objects.count() == 2

    def test_a_place_less_collective_is_accepted_without_coordinates(self, item):
        collective = PlaceLessCollectiveFactory()
        user = producer_user(collective)
        capacity = services.add_capacity(user, item.campaign, **capacity_values(item, collective))
        assert capacity.producer.latitude is None


class TestUpdateCapacity:
    def figures(self, **changes):
        values = capacity_values(None, None, **changes)
        del values["producer"], values["item_type"]
        return values

    def test_the_administrator_changes_the_figures(self, item, fablab, maker):
        capacity = CapacityFactory(item_type=item, producer=fablab)
        services.update_capacity(maker, capacity, **self.figures(units_per_day=75, max_km=12))
        capacity.refresh_from_db()
        assert (capacity.units_per_day, capacity.max_km, capacity.active) == (75, 12, True)
        assert capacity.declared_by == maker

    def test_deactivation(self, item, fablab, maker):
        capacity = CapacityFactory(item_type=item, producer=fablab)
        services.update_capacity(maker, capacity, **self.figures(), active=False)
        capacity.refresh_from_db()
        assert not capacity.active

    def test_someone_else_may_not_edit(self, item, fablab):
        capacity = CapacityFactory(item_type=item, producer=fablab)
        before = snapshot(Capacity)
        with pytest.raises(PermissionDenied):
            services.update_capacity(
                producer_user(FablabFactory()), capacity, **self.figures(units_per_day=1)
            )
        assert snapshot(Capacity) == before

    def test_bad_figures_change_nothing(self, item, fablab, maker):
        capacity = CapacityFactory(item_type=item, producer=fablab)
        before = snapshot(Capacity)
        with pytest.raises(ValidationError):
            services.update_capacity(
                maker, capacity, **self.figures(available_until=today() - 3 * DAY)
            )
        assert snapshot(Capacity) == before

    def test_reactivating_beside_an_active_one_is_refused(self, item, fablab, maker):
        old = CapacityFactory(item_type=item, producer=fablab, active=False)
        CapacityFactory(item_type=item, producer=fablab)
        before = snapshot(Capacity)
        with pytest.raises(ValidationError):
            services.update_capacity(maker, old, **self.figures(), active=True)
        assert snapshot(Capacity) == before


class TestDeclareDelivery:
    @pytest.fixture
    def delivery(self, item, fablab):
        need = NeedFactory(
            item_type=item, quantity=80, requester=OrganisationFactory(name="EHPAD Ty Glaz")
        )
        delivery = DeliveryFactory(need=need, producer=fablab, planned_units=50)
        need.status = NeedStatus.MATCHED
        need.save()
        return delivery

    def test_the_producer_declares_and_the_need_is_partly_delivered(self, delivery, maker):
        declare_delivery(maker, delivery, units=50, declared_on=today())
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.DECLARED
        assert (delivery.declared_units, delivery.declared_on) == (50, today())
        assert delivery.declared_by == maker
        delivery.need.refresh_from_db()
        # 50 brought of 80 asked.
        assert delivery.need.status == NeedStatus.PARTLY_DELIVERED

    def test_the_need_is_delivered_when_what_was_brought_covers_it(self, delivery, maker, fablab):
        other = DeliveryFactory(need=delivery.need, producer=fablab, planned_units=30)
        declare_delivery(maker, delivery, units=50, declared_on=today())
        declare_delivery(maker, other, units=30, declared_on=today() - DAY)
        delivery.need.refresh_from_db()
        assert delivery.need.status == NeedStatus.DELIVERED

    def test_fewer_units_than_planned_may_be_declared(self, delivery, maker):
        declare_delivery(maker, delivery, units=1, declared_on=today())
        delivery.refresh_from_db()
        assert delivery.declared_units == 1

    def test_the_delivery_feeds_the_acquaintance_graph(self, delivery, maker, fablab):
        declare_delivery(maker, delivery, units=40, declared_on=today() - DAY)
        (source,) = LinkSource.objects.select_related("link")
        assert source.kind == LinkSourceKind.DELIVERY
        assert source.reference == f"delivery:{delivery.pk}"
        assert source.date == today() - DAY
        assert {source.link.actor_a_id, source.link.actor_b_id} == {
            fablab.pk,
            delivery.need.requester_id,
        }

    def test_no_link_when_the_need_has_no_requester_actor(self, item, fablab, maker):
        delivery = DeliveryFactory(need=NeedFactory(item_type=item), producer=fablab)
        declare_delivery(maker, delivery, units=10, declared_on=today())
        assert not LinkSource.objects.exists()

    @pytest.mark.parametrize(
        ("units", "days_ago", "field", "words"),
        [
            (51, 0, "units", "plus que les 50 prévues"),
            (0, 0, "units", "1 ou plus"),
            (-5, 0, "units", "1 ou plus"),
            (10, -1, "declared_on", "dans le futur"),
            (10, 31, "declared_on", "avant le début de la mobilisation"),
        ],
    )
    def test_refusals_change_nothing(self, delivery, maker, units, days_ago, field, words):
        before = snapshot(Delivery), delivery.need.status
        with pytest.raises(ValidationError) as refusal:
            declare_delivery(
                maker,
                delivery,
                units=units,
                declared_on=today() - datetime.timedelta(days=days_ago),
            )
        assert words in " ".join(refusal.value.message_dict[field])
        delivery.need.refresh_from_db()
        assert (snapshot(Delivery), delivery.need.status) == before
        assert not LinkSource.objects.exists()

    def test_the_campaign_start_is_allowed(self, delivery, maker):
        start = delivery.need.campaign.starts_on
        declare_delivery(maker, delivery, units=5, declared_on=start)
        delivery.refresh_from_db()
        assert delivery.declared_on == start

    def test_only_the_producers_own_delivery(self, delivery):
        before = snapshot(Delivery)
        for user in (producer_user(FablabFactory()), UserFactory()):
            with pytest.raises(PermissionDenied):
                declare_delivery(user, delivery, units=10, declared_on=today())
        assert snapshot(Delivery) == before

    def test_a_delivery_already_declared_is_not_declared_again(self, delivery, maker):
        declare_delivery(maker, delivery, units=30, declared_on=today() - DAY)
        before = snapshot(Delivery), list(LinkSource.objects.values())
        with pytest.raises(ValidationError) as refusal:
            declare_delivery(maker, delivery, units=50, declared_on=today())
        assert "déjà déclarée" in refusal.value.messages[0]
        assert (snapshot(Delivery), list(LinkSource.objects.values())) == before

    def test_a_cancelled_delivery_is_not_declared(self, delivery, maker):
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.CANCELLED)
        with pytest.raises(ValidationError):
            declare_delivery(maker, delivery, units=10, declared_on=today())
        delivery.refresh_from_db()
        assert delivery.declared_units is None


class TestDeclareProduction:
    def values(self, item, fablab, **changes):
        return {"producer": fablab, "item_type": item, "date": today(), "units": 120, **changes}

    def test_declared_and_counted(self, item, fablab, maker):
        production = services.declare_production(maker, item.campaign, **self.values(item, fablab))
        assert (production.units, production.producer, production.declared_by) == (
            120,
            fablab,
            maker,
        )

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"units": 0}, "units"),
            ({"units": -4}, "units"),
            ({"units": 100_001}, "units"),
            ({"date": today() + DAY}, "date"),
            ({"date": today() - 31 * DAY}, "date"),
        ],
    )
    def test_refusals_change_nothing(self, item, fablab, maker, changes, field):
        with pytest.raises(ValidationError) as refusal:
            services.declare_production(
                maker, item.campaign, **self.values(item, fablab, **changes)
            )
        assert field in refusal.value.message_dict
        assert not Production.objects.exists()

    def test_100000_units_is_the_limit_of_one_declaration(self, item, fablab, maker):
        services.declare_production(
            maker, item.campaign, **self.values(item, fablab, units=100_000)
        )
        assert Production.objects.get().units == 100_000

    def test_after_the_end_of_the_campaign_is_refused(self, fablab, maker):
        campaign = CampaignFactory(ends_on=today() - 2 * DAY)
        item = ItemTypeFactory(campaign=campaign)
        with pytest.raises(ValidationError) as refusal:
            services.declare_production(maker, campaign, **self.values(item, fablab))
        assert "après la fin" in refusal.value.message_dict["date"][0]

    def test_only_for_ones_own_actors(self, item, fablab):
        with pytest.raises(PermissionDenied):
            services.declare_production(
                producer_user(FablabFactory()), item.campaign, **self.values(item, fablab)
            )
        assert not Production.objects.exists()


class TestMaterials:
    def values(self, fablab, **changes):
        return {
            "actor": fablab,
            "direction": MaterialDirection.REQUEST,
            "material": MaterialKind.ELASTIC,
            "quantity": 200,
            "unit": " mètres ",
            "note": "",
            **changes,
        }

    def test_a_request_is_published_open(self, item, fablab, maker):
        offer = services.add_material(maker, item.campaign, **self.values(fablab))
        assert (offer.status, offer.unit, offer.created_by) == (
            MaterialStatus.OPEN,
            "mètres",
            maker,
        )

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"quantity": 0}, "quantity"),
            ({"quantity": -1}, "quantity"),
            ({"quantity": 2_000_000}, "quantity"),
            ({"unit": "  "}, "unit"),
            ({"direction": "sale"}, "direction"),
            ({"material": "gold"}, "material"),
        ],
    )
    def test_refusals_change_nothing(self, item, fablab, maker, changes, field):
        with pytest.raises(ValidationError) as refusal:
            services.add_material(maker, item.campaign, **self.values(fablab, **changes))
        assert field in refusal.value.message_dict
        assert not MaterialOffer.objects.exists()

    def test_only_for_ones_own_actors(self, item, fablab):
        with pytest.raises(PermissionDenied):
            services.add_material(UserFactory(), item.campaign, **self.values(fablab))
        assert not MaterialOffer.objects.exists()

    def test_closing_ones_own_offer(self, fablab, maker):
        offer = MaterialOfferFactory(actor=fablab)
        services.close_material(maker, offer, status=MaterialStatus.FULFILLED)
        offer.refresh_from_db()
        assert offer.status == MaterialStatus.FULFILLED

    def test_closing_twice_or_someone_elses_changes_nothing(self, fablab, maker):
        offer = MaterialOfferFactory(actor=fablab, status=MaterialStatus.WITHDRAWN)
        with pytest.raises(ValidationError):
            services.close_material(maker, offer, status=MaterialStatus.FULFILLED)
        other = MaterialOfferFactory()
        with pytest.raises(PermissionDenied):
            services.close_material(maker, other, status=MaterialStatus.WITHDRAWN)
        with pytest.raises(ValidationError):
            services.close_material(maker, MaterialOfferFactory(actor=fablab), status="open")
        assert set(MaterialOffer.objects.values_list("status", flat=True)) == {
            MaterialStatus.WITHDRAWN,
            MaterialStatus.OPEN,
        }
        assert MaterialOffer.objects.filter(status=MaterialStatus.OPEN).count() == 2

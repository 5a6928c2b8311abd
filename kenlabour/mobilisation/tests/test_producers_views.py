"""The producers' pages: who sees what, the forms and their messages."""

import datetime
import html

import pytest
from django.urls import reverse

from kenlabour.accounts.tests.factories import UserFactory, user_with_role
from kenlabour.mobilisation.enums import DeliveryStatus, MaterialStatus, Urgency
from kenlabour.mobilisation.models import Capacity, Delivery, MaterialOffer, Production
from kenlabour.mobilisation.tests.factories import (
    CampaignFactory,
    CapacityFactory,
    DeliveryFactory,
    ItemTypeFactory,
    MaterialOfferFactory,
    NeedFactory,
    ProductionFactory,
    producer_user,
    today,
)
from kenlabour.network.tests.factories import (
    FablabFactory,
    PersonFactory,
    PlaceLessCollectiveFactory,
    commune,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def item():
    return ItemTypeFactory(campaign=CampaignFactory(), name="Visière RC3")


@pytest.fixture
def campaign(item):
    return item.campaign


@pytest.fixture
def fablab():
    return FablabFactory(name="Fablab du Steir")


@pytest.fixture
def maker(fablab):
    return producer_user(fablab)


@pytest.fixture
def delivery(item, fablab):
    need = NeedFactory(
        item_type=item,
        requester_name="EHPAD Les Embruns",
        address="3 rue des Goélands",
        commune=commune("29019"),  # Brest
        urgency=Urgency.CRITICAL,
        contact_name="Soizic Le Bihan",
        contact_phone="02 98 00 00 00",
    )
    return DeliveryFactory(need=need, producer=fablab, planned_units=60, km=64.4)


def text(response) -> str:
    """The page as a reader sees it (entities decoded)."""
    return html.unescape(response.content.decode())


def capacity_post(item=None, producer=None, **changes):
    data = {
        "units_per_day": "40",
        "stock": "10",
        "available_from": today().isoformat(),
        "available_until": (today() + 10 * DAY).isoformat(),
        "max_km": "30",
        "note": "",
    }
    if item is not None:
        data["item_type"] = str(item.pk)
    if producer is not None:
        data["producer"] = str(producer.pk)
    return {**data, **{k: str(v) for k, v in changes.items()}}


def declare_post(delivery, units, on):
    prefix = f"livraison-{delivery.pk}"
    return {
        f"{prefix}-units": str(units),
        f"{prefix}-declared_on": on.isoformat(),
        "confirmation": "1",  # the confirmation step: test_confirmations
    }


class TestAccess:
    def test_anonymous_people_are_asked_to_log_in(self, client, campaign, delivery):
        capacity = CapacityFactory(item_type=delivery.need.item_type)
        offer = MaterialOfferFactory(campaign=campaign)
        for method, url in [
            ("get", reverse("mobilisation:producer", kwargs={"slug": campaign.slug})),
            ("get", reverse("mobilisation:capacity_add", kwargs={"slug": campaign.slug})),
            ("get", reverse("mobilisation:capacity_edit", kwargs={"pk": capacity.pk})),
            ("get", reverse("mobilisation:production_add", kwargs={"slug": campaign.slug})),
            ("get", reverse("mobilisation:material_add", kwargs={"slug": campaign.slug})),
            ("post", reverse("mobilisation:delivery_declare", kwargs={"pk": delivery.pk})),
            ("post", reverse("mobilisation:material_status", kwargs={"pk": offer.pk})),
        ]:
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("accounts:login")), url

    def test_the_material_list_is_public(self, client, campaign):
        url = reverse("mobilisation:materials", kwargs={"slug": campaign.slug})
        assert client.get(url).status_code == 200

    def test_someone_without_an_actor_is_told_how_to_register(self, client, campaign):
        client.force_login(UserFactory())
        for name in ("producer", "capacity_add", "production_add", "material_add"):
            response = client.get(reverse(f"mobilisation:{name}", kwargs={"slug": campaign.slug}))
            assert response.status_code == 200
            content = text(response)
            assert "Inscrivez-vous d'abord dans le réseau" in content
            assert reverse("network:register") in content

    def test_another_producer_may_not_edit_the_capacity(self, client, item, fablab):
        capacity = CapacityFactory(item_type=item, producer=fablab)
        client.force_login(producer_user(FablabFactory()))
        url = reverse("mobilisation:capacity_edit", kwargs={"pk": capacity.pk})
        assert client.get(url).status_code == 403
        assert client.post(url, capacity_post(units_per_day=1)).status_code == 403
        capacity.refresh_from_db()
        assert capacity.units_per_day == 50

    def test_another_producer_may_not_declare_the_delivery(self, client, delivery):
        client.force_login(producer_user(FablabFactory()))
        url = reverse("mobilisation:delivery_declare", kwargs={"pk": delivery.pk})
        response = client.post(url, declare_post(delivery, 60, today()))
        assert response.status_code == 403
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PLANNED

    def test_another_producer_may_not_close_the_offer(self, client, campaign, fablab):
        offer = MaterialOfferFactory(campaign=campaign, actor=fablab)
        client.force_login(producer_user(FablabFactory()))
        url = reverse("mobilisation:material_status", kwargs={"pk": offer.pk})
        assert client.post(url, {"statut": "withdrawn"}).status_code == 403
        offer.refresh_from_db()
        assert offer.status == MaterialStatus.OPEN

    def test_unknown_objects_are_404(self, client, maker):
        client.force_login(maker)
        assert (
            client.get(reverse("mobilisation:capacity_edit", kwargs={"pk": 999})).status_code == 404
        )
        assert (
            client.get(reverse("mobilisation:producer", kwargs={"slug": "inconnue"})).status_code
            == 404
        )


class TestProducerPage:
    def test_shows_the_deliveries_to_make_with_what_a_driver_needs(
        self, client, campaign, delivery, maker
    ):
        client.force_login(maker)
        content = text(client.get(reverse("mobilisation:producer", kwargs={"slug": campaign.slug})))
        for expected in (
            "Fablab du Steir",
            "1 livraison, 60 unités en tout.",
            "EHPAD Les Embruns — Brest",
            "3 rue des Goélands",
            "64 km",
            "Vitale (rupture imminente)",
            "Soizic Le Bihan",
            "Visière RC3",
        ):
            assert expected in content, expected
        assert reverse("mobilisation:delivery_declare", kwargs={"pk": delivery.pk}) in content

    def test_shows_every_actor_the_user_acts_for(self, client, campaign, item):
        user = UserFactory()
        person = PersonFactory(user=user, name="Gwen Tanguy")
        collective = PlaceLessCollectiveFactory(name="Couturières du Trégor")
        producer_user(collective)
        from kenlabour.network.tests.factories import make_admin

        make_admin(user, collective)
        capacity = CapacityFactory(item_type=item, producer=collective)
        client.force_login(user)
        content = text(client.get(reverse("mobilisation:producer", kwargs={"slug": campaign.slug})))
        assert person.name in content and collective.name in content
        assert "Couturières du Trégor n'a pas de commune" in content
        assert reverse("mobilisation:capacity_edit", kwargs={"pk": capacity.pk}) in content

    def test_declared_deliveries_show_their_state(self, client, campaign, delivery, maker):
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.DISCREPANCY,
            declared_units=60,
            declared_on=today(),
            confirmed_units=48,
        )
        client.force_login(maker)
        content = text(client.get(reverse("mobilisation:producer", kwargs={"slug": campaign.slug})))
        assert "Aucune livraison à faire pour le moment" in content
        assert "Écart signalé" in content and "48" in content

    def test_the_page_makes_a_constant_number_of_queries(
        self, client, campaign, item, fablab, maker, django_assert_max_num_queries
    ):
        url = reverse("mobilisation:producer", kwargs={"slug": campaign.slug})
        client.force_login(maker)
        CapacityFactory(item_type=item, producer=fablab)
        for _ in range(8):
            DeliveryFactory(need=NeedFactory(item_type=item), producer=fablab)
            ProductionFactory(item_type=item, producer=fablab)
            MaterialOfferFactory(campaign=campaign, actor=fablab)
        with django_assert_max_num_queries(12):
            response = client.get(url)
        assert text(response).count("Déclarer la livraison") >= 8


class TestCapacityPages:
    def test_add_a_capacity(self, client, campaign, item, fablab, maker):
        client.force_login(maker)
        url = reverse("mobilisation:capacity_add", kwargs={"slug": campaign.slug})
        page = text(client.get(url + f"?acteur={fablab.pk}"))
        assert "Fablab du Steir" in page and "Visière RC3" in page
        response = client.post(url, capacity_post(item, fablab))
        assert response.status_code == 302
        capacity = Capacity.objects.get()
        assert (capacity.producer, capacity.units_per_day, capacity.stock) == (fablab, 40, 10)

    def test_an_actor_not_theirs_is_forbidden(self, client, campaign, item, maker):
        client.force_login(maker)
        url = reverse("mobilisation:capacity_add", kwargs={"slug": campaign.slug})
        response = client.post(url, capacity_post(item, FablabFactory()))
        assert response.status_code == 403
        assert not Capacity.objects.exists()

    def test_the_form_offers_only_their_actors(self, client, campaign, maker):
        other = FablabFactory(name="Fablab d'ailleurs")
        client.force_login(maker)
        page = text(
            client.get(reverse("mobilisation:capacity_add", kwargs={"slug": campaign.slug}))
        )
        assert other.name.replace("'", "'") not in page

    def test_errors_are_shown_at_their_field_and_nothing_is_saved(
        self, client, campaign, item, fablab, maker
    ):
        client.force_login(maker)
        url = reverse("mobilisation:capacity_add", kwargs={"slug": campaign.slug})
        response = client.post(
            url,
            capacity_post(
                item,
                fablab,
                available_from=(today() + 5 * DAY).isoformat(),
                available_until=today().isoformat(),
                max_km=0,
            ),
        )
        assert response.status_code == 200
        content = text(response)
        assert "Rien n'a été enregistré" in content
        assert "est avant son début" in content
        assert "1 ou plus" in content
        assert not Capacity.objects.exists()

    def test_a_second_capacity_points_to_the_first(self, client, campaign, item, fablab, maker):
        first = CapacityFactory(item_type=item, producer=fablab)
        client.force_login(maker)
        url = reverse("mobilisation:capacity_add", kwargs={"slug": campaign.slug})
        response = client.post(url, capacity_post(item, fablab))
        assert response.status_code == 200
        content = text(response)
        assert "a déjà une capacité active" in content
        assert reverse("mobilisation:capacity_edit", kwargs={"pk": first.pk}) in content
        assert Capacity.objects.count() == 1

    def test_a_place_less_collective_is_warned(self, client, campaign, item):
        collective = PlaceLessCollectiveFactory(name="Makers en ligne")
        user = producer_user(collective)
        client.force_login(user)
        url = reverse("mobilisation:capacity_add", kwargs={"slug": campaign.slug})
        assert "Makers en ligne n'a pas de commune" in text(client.get(url))
        response = client.post(url, capacity_post(item, collective), follow=True)
        assert "l'appariement ne peut donc pas lui proposer" in text(response)
        assert Capacity.objects.get().producer == collective

    def test_edit_and_deactivate(self, client, item, fablab, maker):
        capacity = CapacityFactory(item_type=item, producer=fablab)
        client.force_login(maker)
        url = reverse("mobilisation:capacity_edit", kwargs={"pk": capacity.pk})
        assert 'value="50"' in text(client.get(url))
        response = client.post(url, capacity_post(units_per_day=70, active="on"))
        assert response.status_code == 302
        capacity.refresh_from_db()
        assert (capacity.units_per_day, capacity.active) == (70, True)
        client.post(url, capacity_post(units_per_day=70))  # "active" unchecked
        capacity.refresh_from_db()
        assert not capacity.active

    def test_a_platform_administrator_may_edit(self, client, item, fablab):
        capacity = CapacityFactory(item_type=item, producer=fablab)
        client.force_login(user_with_role("platform_admin"))
        url = reverse("mobilisation:capacity_edit", kwargs={"pk": capacity.pk})
        assert client.get(url).status_code == 200


class TestDeclareDelivery:
    def url(self, delivery):
        return reverse("mobilisation:delivery_declare", kwargs={"pk": delivery.pk})

    def test_the_producer_declares(self, client, delivery, maker):
        client.force_login(maker)
        response = client.post(self.url(delivery), declare_post(delivery, 55, today() - DAY))
        assert response.status_code == 302
        assert response["Location"].endswith(f"#acteur-{delivery.producer_id}")
        delivery.refresh_from_db()
        assert (delivery.status, delivery.declared_units) == (DeliveryStatus.DECLARED, 55)
        page = text(client.get(response["Location"]))
        assert "Livraison déclarée : 55 unités pour EHPAD Les Embruns" in page

    def test_more_than_planned_is_refused_at_the_field(self, client, delivery, maker):
        client.force_login(maker)
        response = client.post(self.url(delivery), declare_post(delivery, 61, today()))
        assert response.status_code == 200
        content = text(response)
        assert "61 unités, c'est plus que les 60 prévues" in content
        assert f'href="#livraison-{delivery.pk}"' in content
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PLANNED

    def test_a_date_in_the_future_is_refused(self, client, delivery, maker):
        client.force_login(maker)
        response = client.post(self.url(delivery), declare_post(delivery, 10, today() + DAY))
        assert "dans le futur" in text(response)
        delivery.refresh_from_db()
        assert delivery.declared_units is None

    def test_declaring_twice_gives_a_message_and_changes_nothing(self, client, delivery, maker):
        client.force_login(maker)
        client.post(self.url(delivery), declare_post(delivery, 30, today()))
        response = client.post(self.url(delivery), declare_post(delivery, 60, today()), follow=True)
        assert "déjà déclarée (30 unités" in text(response)
        delivery.refresh_from_db()
        assert delivery.declared_units == 30

    def test_an_empty_form_on_a_declared_delivery_says_it_is_declared(
        self, client, delivery, maker
    ):
        client.force_login(maker)
        client.post(self.url(delivery), declare_post(delivery, 30, today()))
        response = client.post(self.url(delivery), {}, follow=True)
        assert "déjà déclarée (30 unités" in text(response)

    def test_what_is_not_a_number_is_told_at_the_field(self, client, delivery, maker):
        client.force_login(maker)
        data = declare_post(delivery, 1, today())
        data[f"livraison-{delivery.pk}-units"] = "beaucoup"
        response = client.post(self.url(delivery), data)
        assert response.status_code == 200
        assert "Écrivez un nombre entier" in text(response)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PLANNED

    def test_get_is_not_allowed(self, client, delivery, maker):
        client.force_login(maker)
        assert client.get(self.url(delivery)).status_code == 405


class TestProduction:
    def test_declare_and_see_it_listed(self, client, campaign, item, fablab, maker):
        client.force_login(maker)
        url = reverse("mobilisation:production_add", kwargs={"slug": campaign.slug})
        response = client.post(
            url,
            {
                "producer": fablab.pk,
                "item_type": item.pk,
                "date": today().isoformat(),
                "units": "240",
            },
            follow=True,
        )
        content = text(response)
        assert "Production enregistrée : 240 × Visière RC3" in content
        assert Production.objects.get().units == 240

    def test_refusal_at_the_field(self, client, campaign, item, fablab, maker):
        client.force_login(maker)
        url = reverse("mobilisation:production_add", kwargs={"slug": campaign.slug})
        response = client.post(
            url,
            {"producer": fablab.pk, "item_type": item.pk, "date": "01/01/2010", "units": "0"},
        )
        content = text(response)
        assert "avant le début de la mobilisation" in content
        assert "1 ou plus" in content
        assert not Production.objects.exists()


class TestMaterials:
    def test_public_list_filters_and_hides_people_without_consent(self, client, campaign):
        MaterialOfferFactory(campaign=campaign, actor=FablabFactory(name="Fablab de Morlaix"))
        MaterialOfferFactory(
            campaign=campaign,
            actor=PersonFactory(name="Yann Secret", public_consent=False),
            direction="donation",
            material="elastic",
        )
        MaterialOfferFactory(campaign=campaign, status=MaterialStatus.FULFILLED, unit="fermée")
        MaterialOfferFactory(unit="autre campagne")
        url = reverse("mobilisation:materials", kwargs={"slug": campaign.slug})
        content = text(client.get(url))
        assert "2 annonces ouvertes" in content
        assert "Fablab de Morlaix" in content and "Quimper" in content
        assert "Yann Secret" not in content and "Un particulier du réseau" in content
        assert "fermée" not in content and "autre campagne" not in content
        donations = text(client.get(url + "?sens=donation"))
        assert "1 annonce ouverte" in donations and "Fablab de Morlaix" not in donations
        filament = text(client.get(url + "?matiere=filament"))
        assert "1 annonce ouverte" in filament and "Fablab de Morlaix" in filament
        wrong = client.get(url + "?matiere=or")
        assert wrong.status_code == 200
        assert "Certains filtres ne sont pas compris" in text(wrong)

    def test_add_then_mark_fulfilled(self, client, campaign, fablab, maker):
        client.force_login(maker)
        response = client.post(
            reverse("mobilisation:material_add", kwargs={"slug": campaign.slug}),
            {
                "actor": fablab.pk,
                "direction": "request",
                "material": "filament",
                "quantity": "12",
                "unit": "bobines",
                "note": "PETG de préférence",
            },
        )
        assert response.status_code == 302
        offer = MaterialOffer.objects.get()
        assert (offer.quantity, offer.unit, offer.actor) == (12, "bobines", fablab)
        public = client.get(reverse("mobilisation:materials", kwargs={"slug": campaign.slug}))
        assert "PETG de préférence" in text(public)
        client.post(
            reverse("mobilisation:material_status", kwargs={"pk": offer.pk}),
            {"statut": "fulfilled", "confirmation": "1"},
        )
        offer.refresh_from_db()
        assert offer.status == MaterialStatus.FULFILLED
        public = client.get(reverse("mobilisation:materials", kwargs={"slug": campaign.slug}))
        assert "PETG de préférence" not in text(public)

    def test_a_bad_quantity_is_refused(self, client, campaign, fablab, maker):
        client.force_login(maker)
        response = client.post(
            reverse("mobilisation:material_add", kwargs={"slug": campaign.slug}),
            {
                "actor": fablab.pk,
                "direction": "donation",
                "material": "fabric",
                "quantity": "-3",
                "unit": "mètres",
            },
        )
        assert response.status_code == 200
        assert "1 ou plus" in text(response)
        assert not MaterialOffer.objects.exists()

"""A producer on a phone (360 × 740): proposes a capacity, declares a planned delivery, a
production and a material request, with axe-core on every page and form with errors; and
the same declaration with JavaScript off."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kenlabour.mobilisation.enums import DeliveryStatus, NeedStatus, Urgency
from kenlabour.mobilisation.models import Capacity, Delivery, MaterialOffer, Production
from kenlabour.mobilisation.tests.factories import (
    CampaignFactory,
    DeliveryFactory,
    ItemTypeFactory,
    NeedFactory,
    producer_user,
    today,
)
from kenlabour.network.enums import LinkSourceKind
from kenlabour.network.models import LinkSource
from kenlabour.network.tests.factories import FablabFactory, OrganisationFactory, commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "locale": "fr-FR"}


@pytest.fixture
def scene():
    campaign = CampaignFactory(name="COVID-19, printemps 2020")
    item = ItemTypeFactory(campaign=campaign, name="Visière Prusa RC3")
    fablab = FablabFactory(name="Fablab du Steir")
    need = NeedFactory(
        item_type=item,
        quantity=120,
        requester_name="EHPAD Les Embruns",
        requester=OrganisationFactory(name="EHPAD Les Embruns"),
        commune=commune("29019"),
        address="3 rue des Goélands",
        urgency=Urgency.URGENT,
        status=NeedStatus.MATCHED,
    )
    delivery = DeliveryFactory(need=need, producer=fablab, planned_units=80, km=64.2)
    return {
        "campaign": campaign,
        "item": item,
        "fablab": fablab,
        "delivery": delivery,
        "user": producer_user(fablab),
    }


def fits_the_screen(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways on a phone ({overflow}px)"


def check(page, assert_accessible) -> None:
    assert_accessible(page)
    fits_the_screen(page)


def test_a_producer_on_a_phone_declares_a_capacity_and_a_delivery(
    browser, live_server, login_browser, assert_accessible, scene
):
    context = browser.new_context(**PHONE)
    login_browser(context, scene["user"])
    page = context.new_page()
    campaign = scene["campaign"]
    page.goto(live_server.url + reverse("mobilisation:producer", kwargs={"slug": campaign.slug}))
    expect(page.get_by_role("heading", name="Ma page de producteur")).to_be_visible()
    expect(page.get_by_role("heading", name="EHPAD Les Embruns — Brest")).to_be_visible()
    check(page, assert_accessible)

    # A capacity: refused (window backwards, 0 km), then saved.
    page.get_by_role("link", name="Proposer une capacité pour Fablab du Steir").click()
    check(page, assert_accessible)
    page.get_by_label("Unités par jour").fill("40")
    page.get_by_label("Stock disponible").fill("150")
    page.get_by_label("Disponible à partir du").fill(
        (today() + datetime.timedelta(days=5)).isoformat()
    )
    page.get_by_label("Disponible jusqu'au").fill(today().isoformat())
    page.get_by_label("Distance de livraison maximale (km)").fill("0")
    page.get_by_role("button", name="Enregistrer la capacité").click()
    expect(page.get_by_text("Rien n'a été enregistré")).to_be_visible()
    assert not Capacity.objects.exists()
    check(page, assert_accessible)
    page.get_by_label("Disponible à partir du").fill(today().isoformat())
    page.get_by_label("Disponible jusqu'au").fill(
        (today() + datetime.timedelta(days=14)).isoformat()
    )
    page.get_by_label("Distance de livraison maximale (km)").fill("40")
    page.get_by_role("button", name="Enregistrer la capacité").click()
    expect(
        page.get_by_text("Capacité enregistrée : Fablab du Steir, Visière Prusa RC3.")
    ).to_be_visible()
    capacity = Capacity.objects.get()
    assert (capacity.units_per_day, capacity.stock, capacity.max_km) == (40, 150, 40)
    check(page, assert_accessible)

    # The delivery: more than planned is refused at its field, then 80 declared.
    page.get_by_label("Unités livrées").fill("95")
    page.get_by_role("button", name="Déclarer la livraison").click()
    expect(page.get_by_text("c'est plus que les 80 prévues")).to_be_visible()
    assert Delivery.objects.get().status == DeliveryStatus.PLANNED
    check(page, assert_accessible)
    page.get_by_label("Unités livrées").fill("80")
    page.get_by_role("button", name="Déclarer la livraison").click()
    page.get_by_role("heading", name="Déclarer la livraison ?").wait_for()
    check(page, assert_accessible)
    page.get_by_role("button", name="Déclarer la livraison").click()
    expect(
        page.get_by_text("Livraison déclarée : 80 unités pour EHPAD Les Embruns")
    ).to_be_visible()
    expect(
        page.get_by_role("table", name="Livraisons déclarées par Fablab du Steir")
    ).to_be_visible()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.declared_units) == (DeliveryStatus.DECLARED, 80)
    assert LinkSource.objects.filter(kind=LinkSourceKind.DELIVERY).count() == 1
    check(page, assert_accessible)

    # Its capacity is listed, with an edit link; the edit page is accessible too.
    page.get_by_role("link", name="Modifier Visière Prusa RC3").click()
    check(page, assert_accessible)
    context.close()


def test_production_and_material_on_a_phone(
    browser, live_server, login_browser, assert_accessible, scene
):
    context = browser.new_context(**PHONE)
    login_browser(context, scene["user"])
    page = context.new_page()
    slug = scene["campaign"].slug
    page.goto(live_server.url + reverse("mobilisation:production_add", kwargs={"slug": slug}))
    check(page, assert_accessible)
    page.get_by_label("Unités produites").fill("0")
    page.get_by_role("button", name="Enregistrer la production").click()
    expect(page.get_by_text("Rien n'a été enregistré")).to_be_visible()
    check(page, assert_accessible)
    page.get_by_label("Unités produites").fill("230")
    page.get_by_role("button", name="Enregistrer la production").click()
    expect(page.get_by_text("Production enregistrée : 230 × Visière Prusa RC3")).to_be_visible()
    expect(
        page.get_by_role("table", name="Les 20 dernières déclarations de production")
    ).to_be_visible()
    assert Production.objects.get().units == 230
    check(page, assert_accessible)

    page.goto(live_server.url + reverse("mobilisation:material_add", kwargs={"slug": slug}))
    check(page, assert_accessible)
    page.get_by_role("button", name="Publier l'annonce").click()
    expect(page.get_by_text("Rien n'a été enregistré")).to_be_visible()
    check(page, assert_accessible)
    page.get_by_label("une demande : il vous en manque").check()
    page.get_by_label("Matière").select_option("elastic")
    page.get_by_label("Quantité").fill("300")
    page.locator("#id_unit").fill("mètres")
    page.get_by_role("button", name="Publier l'annonce").click()
    expect(page.get_by_text("Demande publiée : Élastique, 300 mètres.")).to_be_visible()
    assert MaterialOffer.objects.get().quantity == 300
    check(page, assert_accessible)

    page.goto(live_server.url + reverse("mobilisation:materials", kwargs={"slug": slug}))
    expect(page.get_by_role("heading", name="Demande : Élastique — 300 mètres")).to_be_visible()
    check(page, assert_accessible)

    page.goto(live_server.url + reverse("mobilisation:producer", kwargs={"slug": slug}))
    page.get_by_role("button", name="Satisfaite").click()
    page.get_by_role("heading", name="Marquer l'annonce satisfaite ?").wait_for()
    page.get_by_role("button", name="Marquer satisfaite").click()
    expect(page.get_by_text("Annonce marquée satisfaite")).to_be_visible()
    check(page, assert_accessible)
    context.close()


def test_a_delivery_is_declared_with_javascript_off(browser, live_server, login_browser, scene):
    context = browser.new_context(java_script_enabled=False, **PHONE)
    login_browser(context, scene["user"])
    page = context.new_page()
    page.goto(
        live_server.url + reverse("mobilisation:producer", kwargs={"slug": scene["campaign"].slug})
    )
    page.get_by_label("Unités livrées").fill("50")
    page.get_by_role("button", name="Déclarer la livraison").click()
    page.get_by_role("heading", name="Déclarer la livraison ?").wait_for()
    page.get_by_role("button", name="Déclarer la livraison").click()
    expect(page.get_by_text("Livraison déclarée : 50 unités")).to_be_visible()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.declared_units, delivery.declared_on) == (
        DeliveryStatus.DECLARED,
        50,
        today(),
    )
    delivery.need.refresh_from_db()
    assert delivery.need.status == NeedStatus.PARTLY_DELIVERED
    context.close()

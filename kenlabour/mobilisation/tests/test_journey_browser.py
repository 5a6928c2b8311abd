"""The whole path of issue 6 in a real browser: a carers' organisation asks without an
account, a coordinator validates the need, the matching proposes a producer and the
coordinator confirms it, the producer declares the delivery, the recipient confirms it,
and the campaign's figures move. axe-core runs on the matching pages."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kenlabour.mobilisation.models import Delivery, Need
from kenlabour.mobilisation.tests.factories import CapacityFactory, coordinator, producer_user
from kenlabour.mobilisation.tests.pages_needs import campaign_with_items
from kenlabour.network.tests.factories import FablabFactory, commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def figure(page, label: str) -> str:
    """The value shown beside a key figure of the dashboard."""
    return page.locator(f"dl.figures-cards div:has(dt:text-is('{label}')) dd").inner_text()


def test_from_a_need_to_a_confirmed_delivery(
    browser, live_server, login_browser, assert_accessible
):
    campaign = campaign_with_items(name="COVID-19, printemps 2020")
    shields = campaign.item_types.get(name="Visière")
    fablab = FablabFactory(name="Fablab de Quimperlé", commune=commune("29233"))
    CapacityFactory(item_type=shields, producer=fablab, units_per_day=30, max_km=80)
    dashboard_url = live_server.url + campaign.get_absolute_url()

    # --- The nursing home asks for 200 face shields, without an account.
    home = browser.new_context(locale="fr-FR")
    page = home.new_page()
    page.goto(dashboard_url)
    assert figure(page, "Unités reçues") == "0"
    page.get_by_role("link", name="Déclarer un besoin").click()
    page.get_by_label("Visière (Prusa RC3 v3)").check()
    page.get_by_label("Quantité").fill("200")
    page.get_by_label("Date limite de livraison").fill(
        (timezone.localdate() + datetime.timedelta(days=6)).isoformat()
    )
    page.get_by_label("Urgente", exact=True).check()
    page.get_by_label("Nom de l'établissement ou du service").fill("EHPAD Les Glycines")
    page.get_by_label("Type d'établissement").select_option("nursing_home")
    page.get_by_label("Commune de livraison").fill("Quimper")
    page.get_by_label("Personne à contacter").fill("Annaïg Le Floc'h")
    page.get_by_label("Adresse e-mail").fill("direction@glycines.example")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url(re.compile(r"/mobilisation/suivi/"))
    follow_url = page.url
    need = Need.objects.get()

    # --- The coordinator validates it, runs the matching and confirms the proposal.
    desk_context = browser.new_context(locale="fr-FR")
    login_browser(desk_context, coordinator(campaign))
    desk = desk_context.new_page()
    desk.goto(live_server.url + need.get_absolute_url())
    desk.get_by_label("Créer l'établissement dans l'annuaire (nom et commune du besoin)").check()
    desk.get_by_role("button", name="Valider le besoin").click()
    desk.locator(".messages").wait_for()
    desk.goto(dashboard_url)
    assert figure(desk, "Unités demandées") == "200"
    desk.get_by_role("link", name="Coordination : lancer un appariement").click()
    assert_accessible(desk)
    desk.get_by_role("button", name="Lancer l'appariement").click()
    desk.get_by_role("heading", name=re.compile("Appariement du")).wait_for()
    assert_accessible(desk)
    proposal = desk.get_by_role("table", name=re.compile("Livraisons proposées"))
    assert "Fablab de Quimperlé" in proposal.inner_text()
    assert "EHPAD Les Glycines" in proposal.inner_text()
    desk.get_by_role("button", name="Confirmer l'appariement").click()
    # The confirmation step (no JavaScript needed) says what will happen.
    desk.get_by_role("heading", name="Confirmer l'appariement ?").wait_for()
    assert_accessible(desk)
    desk.get_by_role("button", name="Confirmer l'appariement").click()
    desk.locator(".messages").wait_for()
    assert "confirmé" in desk.locator(".messages").inner_text()
    (delivery,) = Delivery.objects.all()
    assert delivery.planned_units == 200

    # --- The fablab declares the delivery from its page.
    maker_context = browser.new_context(locale="fr-FR")
    login_browser(maker_context, producer_user(fablab))
    maker = maker_context.new_page()
    maker.goto(live_server.url + reverse("mobilisation:producer", args=[campaign.slug]))
    maker.get_by_label("Unités livrées").fill("200")
    maker.get_by_role("button", name="Déclarer la livraison").click()
    maker.get_by_role("heading", name="Déclarer la livraison ?").wait_for()
    maker.get_by_role("button", name="Déclarer la livraison").click()
    maker.locator(".messages").wait_for()

    # --- The nursing home confirms what it received.
    page.goto(follow_url)
    article = page.locator(f"#livraison-{delivery.pk}")
    article.get_by_label("Unités reçues").fill("200")
    article.get_by_label("Votre nom").fill("Annaïg Le Floc'h")
    article.get_by_role("button", name="Confirmer la réception").click()
    page.get_by_role("heading", name="Confirmer la réception ?").wait_for()
    page.get_by_role("button", name="Confirmer la réception").click()
    page.locator(".messages").wait_for()
    assert "Livré" in page.locator("#statut").inner_text()

    # --- The figures moved.
    page.goto(dashboard_url)
    assert figure(page, "Unités livrées") == "200"
    assert figure(page, "Unités reçues") == "200"
    assert figure(page, "Producteurs actifs") == "1"

"""In a real browser: a carers' organisation asks for face shields on a phone, without an
account; a coordinator verifies and validates the need; the organisation confirms a
delivery with fewer units than declared; the coordinator deals with the discrepancy.
axe-core runs on every page, forms with errors included."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kenlabour.mobilisation.enums import DeliveryStatus, NeedStatus
from kenlabour.mobilisation.models import Need
from kenlabour.mobilisation.tests.factories import coordinator
from kenlabour.mobilisation.tests.pages_needs import campaign_with_items, declared
from kenlabour.network.enums import OrganisationKind
from kenlabour.network.tests.factories import FablabFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "locale": "fr-FR",
}


def _fits_a_phone(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways on a phone ({overflow}px)"


def _check(page, assert_accessible) -> None:
    assert_accessible(page)
    _fits_a_phone(page)


def test_a_carers_organisation_asks_on_a_phone_and_a_coordinator_validates(
    browser, live_server, login_browser, assert_accessible
):
    campaign = campaign_with_items(name="COVID-19, printemps 2020")
    today = timezone.localdate()

    # --- The nursing home, on a phone, without an account.
    requester = browser.new_context(**PHONE)
    page = requester.new_page()
    page.goto(live_server.url + reverse("mobilisation:need_submit", kwargs={"slug": campaign.slug}))
    page.get_by_role("heading", name="Demander du matériel").wait_for()
    _check(page, assert_accessible)

    page.get_by_label("Visière (Prusa RC3 v3)").check()
    page.get_by_label("Quantité").fill("0")
    page.get_by_label("Date limite de livraison").fill(
        (today - datetime.timedelta(days=1)).isoformat()
    )
    page.get_by_label("Urgente", exact=True).check()
    page.get_by_label("Nom de l'établissement ou du service").fill("EHPAD Les Glycines")
    page.get_by_label("Type d'établissement").select_option("nursing_home")
    page.get_by_label("Commune de livraison").fill("Quimperlé-sur-Mer")
    page.get_by_label("Personne à contacter").fill("Annaïg Le Floc'h")
    page.get_by_label("Adresse e-mail").fill("direction@glycines.example")
    page.get_by_role("button", name="Envoyer ma demande").click()
    errors = page.locator(".form-errors")
    errors.wait_for()
    assert "positif" in errors.inner_text()
    assert "déjà passée" in errors.inner_text()
    assert "Quimperlé-sur-Mer" in errors.inner_text()
    assert not Need.objects.exists()
    _check(page, assert_accessible)

    page.get_by_label("Quantité").fill("300")
    page.get_by_label("Date limite de livraison").fill(
        (today + datetime.timedelta(days=5)).isoformat()
    )
    page.get_by_label("Commune de livraison").fill("Quimperlé")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url(re.compile(r"/mobilisation/suivi/"))
    need = Need.objects.get()
    assert need.status == NeedStatus.SUBMITTED and need.commune.name == "Quimperlé"
    assert "Votre besoin est enregistré" in page.locator(".messages").inner_text()
    assert "Déposé, à vérifier" in page.locator("#statut").inner_text()
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex, nofollow"
    _check(page, assert_accessible)
    [confirmation] = mail.outbox
    follow_url = re.search(r"http://\S+/mobilisation/suivi/\S+/", confirmation.body).group(0)
    assert follow_url == live_server.url + need.get_follow_url()

    # --- A coordinator of the campaign verifies it (on a phone too).
    coordinating = browser.new_context(**PHONE)
    login_browser(coordinating, coordinator(campaign))
    desk = coordinating.new_page()
    desk.goto(live_server.url + reverse("mobilisation:needs", kwargs={"slug": campaign.slug}))
    assert "1 besoin déposé attend votre vérification" in desk.locator("main").inner_text()
    _check(desk, assert_accessible)
    desk.get_by_role("link", name="EHPAD Les Glycines").click()
    desk.get_by_role("heading", name="Besoin de EHPAD Les Glycines").wait_for()
    _check(desk, assert_accessible)

    # Cancelling without a reason is refused, at the field.
    desk.get_by_role("button", name="Annuler le besoin").click()
    desk.locator(".form-errors").wait_for()
    assert "Indiquez le motif" in desk.locator(".form-errors").inner_text()
    _check(desk, assert_accessible)

    # Linking to an organisation that is not in the directory is refused, at the field.
    desk.get_by_label("Rattacher à une organisation déjà dans l'annuaire").check()
    desk.get_by_label("Organisation de l'annuaire").fill("EHPAD Inconnu")
    desk.get_by_role("button", name="Valider le besoin").click()
    desk.locator(".form-errors").wait_for()
    assert "EHPAD Inconnu" in desk.locator(".form-errors").inner_text()
    _check(desk, assert_accessible)

    desk.get_by_label("Créer l'établissement dans l'annuaire (nom et commune du besoin)").check()
    desk.get_by_role("button", name="Valider le besoin").click()
    desk.locator(".messages").wait_for()
    assert "est validé" in desk.locator(".messages").inner_text()
    _check(desk, assert_accessible)
    need.refresh_from_db()
    assert need.status == NeedStatus.VALIDATED
    assert need.requester.organisation_kind == OrganisationKind.CARE
    assert need.requester.name == "EHPAD Les Glycines"
    assert [m.subject for m in mail.outbox][-1] == "Besoin validé : Visière"

    # --- Matching and the producer (other rooms) bring a declared delivery of 120 units.
    delivery = declared(need, FablabFactory(name="Fablab de Quimperlé"), 120)

    # The nursing home receives 110 and says so, after a slip (more than declared).
    page.goto(follow_url)
    assert "Validé" in page.locator("#statut").inner_text()
    article = page.locator(f"#livraison-{delivery.pk}")
    assert "Fablab de Quimperlé" in article.inner_text()
    _check(page, assert_accessible)
    article.get_by_label("Unités reçues").fill("1200")
    article.get_by_label("Votre nom").fill("Soizic Tanguy")
    article.get_by_role("button", name="Confirmer la réception").click()
    page.locator(".form-errors").wait_for()
    assert "plus que ce qui a été livré" in page.locator(".form-errors").inner_text()
    _check(page, assert_accessible)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DECLARED

    article = page.locator(f"#livraison-{delivery.pk}")
    article.get_by_label("Unités reçues").fill("110")
    article.get_by_label("Note, si vous avez reçu moins").fill("Dix visières fendues.")
    article.get_by_role("button", name="Confirmer la réception").click()
    page.get_by_role("heading", name="Confirmer la réception ?").wait_for()
    assert "Vous indiquez en avoir reçu 110 sur les 120" in page.locator("main").inner_text()
    _check(page, assert_accessible)
    page.get_by_role("button", name="Confirmer la réception").click()
    page.locator(".messages").wait_for()
    assert "110 unités sur 120" in page.locator(".messages").inner_text()
    _check(page, assert_accessible)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.confirmed_units) == (DeliveryStatus.DISCREPANCY, 110)

    # --- The coordinator sees the discrepancy and records what was done.
    desk.goto(
        live_server.url + reverse("mobilisation:discrepancies", kwargs={"slug": campaign.slug})
    )
    gap = desk.locator(f"#ecart-{delivery.pk}")
    assert "10 unités manquantes" in gap.inner_text()
    assert "Dix visières fendues." in gap.inner_text()
    _check(desk, assert_accessible)
    gap.get_by_role("button", name="Enregistrer la suite donnée").click()
    desk.locator(".form-errors").wait_for()
    _check(desk, assert_accessible)
    desk.locator(f"#ecart-{delivery.pk}").get_by_label("Suite donnée à l'écart").fill(
        "Le fablab renvoie dix visières."
    )
    desk.locator(f"#ecart-{delivery.pk}").get_by_role(
        "button", name="Enregistrer la suite donnée"
    ).click()
    desk.get_by_role("heading", name="Clore l'écart ?").wait_for()
    desk.get_by_role("button", name="Clore l'écart").click()
    desk.locator(".messages").wait_for()
    assert "Aucun écart à traiter" in desk.locator("main").inner_text()
    _check(desk, assert_accessible)
    desk.get_by_role("link", name="Voir les écarts déjà traités").click()
    desk.get_by_text("Le fablab renvoie dix visières.").wait_for()
    _check(desk, assert_accessible)
    delivery.refresh_from_db()
    assert delivery.resolved_at is not None
    assert (delivery.declared_units, delivery.confirmed_units) == (120, 110)
    requester.close()
    coordinating.close()


def test_the_requester_withdraws_a_need_from_a_phone(browser, live_server, assert_accessible):
    campaign = campaign_with_items()
    need = Need.objects.create(
        campaign=campaign,
        item_type=campaign.item_types.first(),
        quantity=40,
        requester_name="Pharmacie du Port",
        requester_kind="pharmacy",
        contact_name="Yves Morvan",
        contact_email="yves@pharmacie.example",
        commune_id="29232",
        departement_id="29",
        deadline=timezone.localdate() + datetime.timedelta(days=3),
    )
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(live_server.url + need.get_follow_url())
    page.get_by_label("Pourquoi retirez-vous ce besoin ? (facultatif)").fill("Livré par l'ARS.")
    page.get_by_role("button", name="Retirer ma demande").click()
    page.get_by_role("heading", name="Retirer le besoin ?").wait_for()
    _check(page, assert_accessible)
    page.get_by_role("button", name="Retirer le besoin").click()
    page.locator(".messages").wait_for()
    assert "Annulé" in page.locator("#statut").inner_text()
    assert "Livré par l'ARS." in page.locator("#statut").inner_text()
    _check(page, assert_accessible)
    context.close()

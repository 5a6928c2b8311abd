"""In Chromium, on a phone with JavaScript and on a screen without: a maker finds a laser
cutter near Quimper, asks the fablab for an introduction, the fablab accepts, and both see
each other's contact details and the new link in the graph. Every page on the way passes
axe-core."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import axe_violations, describe_violations
from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.network.enums import ResourceKind
from kenlabour.network.tests.factories import (
    FablabFactory,
    PersonFactory,
    commune,
    equip,
    make_admin,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRENCH = {"locale": "fr-FR", "timezone_id": "Europe/Paris"}
SETUPS = {
    "telephone-js": {**FRENCH, "viewport": {"width": 360, "height": 740}, "is_mobile": True},
    "ecran-sans-js": {
        **FRENCH,
        "viewport": {"width": 1280, "height": 800},
        "java_script_enabled": False,
    },
}


def check_page(page, scripts_off):
    violations = axe_violations(page, scripts_off=scripts_off)
    assert not violations, f"axe-core on {page.url}:\n" + describe_violations(violations)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways ({overflow}px)"


@pytest.mark.parametrize("setup", SETUPS)
def test_a_maker_meets_the_fablab_with_a_laser_cutter_near_quimper(
    browser, live_server, login_browser, setup
):
    scripts_off = setup == "ecran-sans-js"
    maker_user = UserFactory(email="katell@exemple.bzh", display_name="Katell Le Roux")
    maker = PersonFactory(name="Katell Le Roux", user=maker_user, commune=commune("29020"))
    fablab = equip(FablabFactory(name="Fablab de Quimper"), ResourceKind.LASER_CUTTER)
    admin = make_admin(UserFactory(email="gael@fablab-quimper.bzh"), fablab)

    maker_context = browser.new_context(**SETUPS[setup])
    login_browser(maker_context, maker_user)
    page = maker_context.new_page()
    page.goto(live_server.url + maker.get_absolute_url())
    # Near her, in Briec (with JavaScript the results come into her page, without they open
    # the search page).
    section = page.locator("section.who-could-help")
    section.get_by_label("J'ai besoin de").select_option(label="Découpeuse laser")
    section.get_by_role("button", name="Chercher").click()
    page.get_by_role("link", name="Demander une mise en relation avec Fablab de Quimper").click()
    expect(
        page.get_by_role("heading", name="Demander une mise en relation avec Fablab de Quimper")
    ).to_be_visible()
    check_page(page, scripts_off)
    page.get_by_label("Ressource qui vous intéresse").select_option(label="Découpeuse laser")
    page.get_by_label("Pourquoi souhaitez-vous entrer en contact ?").fill(
        "Je fabrique des visières pour l'EHPAD de Briec : puis-je découper des écrans ?"
    )
    page.get_by_label("Vos coordonnées, transmises seulement si la demande est acceptée").fill(
        "06 12 34 56 78"
    )
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Votre demande est envoyée à Fablab de Quimper.")).to_be_visible()
    expect(page.get_by_text("En attente de réponse")).to_be_visible()
    check_page(page, scripts_off)
    (email,) = mail.outbox
    assert email.to == ["gael@fablab-quimper.bzh"] and "06 12 34 56 78" not in email.body

    admin_context = browser.new_context(**SETUPS[setup])
    login_browser(admin_context, admin)
    answer = admin_context.new_page()
    answer.goto(live_server.url + fablab.get_absolute_url())
    answer.get_by_role("link", name="Les demandes de mise en relation reçues").click()
    expect(answer.get_by_text("1 demande attend votre réponse.")).to_be_visible()
    check_page(answer, scripts_off)
    answer.get_by_role("link", name="De Katell Le Roux, à Fablab de Quimper").click()
    check_page(answer, scripts_off)
    answer.get_by_label("Vos coordonnées, transmises au demandeur").fill(
        "contact@fablab-quimper.bzh"
    )
    answer.get_by_role("button", name="Accepter et donner mes coordonnées").click()
    expect(answer.get_by_text("Vous avez accepté")).to_be_visible()
    expect(answer.get_by_text("06 12 34 56 78")).to_be_visible()
    check_page(answer, scripts_off)
    answer.goto(live_server.url + fablab.get_absolute_url())
    links = answer.get_by_role("table", name="Fablab de Quimper connaît 1 acteur")
    expect(links.get_by_role("link", name="Katell Le Roux")).to_be_visible()

    page.reload()
    expect(page.get_by_text("Acceptée", exact=True)).to_be_visible()
    expect(page.get_by_text("contact@fablab-quimper.bzh")).to_be_visible()
    page.goto(live_server.url + maker.get_absolute_url())
    links = page.get_by_role("table", name="Katell Le Roux connaît 1 acteur")
    expect(links.get_by_role("link", name="Fablab de Quimper")).to_be_visible()
    expect(links.get_by_text("Mise en relation acceptée")).to_be_visible()
    maker_context.close()
    admin_context.close()

"""In a real browser with JavaScript off: the workshops' and experiments' searches are
filled, submitted and read like any form; their results pass axe-core."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import axe_violations, describe_violations
from kenlabour.lab.enums import Phase
from kenlabour.lab.tests.factories import ExperimentFactory, WorkshopFactory
from kenlabour.network.tests.factories import commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_script_page(browser):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    yield context.new_page()
    context.close()


def _accessible(page):
    violations = axe_violations(page, scripts_off=True)
    assert not violations, describe_violations(violations)


def test_a_person_finds_an_online_workshop_by_keyword_without_javascript(
    no_script_page, live_server
):
    WorkshopFactory(title="Rénovation énergétique", commune=None, online_url="https://visio.bzh")
    WorkshopFactory(title="Rénovation des écoles", purpose="Efficacité énergétique.")
    page = no_script_page
    page.goto(live_server.url + reverse("lab:workshops"))
    page.get_by_label("Mots-clés").fill("ENERGETIQUE")
    page.get_by_role("group", name="Où").get_by_label("En ligne").check()
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", name="1 atelier", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Rénovation énergétique")).to_be_visible()
    expect(page.get_by_role("link", name="Rénovation des écoles")).to_have_count(0)
    expect(page.get_by_label("Mots-clés")).to_have_value("ENERGETIQUE")
    expect(page.get_by_label("En ligne")).to_be_checked()
    _accessible(page)


def test_a_wrong_distance_is_said_at_its_field_without_javascript(no_script_page, live_server):
    WorkshopFactory(title="À Rennes", commune=commune("35238"))
    page = no_script_page
    page.goto(live_server.url + reverse("lab:workshops"))
    page.get_by_label("Près de").fill("Rennes")
    page.get_by_label("Dans un rayon de (km)").fill("-3")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_text("Le rayon doit être d'au moins 1 km.").first).to_be_visible()
    _accessible(page)


def test_a_person_finds_an_experiment_by_phase_and_keyword_without_javascript(
    no_script_page, live_server
):
    ExperimentFactory(title="Mobilité des aînés", phase=Phase.PROTOTYPE)
    ExperimentFactory(title="Mobilité des jeunes")
    page = no_script_page
    page.goto(live_server.url + reverse("lab:experiments"))
    page.get_by_label("Mots-clés").fill("MOBILITE")
    page.get_by_label("Étape").select_option(Phase.PROTOTYPE)
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", name="1 expérimentation", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Mobilité des aînés")).to_be_visible()
    expect(page.get_by_role("link", name="Mobilité des jeunes")).to_have_count(0)
    _accessible(page)

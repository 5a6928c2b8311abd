"""Who could help and territorial engagement in a real browser: axe-core with results and
errors shown, keyboard use and JavaScript off."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kenlabour.network.tests.factories import commune
from kenlabour.network.tests.test_territorial_engagement import make_records
from kenlabour.network.tests.test_who_could_help import make_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network():
    return make_network(commune("56121"))


def test_results_with_chains_have_no_axe_violation(page, live_server, assert_accessible, network):
    url = reverse("network:who_could_help")
    query = f"ressource=sewing_machine&commune=Lorient&rayon=60&acteur={network['anne'].slug}"
    response = page.goto(f"{live_server.url}{url}?{query}")
    assert response.status == 200
    expect(page.get_by_role("table")).to_have_count(1)
    assert "une personne du réseau" in page.locator("table").inner_text()
    assert_accessible(page)


@pytest.mark.parametrize(
    "query",
    [
        "ressource=sewing_machine&commune=Lorient-sur-Mer&rayon=0",
        "ressource=&commune=&rayon=",
        "ressource=sewing_machine&commune=Sainte-Marie&rayon=30",
    ],
)
def test_errors_have_no_axe_violation(page, live_server, assert_accessible, query):
    response = page.goto(f"{live_server.url}{reverse('network:who_could_help')}?{query}")
    assert response.status == 200
    expect(page.get_by_role("alert")).to_have_count(1)
    assert_accessible(page)


def test_asking_who_could_help_by_keyboard_without_javascript(browser, live_server, network):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('network:who_could_help')}?acteur=")
    page.get_by_label("J'ai besoin de").select_option(label="Machine à coudre")
    page.get_by_label("près de").fill("Lorient")
    page.get_by_label("dans un rayon de (km)").fill("60")
    page.get_by_label("dans un rayon de (km)").press("Enter")
    table = page.get_by_role("table")
    assert "4 acteurs ont « Machine à coudre »" in table.locator("caption").inner_text()
    # Anonymous: no seeker, so the nearest first and no chain column.
    assert page.get_by_role("rowheader").first.inner_text().startswith("Fablab de Lorient")
    context.close()


def test_the_chain_reads_as_a_sentence(page, live_server, network):
    url = reverse("network:who_could_help")
    page.goto(
        f"{live_server.url}{url}?ressource=sewing_machine&commune=56100&acteur={network['anne'].slug}"
    )
    text = page.locator("table").inner_text()
    assert "Anne Le Goff connaît Yann Kerguelen, qui connaît Fablab de Lorient." in text


def test_engagement_pages_have_no_axe_violation(page, live_server, assert_accessible):
    make_records()
    for query in (
        "",
        "?departement=29&tri=-pour10000",
        "?departement=22&tri=isoles",
        "?departement=zz",
    ):
        response = page.goto(f"{live_server.url}{reverse('network:engagement')}{query}")
        assert response.status == 200
        assert_accessible(page)


def test_sorting_and_choosing_a_departement_without_javascript(browser, live_server):
    make_records()
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(live_server.url + reverse("network:engagement"))
    page.get_by_label("Voir les intercommunalités et les collectifs du département").select_option(
        "22"
    )
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", name="Intercommunalités : Côtes-d'Armor")).to_be_visible()
    table = page.locator("#departements")
    table.get_by_role("link", name="Acteurs pour 10 000 habitants").click()
    header = page.locator("#departements th[aria-sort]")
    assert header.get_attribute("aria-sort") == "ascending"
    page.locator("#departements").get_by_role("link", name="Acteurs pour 10 000 habitants").click()
    assert page.locator("#departements th[aria-sort]").get_attribute("aria-sort") == "descending"
    first = page.locator("#departements tbody tr").first.locator("th").inner_text()
    assert "Côtes-d'Armor" in first  # the most engaged with these records
    assert "departement=22" in page.url
    context.close()


def test_engagement_fits_a_phone_screen(browser, live_server):
    make_records()
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    for url in (
        reverse("network:engagement") + "?departement=29",
        reverse("network:who_could_help"),
    ):
        page.goto(live_server.url + url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways on a phone ({overflow}px)"
    context.close()


def test_the_actor_page_section_shows_results_in_place_with_javascript(
    page, live_server, assert_accessible, network
):
    page.goto(live_server.url + network["anne"].get_absolute_url())
    section = page.locator("section.who-could-help")
    expect(section.get_by_role("heading", name="Qui pourrait aider ?")).to_be_visible()
    section.get_by_label("J'ai besoin de").select_option(label="Machine à coudre")
    section.get_by_label("dans un rayon de (km)").fill("60")
    section.get_by_role("button", name="Chercher").click()
    results = page.locator("#qui-peut-aider-ici table")
    results.wait_for()
    assert page.url.endswith(network["anne"].get_absolute_url()), "htmx kept the page"
    assert "Anne Le Goff connaît Marie Riou." in results.inner_text()
    assert_accessible(page)


def test_the_actor_page_section_opens_the_search_page_without_javascript(
    browser, live_server, network
):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(live_server.url + network["anne"].get_absolute_url())
    section = page.locator("section.who-could-help")
    section.get_by_label("J'ai besoin de").select_option(label="Machine à coudre")
    section.get_by_role("button", name="Chercher").click()
    expect(page.get_by_role("heading", name="Qui peut aider Anne Le Goff ?")).to_be_visible()
    # Within 30 km of Lorient by default: Marie, the fablab and the Quimperlé collective.
    caption = page.locator("table caption").inner_text()
    assert "3 acteurs ont « Machine à coudre » à 30 km au plus de Lorient" in caption
    context.close()

"""The figures' pages in a real browser: no axe-core violation with figures shown, the
map's markers reached and read by keyboard, and the table standing for the map with
JavaScript off."""

import base64
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kenlabour.mobilisation.tests.pages_figures import audited_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A transparent 1×1 PNG served instead of map tiles: the tests never reach the internet.
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def serve_blank_tiles(page):
    page.route(
        "https://tile.openstreetmap.org/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_TILE),
    )


def csp_errors(page) -> list[str]:
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    return errors


def test_the_dashboard_with_figures_has_no_axe_violation(page, live_server, assert_accessible):
    slug = audited_campaign()["slug"]
    errors = csp_errors(page)
    url = live_server.url + reverse("mobilisation:campaign", kwargs={"slug": slug})
    page.goto(url + "?departement=29")
    expect(page.get_by_role("heading", name="Par intercommunalité : Finistère")).to_be_visible()
    expect(page.locator("table caption")).to_have_count(3)
    assert_accessible(page)
    # The filters, by keyboard, without a page of errors.
    page.goto(url)
    page.locator("#id_departement").select_option("35")
    page.get_by_role("button", name="Afficher").click()
    assert "departement=35" in page.url
    assert page.locator("#departements tbody th").all_inner_texts() == ["Ille-et-Vilaine (35)"]
    assert_accessible(page)
    assert errors == []


def test_the_map_is_read_by_keyboard(page, live_server, assert_accessible):
    slug = audited_campaign()["slug"]
    serve_blank_tiles(page)
    errors = csp_errors(page)
    page.goto(live_server.url + reverse("mobilisation:campaign_map", kwargs={"slug": slug}))
    page.wait_for_selector("#carte .figures-marker")
    expect(page.locator("#carte-bloc")).to_be_visible()
    # Six communes, each with needs and a producer (the place-less one is not drawn).
    needs = page.locator("#carte .figures-marker-need")
    producers = page.locator("#carte .figures-marker-producer")
    assert (needs.count(), producers.count()) == (6, 6)
    assert "12 repères sur la carte" in page.locator("#carte-etat").inner_text()
    labels = [needs.nth(i).get_attribute("aria-label") for i in range(needs.count())]
    assert any(label.startswith("Rennes (35) : besoins — Besoins validés : 3") for label in labels)
    # A marker is a focusable button; Enter opens its popup and reads it in the status line.
    marker = needs.first
    assert marker.get_attribute("role") == "button"
    assert marker.get_attribute("tabindex") == "0"
    marker.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content .map-popup-title")
    assert page.evaluate("document.activeElement.className") == "map-popup-title"
    assert page.locator("#carte-etat").inner_text() == marker.get_attribute("aria-label")
    assert_accessible(page)
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        marker.get_attribute("aria-label")
    )
    assert errors == []


def test_without_javascript_the_map_is_the_table(browser, live_server, assert_accessible):
    slug = audited_campaign()["slug"]
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(live_server.url + reverse("mobilisation:campaign_map", kwargs={"slug": slug}))
    expect(page.locator("#carte-bloc")).to_be_hidden()
    table = page.locator("table#communes")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(6)
    assert "Rennes" in table.locator("tbody th").all_inner_texts()
    page.locator("#id_departement").select_option("29")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(re.compile(r"departement=29"))
    expect(table.locator("tbody tr")).to_have_count(3)
    assert sorted(table.locator("tbody th").all_inner_texts()) == [
        "Brest",
        "Ouessant",
        "Quimper",
    ]
    context.close()

"""The communes and distance pages in a real browser: axe-core, keyboard, JavaScript off."""

import re

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("url_name", "query"),
    [
        ("territories:communes", "q=quimper"),
        ("territories:communes", "q="),
        ("territories:distance", "a=Quimper&b=Brest"),
        ("territories:distance", "a=Quimper&b=Quimperl%C3%A9-sur-Mer"),
        ("territories:distance", "a=Le+Faou%C3%ABt&b=Brest"),
    ],
)
def test_results_and_errors_have_no_axe_violation(
    page, live_server, assert_accessible, url_name, query
):
    response = page.goto(f"{live_server.url}{reverse(url_name)}?{query}")
    assert response.status == 200
    assert_accessible(page)


def test_search_and_distance_by_keyboard_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(live_server.url + reverse("territories:communes"))

    page.get_by_label("Nom ou code postal de la commune").fill("st brieuc")
    page.keyboard.press("Enter")
    table = page.get_by_role("table")
    assert "pour « st brieuc »" in table.locator("caption").inner_text()
    assert page.get_by_role("rowheader").first.inner_text() == "Saint-Brieuc"

    page.get_by_label("Première commune").fill("Quimper")
    page.get_by_label("Seconde commune").fill("Brest")
    page.get_by_role("button", name="Calculer la distance").press("Enter")
    assert re.search(r"Quimper – Brest : \d+ km", page.locator("main").inner_text())

    page.get_by_label("Seconde commune").fill("Quimperlé-sur-Mer")
    page.get_by_role("button", name="Calculer la distance").click()
    field = page.get_by_label("Seconde commune")
    assert field.get_attribute("aria-invalid") == "true"
    assert "Aucune commune ne correspond" in page.locator("#id_b_error").inner_text()
    context.close()

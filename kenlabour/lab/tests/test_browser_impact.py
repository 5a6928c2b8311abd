"""The impact dashboard in a real browser: no axe-core violation with figures and charts
shown, and filters that work with JavaScript off."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kenlabour.lab.tests.factories import audited_impact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_with_figures_and_charts_has_no_axe_violation(
    page, live_server, assert_accessible
):
    audited_impact()
    page.goto(f"{live_server.url}{reverse('lab:impact')}?labo=labo-audit-impact&annee=2019")
    expect(page.get_by_role("img", name="Ateliers tenus par mois en 2019")).to_be_visible()
    expect(page.locator("table caption").first).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}{reverse('lab:impact')}?labo=inconnu&annee=1850")
    assert_accessible(page)


def test_the_filters_work_with_javascript_off(browser, live_server):
    audited_impact()
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('lab:impact')}")
    page.locator("#id_labo").select_option(label="Laboratoire audité")
    page.locator("#id_annee").select_option("2019")
    page.get_by_role("button", name="Afficher").click()
    assert "annee=2019" in page.url
    workshops = page.locator(".impact-figures > div").first
    assert workshops.locator("dd").inner_text().strip() == "6"
    context.close()

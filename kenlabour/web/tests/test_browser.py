"""In a real browser: axe-core on every page, keyboard use, JavaScript off, and the CSP."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kenlabour.accounts.tests.factories import PASSWORD, UserFactory, user_with_role
from kenlabour.web import audit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("audited", audit.PAGES, ids=lambda p: f"{p.url_name}?{p.query}")
def test_every_page_has_no_axe_violation(
    page, context, live_server, login_browser, assert_accessible, audited
):
    user = None
    if audited.login or audited.role:
        user = user_with_role(audited.role)
        login_browser(context, user)
    csp_errors = []
    page.on(
        "console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else None
    )
    response = page.goto(live_server.url + audited.url(user))
    assert response.status == 200
    assert_accessible(page)
    assert csp_errors == [], "the page breaks its own Content-Security-Policy"


@pytest.mark.parametrize("path", ["/page-inexistante/"])
def test_error_pages_have_no_axe_violation(page, live_server, assert_accessible, path):
    response = page.goto(live_server.url + path)
    assert response.status == 404
    assert_accessible(page)


def test_keyboard_user_skips_to_the_content_and_sees_the_focus(page, live_server):
    page.goto(live_server.url + reverse("web:home"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, "the skip link is visible when focused"
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"


def test_login_and_logout_work_with_javascript_off(browser, live_server):
    UserFactory(email="anne@exemple.bzh", display_name="Anne Le Goff")
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse e-mail").fill("anne@exemple.bzh")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mon compte", exact=True)).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Vous êtes déconnecté")).to_be_visible()
    context.close()


def test_a_wrong_password_is_announced_at_the_form_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse e-mail").fill("inconnu@exemple.bzh")
    page.get_by_label("Mot de passe").fill("n'importe quoi")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Adresse e-mail ou mot de passe incorrect")).to_be_visible()
    context.close()


def test_the_language_switch_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(live_server.url + reverse("web:home"))
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Changer de langue").click()
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()


def test_pages_fit_a_phone_screen(browser, live_server):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, locale="fr-FR"
    )
    page = context.new_page()
    for audited in audit.PAGES:
        if audited.login or audited.role:
            continue
        page.goto(live_server.url + audited.url())
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{audited.url()} scrolls sideways on a phone ({overflow}px)"
    context.close()


def test_the_gazetteer_survives_browser_tests(page, live_server):
    from kenlabour.territories.models import Commune

    assert Commune.objects.filter(code="29232").exists()

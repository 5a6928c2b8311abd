"""The second factor in Chromium, on a phone and without JavaScript: a treasurer enrols an
authentication application, then signs in again with its code."""

import pyotp
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import axe_violations, describe_violations, totp_code
from kenlabour.accounts.enums import Role
from kenlabour.accounts.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}


def sign_in(page, live_server, user):
    page.goto(live_server.url + reverse("web:home"))
    page.locator("header").get_by_role("link", name="Se connecter").click()
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()


def accessible_without_scripts(page):
    violations = axe_violations(page, scripts_off=True)
    assert not violations, f"axe-core on {page.url}:\n" + describe_violations(violations)


def fits_a_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_a_treasurer_enrols_then_signs_in_with_a_code_without_javascript(browser, live_server):
    treasurer = user_with_role(Role.RELAY_TREASURER)
    context = browser.new_context(java_script_enabled=False, locale="fr-FR", viewport=PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    sign_in(page, live_server, treasurer)
    # Sent to enrol before anything else, money pages included.
    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    assert "Votre rôle l'exige." in page.locator("main").inner_text()
    accessible_without_scripts(page)
    fits_a_phone(page)
    page.goto(live_server.url + reverse("funding:envelopes"))
    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()

    secret = page.locator("#secret").inner_text().replace(" ", "")
    page.get_by_label("Code affiché par l'application").fill("000000")
    page.get_by_role("button", name="Activer").click()
    assert page.get_by_role("link", name="Code affiché par l'application : Ce code ne").count()
    accessible_without_scripts(page)
    page.get_by_label("Code affiché par l'application").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    accessible_without_scripts(page)
    fits_a_phone(page)
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    page.goto(live_server.url + reverse("funding:envelopes"))
    assert page.get_by_role("heading", level=1).inner_text() != "Code de vérification"

    page.locator("header").get_by_role("button", name="Se déconnecter").click()
    sign_in(page, live_server, treasurer)
    expect(page.get_by_role("heading", name="Code de vérification")).to_be_visible()
    accessible_without_scripts(page)
    fits_a_phone(page)
    page.get_by_label("Code à 6 chiffres ou code de secours").fill(totp_code(treasurer))
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("heading", name="Mon compte", exact=True)).to_be_visible()
    main = page.locator("main").inner_text()
    assert "Il vous reste 10 codes de secours." in main
    assert "cette session" in main
    context.close()

"""Security keys and passkeys in Chromium, with its virtual WebAuthn authenticator: a
treasurer with no second factor registers a key instead of an application, gets recovery
codes, reaches the money pages, then signs in again with the key. A key the browser no
longer holds is refused with a French message and the session stays pending. Without
JavaScript the key is not offered as a dead button, and a recovery code still works."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import axe_violations, describe_violations
from kenlabour.accounts.enums import Role
from kenlabour.accounts.tests.factories import user_with_role
from kenlabour.accounts.tests.test_second_factor_browser import sign_in
from kenlabour.accounts.tests.test_security_keys import a_security_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
KEY_NAME = "Clé USB du bureau"


@pytest.fixture
def webauthn_origin(settings, live_server):
    """The live server is the relying party's origin (http://localhost:PORT: a browser
    refuses an IP address as relying party ID)."""
    assert live_server.url.startswith("http://localhost:")
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    return live_server.url


def virtual_authenticator(page, transport: str) -> tuple:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": transport,
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def accessible(page, *, scripts_off: bool = False):
    violations = axe_violations(page, scripts_off=scripts_off)
    assert not violations, f"axe-core on {page.url}:\n" + describe_violations(violations)


def sign_out(page):
    page.locator("header").get_by_role("button", name="Se déconnecter").click()


def money_page_asks_the_second_factor(page, live_server) -> bool:
    page.goto(live_server.url + reverse("funding:envelopes"))
    return page.get_by_role("heading", level=1).inner_text() in {
        "Code de vérification",
        "Activer la double authentification",
    }


def register_first_key(page, live_server) -> list[str]:
    """On the enrolment page the middleware sent the person to: name and register a key;
    returns the recovery codes shown next."""
    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    page.get_by_label("Nom de la clé").fill(KEY_NAME)
    accessible(page)
    page.get_by_role("button", name="Ajouter ma clé").click()
    page.get_by_role("heading", name="Vos codes de secours").wait_for()
    codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert f"Votre clé « {KEY_NAME} » est ajoutée." in page.locator("body").inner_text()
    accessible(page)
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    return codes


def test_a_treasurer_registers_a_key_then_signs_in_with_it_on_a_phone(
    browser, live_server, webauthn_origin
):
    treasurer = user_with_role(Role.RELAY_TREASURER)
    context = browser.new_context(locale="fr-FR", viewport=PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    virtual_authenticator(page, "internal")

    sign_in(page, live_server, treasurer)
    assert money_page_asks_the_second_factor(page, live_server)
    register_first_key(page, live_server)
    assert not money_page_asks_the_second_factor(page, live_server)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The account page lists the key: its name, when added, never used yet.
    page.goto(live_server.url + reverse("accounts:account"))
    keys = page.locator(".security-keys li")
    expect(keys).to_have_count(1)
    assert KEY_NAME in keys.inner_text()
    assert "jamais utilisée" in keys.inner_text()
    accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    sign_out(page)
    sign_in(page, live_server, treasurer)
    expect(page.get_by_role("heading", name="Code de vérification")).to_be_visible()
    assert money_page_asks_the_second_factor(page, live_server)  # next = the money page
    button = page.get_by_role("button", name="Utiliser ma clé de sécurité")
    expect(button).to_be_visible()
    accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    button.click()
    page.wait_for_url(f"{live_server.url}{reverse('funding:envelopes')}")
    assert page.get_by_role("heading", level=1).inner_text() != "Code de vérification"
    assert not money_page_asks_the_second_factor(page, live_server)

    page.goto(live_server.url + reverse("accounts:account"))
    assert "dernière utilisation le" in page.locator(".security-keys li").inner_text()

    # A `next` leading off the site is not followed after the key: the account page is.
    sign_out(page)
    sign_in(page, live_server, treasurer)
    page.goto(
        live_server.url + reverse("accounts:second_factor") + "?next=https://ailleurs.example/"
    )
    page.get_by_role("button", name="Utiliser ma clé de sécurité").click()
    page.wait_for_url(f"{live_server.url}{reverse('accounts:account')}")
    context.close()


def test_a_key_the_browser_no_longer_holds_is_refused_in_french_then_a_recovery_code_works(
    browser, live_server, webauthn_origin, settings
):
    settings.OTP_WEBAUTHN_TIMEOUT_SECONDS = 10
    treasurer = user_with_role(Role.RELAY_TREASURER)
    context = browser.new_context(locale="fr-FR", viewport=DESKTOP)
    context.set_default_timeout(30_000)
    page = context.new_page()
    cdp, authenticator = virtual_authenticator(page, "usb")

    sign_in(page, live_server, treasurer)
    codes = register_first_key(page, live_server)
    sign_out(page)

    cdp.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator})
    sign_in(page, live_server, treasurer)
    page.get_by_role("button", name="Utiliser ma clé de sécurité").click()
    alert = page.get_by_role("alert").filter(has_text="Votre clé n'a pas été reconnue")
    alert.wait_for()
    assert "saisissez un code ci-dessous" in alert.inner_text()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"
    expect(page.get_by_role("heading", name="Code de vérification")).to_be_visible()
    accessible(page)
    # The session is still pending: no money page.
    assert money_page_asks_the_second_factor(page, live_server)

    page.get_by_label("Code de secours").fill(codes[0])
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url(f"{live_server.url}{reverse('funding:envelopes')}")
    assert not money_page_asks_the_second_factor(page, live_server)
    context.close()


def test_without_javascript_no_key_button_and_a_recovery_code_still_works(
    browser, live_server, webauthn_origin
):
    from kenlabour.accounts import services

    treasurer = user_with_role(Role.RELAY_TREASURER)
    a_security_key(treasurer, "Clé du trousseau")
    code = services.security_key_added(treasurer, None, first=True)[0]
    context = browser.new_context(java_script_enabled=False, locale="fr-FR", viewport=DESKTOP)
    context.set_default_timeout(20_000)
    page = context.new_page()

    sign_in(page, live_server, treasurer)
    expect(page.get_by_role("heading", name="Code de vérification")).to_be_visible()
    expect(page.get_by_role("button", name="Utiliser ma clé de sécurité")).not_to_be_visible()
    assert "demande JavaScript" in page.locator("main").inner_text()
    accessible(page, scripts_off=True)
    page.get_by_label("Code de secours").fill(code)
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("heading", name="Mon compte", exact=True)).to_be_visible()
    assert "Clé du trousseau" in page.locator(".security-keys").inner_text()
    accessible(page, scripts_off=True)

    # Adding a key needs JavaScript: the page says so and shows no dead button.
    page.goto(live_server.url + reverse("accounts:security_key_add"))
    expect(page.get_by_role("button", name="Ajouter ma clé")).not_to_be_visible()
    assert "demandent JavaScript" in page.locator("main").inner_text()
    accessible(page, scripts_off=True)
    context.close()

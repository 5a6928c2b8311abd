"""Public agents sign in through their identity provider (ProConnect in production), end to
end in Chromium against a real OpenID Connect provider on 127.0.0.1 (see conftest.py)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kenlabour.accounts.models import SignInSession, User
from kenlabour.accounts.tests.oidc_provider import claims
from kenlabour.network.enums import ProfileKind
from kenlabour.network.models import Actor, Membership, Profile
from kenlabour.network.tests.factories import OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MORGANE = "morgane.legall@finistere.gouv.fr"
SIRET = claims.AGENTS[MORGANE]["siret"]


def start(page, live_server, assert_accessible):
    """From the home page to the provider's sign-in form, by the links a person follows."""
    page.goto(live_server.url + reverse("web:home"))
    page.locator("header").get_by_role("link", name="Se connecter").click()
    assert_accessible(page)
    page.get_by_role("link", name="Se connecter avec ProConnect").click()
    expect(page.get_by_role("heading", name="Fournisseur d'identité de test")).to_be_visible()


def sign_in_at_provider(page, username):
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(claims.PASSWORD)
    page.get_by_role("button", name="Continuer").click()


def main_text(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


def test_an_agent_signs_in_linked_to_her_organisation_then_signs_out(
    page, live_server, oidc_settings, assert_accessible
):
    prefecture = OrganisationFactory(name="Préfecture du Finistère", siret=SIRET)
    start(page, live_server, assert_accessible)
    sign_in_at_provider(page, MORGANE)
    page.get_by_role("button", name="Authorize").click()  # the provider's consent

    expect(page.get_by_role("heading", name="Mon compte", exact=True)).to_be_visible()
    assert_accessible(page)
    assert MORGANE in main_text(page)
    assert "fournisseur d'identité" in main_text(page)  # the session, listed with its way
    agent = User.objects.get(email=MORGANE)
    assert agent.display_name == "Morgane Le Gall"
    assert not agent.has_usable_password()
    person = Actor.objects.get(user=agent)
    assert Membership.objects.filter(person=person, group=prefecture).exists()
    assert Profile.objects.filter(
        person=person, kind=ProfileKind.PUBLIC_AGENT, organisation=prefecture
    ).exists()
    assert SignInSession.objects.get(user=agent).method == SignInSession.Method.OIDC

    # Signing out ends the provider's session too, and comes back home.
    page.locator("header").get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(re.escape(live_server.url + reverse("web:home")) + r"(\?.*)?$"))
    assert "Vous êtes déconnecté, de la plateforme et de ProConnect." in main_text(page)
    assert_accessible(page)
    page.goto(live_server.url + reverse("accounts:account"))
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    page.get_by_role("link", name="Se connecter avec ProConnect").click()
    expect(page.get_by_label("Password"), "the provider asks the password again").to_be_visible()


def test_an_existing_account_is_found_by_its_email_and_no_organisation_is_guessed(
    page, live_server, oidc_settings, assert_accessible
):
    from kenlabour.accounts.tests.factories import UserFactory

    ronan = UserFactory(email="ronan.ollivier@exemple.gouv.fr", display_name="Ronan O.")
    start(page, live_server, assert_accessible)
    sign_in_at_provider(page, "Ronan.Ollivier@exemple.gouv.fr".lower())
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", name="Mon compte", exact=True)).to_be_visible()
    assert User.objects.filter(email__iexact=ronan.email).count() == 1
    assert not Actor.objects.filter(user=ronan).exists()  # no SIRET claimed


def test_cancelling_at_the_provider_signs_nobody_in(
    page, live_server, oidc_settings, assert_accessible
):
    start(page, live_server, assert_accessible)
    sign_in_at_provider(page, MORGANE)
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    assert "Vous avez annulé la connexion chez ProConnect." in main_text(page)
    assert_accessible(page)
    assert not User.objects.filter(email=MORGANE).exists()


def test_an_answer_with_a_state_this_browser_did_not_ask_for_is_refused(
    page, live_server, oidc_settings, assert_accessible
):
    start(page, live_server, assert_accessible)  # this browser's own request has its state
    page.goto(live_server.url + reverse("accounts:oidc_callback") + "?code=forged&state=not-ours")
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    assert "Cette demande de connexion n'est plus valable" in main_text(page)
    assert_accessible(page)
    page.goto(live_server.url + reverse("accounts:account"))
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()


@pytest.mark.parametrize(
    "client_id,reason",
    [
        (claims.WRONG_AUDIENCE_CLIENT, "is meant for ['un-autre-service'], not this client"),
        (claims.EXPIRED_CLIENT, "The ID token has expired"),
    ],
)
def test_a_token_meant_for_another_service_or_expired_signs_nobody_in(
    page, live_server, oidc_settings, assert_accessible, caplog, client_id, reason
):
    oidc_settings.OIDC_RP_CLIENT_ID = client_id
    start(page, live_server, assert_accessible)
    sign_in_at_provider(page, MORGANE)  # these clients skip the consent
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    assert "ProConnect n'a pas pu confirmer votre identité" in main_text(page)
    assert not User.objects.filter(email=MORGANE).exists()
    assert reason in caplog.text  # refused for that reason, not another


def test_an_email_the_provider_has_not_verified_signs_nobody_in(
    page, live_server, oidc_settings, assert_accessible
):
    start(page, live_server, assert_accessible)
    sign_in_at_provider(page, "non.verifie@exemple.org")
    page.get_by_role("button", name="Authorize").click()
    assert "ProConnect n'a pas pu confirmer votre identité" in main_text(page)
    assert not User.objects.filter(email="non.verifie@exemple.org").exists()


def test_a_funder_signing_in_by_the_provider_still_passes_the_second_factor(
    page, live_server, oidc_settings, assert_accessible
):
    from kenlabour.accounts.enums import Role
    from kenlabour.accounts.models import RoleAssignment
    from kenlabour.accounts.tests.factories import UserFactory

    funder = UserFactory(email=MORGANE)
    RoleAssignment.objects.create(user=funder, role=Role.FUNDER)
    start(page, live_server, assert_accessible)
    sign_in_at_provider(page, MORGANE)
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url + reverse("funding:envelopes"))
    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()

"""Sign-in by identity provider, without a browser: off unless configured, a provider that
does not answer, and the SIRET link to an organisation."""

import html

import pytest
from django.urls import reverse

from kenlabour.accounts import services
from kenlabour.accounts.models import User
from kenlabour.network.models import Actor, Membership
from kenlabour.network.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_without_a_provider_the_login_page_offers_none_and_its_urls_do_not_exist(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:oidc_login") not in page
    assert client.get(reverse("accounts:oidc_login")).status_code == 404
    assert client.get(reverse("accounts:oidc_callback") + "?code=a&state=b").status_code == 404


def test_a_provider_that_does_not_answer_gets_a_french_message_not_an_error(client, settings):
    settings.OIDC_OP_ISSUER = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.OIDC_OP_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    settings.OIDC_RP_CLIENT_ID = "kenlabour"
    settings.OIDC_TIMEOUT = 2
    page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:oidc_login") in page
    response = client.get(reverse("accounts:oidc_login"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert "ProConnect ne répond pas pour le moment." in html.unescape(response.content.decode())


def test_the_siret_claimed_links_the_agent_to_that_organisation_once():
    organisation = OrganisationFactory(siret="13000548100010")
    claims = {
        "email": "Morgane.LeGall@Finistere.gouv.fr",
        "given_name": "Morgane",
        "usual_name": "Le Gall",
        "siret": "130 005 481 00010",
    }
    agent = services.sign_in_agent(claims)
    again = services.sign_in_agent(claims)
    assert agent == again and agent.email == "morgane.legall@finistere.gouv.fr"
    person = Actor.objects.get(user=agent)
    assert not person.is_public, "an agent's person record is not public without consent"
    assert Membership.objects.filter(person=person, group=organisation).count() == 1


def test_an_unknown_siret_links_nothing_and_a_malformed_one_is_ignored():
    OrganisationFactory(siret="13000548100010")
    for siret in ["35600000000048", "123", "pas-un-siret"]:
        services.sign_in_agent({"email": f"agent{len(siret)}@exemple.gouv.fr", "siret": siret})
    assert not Actor.objects.filter(user__isnull=False).exists()
    assert User.objects.count() == 3

"""Security keys and passkeys (WebAuthn, django-otp-webauthn) as a second factor: the
account page's list, removal, the middleware's doors before verification, the ceremonies'
rules, the settings, and the person's data (download and erasure). The ceremonies
themselves run in Chromium's virtual authenticator (test_security_keys_browser.py)."""

import base64
import json
import os

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential, WebAuthnUserHandle

from kenlabour import config
from kenlabour.accounts import middleware, second_factor, services
from kenlabour.accounts.enums import Role
from kenlabour.accounts.tests.factories import PASSWORD, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def a_security_key(user, name: str = "Clé USB du bureau") -> WebAuthnCredential:
    """A key as django-otp-webauthn stores it after a registration (its bytes made up)."""
    credential_id = os.urandom(32)
    return WebAuthnCredential.objects.create(
        user=user,
        name=name,
        confirmed=True,
        credential_id=credential_id,
        public_key=b"\xa5" + os.urandom(64),
        sign_count=0,
        aaguid="00000000-0000-0000-0000-000000000000",
        transports=["usb"],
    )


def sign_in(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return response


def verified(client) -> bool:
    return second_factor.is_verified(client.session)


# --- Account page: the list -----------------------------------------------------------


def test_the_account_page_lists_ones_own_keys_with_their_dates(client):
    person = UserFactory()
    a_security_key(person, "Clé USB du bureau")
    a_security_key(UserFactory(), "Clé d'une autre personne")
    client.force_login(person)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "Clé USB du bureau" in page
    assert "jamais utilisée" in page
    assert "Clé d&#x27;une autre personne" not in page
    assert "Clé d'une autre personne" not in page
    assert reverse("accounts:security_key_add") in page


def test_a_key_name_is_escaped_on_the_account_page(client):
    person = UserFactory()
    a_security_key(person, "<script>alert(1)</script>")
    client.force_login(person)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- Removal --------------------------------------------------------------------------


def test_removing_a_key_asks_a_confirmation_then_removes_it(client):
    person = UserFactory()
    key = a_security_key(person)
    other = a_security_key(person, "Téléphone")
    client.force_login(person)
    url = reverse("accounts:security_key_remove", args=[key.pk])
    page = client.post(url)
    assert page.status_code == 200
    assert "Retirer une clé de sécurité" in page.content.decode()
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()
    response = client.post(url, {"confirmation": "1"})
    assert response.status_code == 302
    assert not WebAuthnCredential.objects.filter(pk=key.pk).exists()
    assert WebAuthnCredential.objects.filter(pk=other.pk).exists()


def test_nobody_removes_the_key_of_another_person(client):
    key = a_security_key(UserFactory())
    client.force_login(UserFactory())
    response = client.post(
        reverse("accounts:security_key_remove", args=[key.pk]), {"confirmation": "1"}
    )
    assert response.status_code == 404
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()


def test_removing_is_a_post_only(client):
    person = UserFactory()
    key = a_security_key(person)
    client.force_login(person)
    response = client.get(reverse("accounts:security_key_remove", args=[key.pk]))
    assert response.status_code == 405
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()


def test_the_last_factor_of_a_treasurer_stays(client):
    treasurer = user_with_role(Role.RELAY_TREASURER)
    key = a_security_key(treasurer)
    client.force_login(treasurer)
    response = client.post(
        reverse("accounts:security_key_remove", args=[key.pk]), {"confirmation": "1"}, follow=True
    )
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()
    assert "C&#x27;est votre dernier second facteur" in response.content.decode()


def test_a_treasurer_with_an_application_may_remove_a_key(client):
    treasurer = user_with_role(Role.RELAY_TREASURER)
    TOTPDevice.objects.create(user=treasurer, name="app", confirmed=True)
    key = a_security_key(treasurer)
    client.force_login(treasurer)
    client.post(reverse("accounts:security_key_remove", args=[key.pk]), {"confirmation": "1"})
    assert not WebAuthnCredential.objects.filter(pk=key.pk).exists()


def test_removing_the_last_key_of_someone_free_turns_the_second_factor_off(client):
    person = UserFactory()
    key = a_security_key(person)
    codes = services.security_key_added(person, key, first=True)
    assert len(codes) == 10
    client.force_login(person)
    assert verified(client)
    client.post(reverse("accounts:security_key_remove", args=[key.pk]), {"confirmation": "1"})
    assert not WebAuthnCredential.objects.filter(user=person).exists()
    assert not StaticToken.objects.filter(device__user=person).exists()
    assert second_factor.SESSION_KEY not in client.session


def test_turning_the_second_factor_off_removes_the_keys_too(client):
    person = UserFactory()
    a_security_key(person)
    client.force_login(person)
    client.post(reverse("accounts:second_factor_remove"), {"confirmation": "1"})
    assert not WebAuthnCredential.objects.filter(user=person).exists()


def test_the_service_refuses_another_actor():
    from django.core.exceptions import PermissionDenied

    key = a_security_key(UserFactory())
    with pytest.raises(PermissionDenied):
        services.remove_security_key(UserFactory(), key)


# --- Recovery codes on the first factor, whichever kind -------------------------------


def test_recovery_codes_come_with_the_first_factor_only():
    person = UserFactory()
    first = services.security_key_added(person, a_security_key(person), first=True)
    assert len(first) == 10
    assert services.security_key_added(person, a_security_key(person), first=False) == []
    assert StaticDevice.objects.get(user=person).token_set.count() == 10


# --- Sign-in: a key counts as a second factor -----------------------------------------


def test_a_person_with_only_a_key_is_asked_for_it_after_the_password(client):
    person = UserFactory()
    a_security_key(person)
    sign_in(client, person)
    assert second_factor.is_pending(client.session)
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor"))
    page = client.get(reverse("accounts:second_factor")).content.decode()
    assert "Utiliser ma clé de sécurité" in page
    assert 'data-webauthn="authenticate"' in page
    # Hidden until the script finds WebAuthn: never a dead button without JavaScript.
    form = page[page.index('data-webauthn="authenticate"') :]
    assert form[: form.index(">")].rstrip().endswith("hidden")
    assert "Code de secours" in page


def test_the_verification_page_offers_no_key_to_a_person_without_one(client):
    person = user_with_role(Role.RELAY_TREASURER)
    TOTPDevice.objects.create(user=person, name="app", confirmed=True)
    sign_in(client, person)
    page = client.get(reverse("accounts:second_factor")).content.decode()
    assert "Utiliser ma clé de sécurité" not in page


def test_the_enrolment_page_offers_a_key_for_the_first_factor(client):
    treasurer = user_with_role(Role.RELAY_TREASURER)
    sign_in(client, treasurer)
    page = client.get(reverse("accounts:second_factor_setup")).content.decode()
    assert 'data-webauthn="register"' in page
    assert "Nom de la clé" in page


# --- The middleware's doors before verification ---------------------------------------


def test_only_the_key_ceremonies_are_added_to_the_doors_before_verification():
    allowed = set(middleware.ALLOWED)
    assert allowed == {
        "accounts:logout",
        "accounts:second_factor",
        "accounts:second_factor_setup",
        "accounts:webauthn_auth_begin",
        "accounts:webauthn_auth_complete",
        "accounts:webauthn_register_begin",
        "accounts:webauthn_register_complete",
        "set_language",
        "web:theme_css",
    }


def test_before_verification_the_key_pages_are_closed(client):
    person = UserFactory()
    key = a_security_key(person)
    sign_in(client, person)
    for response in (
        client.get(reverse("accounts:security_key_add")),
        client.post(reverse("accounts:security_key_remove", args=[key.pk]), {"confirmation": "1"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:second_factor"))
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()


def test_a_pending_session_may_begin_a_key_verification(client):
    person = UserFactory()
    key = a_security_key(person)
    sign_in(client, person)
    response = client.post(
        reverse("accounts:webauthn_auth_begin"), "{}", content_type="application/json"
    )
    assert response.status_code == 200
    options = response.json()
    assert options["rpId"] == "localhost"
    expected = base64.urlsafe_b64encode(bytes(key.credential_id)).decode().rstrip("=")
    assert [c["id"] for c in options["allowCredentials"]] == [expected]
    assert not verified(client)


def test_nobody_signed_out_begins_a_key_verification(client):
    response = client.post(
        reverse("accounts:webauthn_auth_begin"), "{}", content_type="application/json"
    )
    assert response.status_code == 403
    assert "otp_webauthn_authentication_state" not in client.session


def test_a_refused_assertion_leaves_the_session_pending(client):
    person = UserFactory()
    a_security_key(person)
    sign_in(client, person)
    client.post(reverse("accounts:webauthn_auth_begin"), "{}", content_type="application/json")
    forged = {
        "id": "AAAA",
        "rawId": "AAAA",
        "type": "public-key",
        "response": {"authenticatorData": "AAAA", "clientDataJSON": "AAAA", "signature": "AAAA"},
    }
    response = client.post(
        reverse("accounts:webauthn_auth_complete"),
        json.dumps(forged),
        content_type="application/json",
    )
    assert response.status_code in {400, 403, 404}
    assert second_factor.is_pending(client.session)


def test_a_person_with_a_factor_registers_a_key_only_once_verified(client):
    person = UserFactory()
    a_security_key(person)
    sign_in(client, person)
    url = reverse("accounts:webauthn_register_begin")
    refused = client.post(url, '{"name": "Téléphone"}', content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "user_not_verified"
    session = client.session
    second_factor.mark_verified(session)
    session.save()
    allowed = client.post(url, '{"name": "Téléphone"}', content_type="application/json")
    assert allowed.status_code == 200
    assert allowed.json()["rp"]["id"] == "localhost"
    assert client.session["kenlabour_webauthn_name"] == "Téléphone"


def test_a_treasurer_without_a_factor_may_register_a_first_key(client):
    treasurer = user_with_role(Role.RELAY_TREASURER)
    sign_in(client, treasurer)
    response = client.post(
        reverse("accounts:webauthn_register_begin"),
        json.dumps({"name": "  Clé   USB du bureau " + "x" * 80}),
        content_type="application/json",
    )
    assert response.status_code == 200
    name = client.session["kenlabour_webauthn_name"]
    assert name.startswith("Clé USB du bureau x")
    assert len(name) == 64


def test_registration_needs_a_signed_in_person(client):
    response = client.post(
        reverse("accounts:webauthn_register_begin"), "{}", content_type="application/json"
    )
    assert response.status_code == 403


# --- Settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "party"),
    [
        (
            "https://kenlabour.example.org",
            ("kenlabour.example.org", "https://kenlabour.example.org"),
        ),
        ("https://lab.example.fr:8443/", ("lab.example.fr", "https://lab.example.fr:8443")),
        ("http://127.0.0.1:8000", ("localhost", "http://localhost:8000")),
        ("http://[::1]:8000", ("localhost", "http://localhost:8000")),
    ],
)
def test_the_relying_party_comes_from_the_public_address(url, party):
    assert config.webauthn_party(url) == party


# --- Personal data ----------------------------------------------------------------------


def test_the_download_lists_the_keys_by_name_and_dates_never_their_bytes():
    from kenlabour.privacy import selectors

    person = UserFactory()
    key = a_security_key(person, "Clé USB du bureau")
    WebAuthnUserHandle.get_handle_for_user(person)
    data = selectors.personal_data(person)
    sections = {section["key"]: section for section in data["sections"]}
    keys = sections["django_otp_webauthn.webauthncredential.user"]["records"]
    fields = {f["name"]: f["value"] for f in keys[0]["fields"]}
    assert fields["name"] == "Clé USB du bureau"
    assert "created_at" in fields
    assert "last_used_at" in fields
    for secret in ("public_key", "credential_id", "credential_id_sha256", "sign_count"):
        assert secret not in fields
    handle = sections["django_otp_webauthn.webauthnuserhandle.user"]["records"][0]
    assert {f["name"] for f in handle["fields"]} == {"user"}
    assert key.public_key.hex() not in json.dumps(data, default=str)


def test_erasure_deletes_the_keys_and_the_handle():
    from kenlabour.privacy import services as privacy

    person = UserFactory()
    key = a_security_key(person)
    WebAuthnUserHandle.get_handle_for_user(person)
    kept = a_security_key(UserFactory())
    privacy.erase(person, person)
    assert not WebAuthnCredential.objects.filter(pk=key.pk).exists()
    assert not WebAuthnUserHandle.objects.filter(user=person).exists()
    assert WebAuthnCredential.objects.filter(pk=kept.pk).exists()


# --- Admin ------------------------------------------------------------------------------


def test_the_admin_shows_keys_read_only(admin_client):
    key = a_security_key(UserFactory())
    url = reverse("admin:django_otp_webauthn_webauthncredential_change", args=[key.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    response = admin_client.post(url, {"name": "renommée", "user": key.user_id})
    assert response.status_code == 403
    key.refresh_from_db()
    assert key.name == "Clé USB du bureau"
    add = admin_client.get(reverse("admin:django_otp_webauthn_webauthncredential_add"))
    assert add.status_code == 403


def test_a_deployment_whose_key_origin_is_not_https_fails_its_checks():
    from kenlabour.web.tests.test_settings import PRODUCTION, manage

    result = manage(
        "check",
        "--deploy",
        **{
            **PRODUCTION,
            "PLATFORM_URL": "https://kenlabour.example.org",
            "WEBAUTHN_ORIGINS": "http://kenlabour.example.org",
        },
    )
    assert result.returncode != 0
    assert "otp_webauthn.E031" in result.stderr + result.stdout
    good = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **{**PRODUCTION, "PLATFORM_URL": "https://kenlabour.example.org"},
    )
    assert good.returncode == 0, good.stdout + good.stderr

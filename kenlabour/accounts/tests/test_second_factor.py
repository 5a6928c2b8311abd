"""The second factor: required for those who move money or administer, optional for others.

Codes are made by pyotp from the secret the page shows (or the one stored), as a phone's
authentication application would make them; the library that checks them is django-otp.
"""

import html
import re
import time
from base64 import b32encode

import pyotp
import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import totp_code
from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment
from kenlabour.accounts.tests.factories import PASSWORD, UserFactory, user_with_role
from kenlabour.funding import urls as funding_urls

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:second_factor_setup")
CHECK = reverse("accounts:second_factor")


def sign_in(client, user):
    """Through the login form, as a person does (not force_login)."""
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302, "the password was refused"
    return response


def text(response) -> str:
    return html.unescape(response.content.decode())


def funding_paths() -> list[str]:
    """One path per URL of the funding app (money pages), with made-up arguments: the
    second factor is asked before the page looks for its object."""
    paths = []
    for pattern in funding_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        arguments = re.findall(r"<(?:(\w+):)?(\w+)>", str(pattern.pattern))
        kwargs = {name: 1 if kind == "int" else "x" for kind, name in arguments}
        paths.append(reverse(f"funding:{pattern.name}", kwargs=kwargs))
    return paths


def enrol(client) -> list[str]:
    """Enrol an application from the setup page's secret; returns the recovery codes shown."""
    page = client.get(SETUP).content.decode()
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    response = client.post(SETUP, {"code": pyotp.TOTP(secret).now()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:recovery_codes")
    codes = re.findall(r"<code>([a-z2-7]{8})</code>", response.content.decode())
    assert len(codes) == 10
    return codes


@pytest.mark.parametrize("role", [Role.RELAY_TREASURER, Role.FUNDER, Role.PLATFORM_ADMIN])
def test_a_money_or_admin_role_reaches_no_money_page_before_enrolling(client, role):
    user = user_with_role(role)
    sign_in(client, user)
    for path in [*funding_paths(), reverse("web:home"), reverse("accounts:account")]:
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, path
            assert response["Location"].startswith(SETUP), path
    # What stays open: the enrolment page itself and signing out.
    assert client.get(SETUP).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 200


def test_a_superuser_enrols_before_the_administration(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    sign_in(client, user)
    assert client.get("/admin/")["Location"].startswith(SETUP)


def test_once_enrolled_the_treasurer_reaches_money_pages_and_is_asked_the_code_next_time(
    client,
):
    user = user_with_role(Role.RELAY_TREASURER)
    sign_in(client, user)
    codes = enrol(client)
    assert client.get(reverse("funding:envelopes")).status_code == 200

    other = Client()
    response = sign_in(other, user)
    assert other.get(response["Location"])["Location"].startswith(CHECK)
    assert other.get(reverse("funding:envelopes"))["Location"].startswith(CHECK)
    assert other.get(SETUP)["Location"].startswith(CHECK), "a new application needs the code"

    wrong = other.post(CHECK, {"code": "000000"})
    assert "Ce code n'est pas le bon ou a déjà servi." in text(wrong)
    assert other.get(reverse("funding:envelopes")).status_code == 302

    time.sleep(1.1)  # django-otp makes the next try wait a second after a wrong code
    response = other.post(CHECK, {"code": codes[0], "next": reverse("funding:envelopes")})
    assert response["Location"] == reverse("funding:envelopes")
    assert other.get(reverse("funding:envelopes")).status_code == 200


def test_a_code_serves_once_and_a_recovery_code_too(client):
    user = user_with_role(Role.FUNDER)
    sign_in(client, user)
    codes = enrol(client)
    used = totp_code(user)
    first, second = Client(), Client()
    sign_in(first, user)
    assert first.post(CHECK, {"code": used})["Location"] == reverse("accounts:account")
    sign_in(second, user)
    refused = second.post(CHECK, {"code": used})
    assert refused.status_code == 200, "a code already used opens nothing"
    time.sleep(1.1)
    # A recovery code, typed with a dash and in capitals, works once.
    typed = f"{codes[3][:4]}-{codes[3][4:]}".upper()
    assert second.post(CHECK, {"code": typed}).status_code == 302
    third = Client()
    sign_in(third, user)
    assert third.post(CHECK, {"code": codes[3]}).status_code == 200


def test_repeated_wrong_codes_make_the_person_wait(client):
    user = user_with_role(Role.RELAY_TREASURER)
    sign_in(client, user)
    enrol(client)
    other = Client()
    sign_in(other, user)
    other.post(CHECK, {"code": "111111"})
    response = other.post(CHECK, {"code": totp_code(user)})
    assert "Trop d'essais : attendez" in text(response)
    assert other.get(reverse("funding:envelopes")).status_code == 302


def test_a_wrong_code_at_enrolment_is_refused_at_the_field_and_enrols_nothing(client):
    user = user_with_role(Role.RELAY_TREASURER)
    sign_in(client, user)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "12"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Ce code ne correspond pas." in content
    assert 'href="#id_code"' in content  # the error links to its field
    assert not TOTPDevice.objects.filter(user=user).exists()
    empty = client.post(SETUP, {"code": ""})
    assert "Saisissez le code affiché par l'application." in text(empty)


def test_the_second_factor_is_optional_for_others_and_asked_once_chosen(client):
    user = user_with_role(Role.LAB_FACILITATOR)
    sign_in(client, user)
    assert client.get(reverse("lab:workshops")).status_code == 200
    account = client.get(reverse("accounts:account")).content.decode()
    assert "Facultative pour vous" in account
    enrol(client)

    other = Client()
    sign_in(other, user)
    assert other.get(reverse("lab:workshops"))["Location"].startswith(CHECK)
    other.post(CHECK, {"code": totp_code(user)})
    # She may turn it off again (after a confirmation step); a treasurer may not.
    assert other.post(reverse("accounts:second_factor_remove")).status_code == 200
    other.post(reverse("accounts:second_factor_remove"), {"confirmation": "1"})
    assert not TOTPDevice.objects.filter(user=user).exists()
    third = Client()
    sign_in(third, user)
    assert third.get(reverse("lab:workshops")).status_code == 200


def test_a_treasurer_cannot_turn_the_second_factor_off(client):
    user = user_with_role(Role.RELAY_TREASURER)
    sign_in(client, user)
    enrol(client)
    response = client.post(
        reverse("accounts:second_factor_remove"), {"confirmation": "1"}, follow=True
    )
    assert "exigent un second facteur" in text(response)
    assert TOTPDevice.objects.filter(user=user).exists()


def test_renewed_recovery_codes_replace_the_old_ones(client):
    user = user_with_role(Role.FUNDER)
    sign_in(client, user)
    old = enrol(client)
    response = client.post(reverse("accounts:recovery_codes"), {"confirmation": "1"}, follow=True)
    new = re.findall(r"<code>([a-z2-7]{8})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    # Shown once: the page shows them no more.
    again = client.get(reverse("accounts:recovery_codes")).content.decode()
    assert not re.findall(r"<code>([a-z2-7]{8})</code>", again)
    assert "Il vous en reste 10." in again
    other = Client()
    sign_in(other, user)
    assert other.post(CHECK, {"code": old[0]}).status_code == 200
    time.sleep(1.1)
    assert other.post(CHECK, {"code": new[0]}).status_code == 302


def test_a_role_granted_during_a_session_asks_for_the_second_factor(client):
    user = UserFactory()
    sign_in(client, user)
    assert client.get(reverse("funding:envelopes")).status_code == 200
    RoleAssignment.objects.create(user=user, role=Role.FUNDER)
    assert client.get(reverse("funding:envelopes"))["Location"].startswith(SETUP)


def test_the_setup_secret_is_the_one_a_phone_scans(client):
    """The QR code and the link carry the secret written on the page, for this account."""
    user = user_with_role(Role.FUNDER)
    sign_in(client, user)
    page = client.get(SETUP).content.decode()
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert f"secret={secret}" in page
    assert 'src="data:image/svg+xml;base64,' in page
    client.post(SETUP, {"code": pyotp.TOTP(secret).now()})
    device = TOTPDevice.objects.get(user=user)
    assert b32encode(device.bin_key).decode() == secret

"""Open sessions, listed on the account page and closed from it; passwords too common."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from kenlabour.accounts.models import SignInSession
from kenlabour.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def sign_in(user, user_agent) -> Client:
    client = Client(HTTP_USER_AGENT=user_agent)
    client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    return client


def test_the_account_page_lists_the_sessions_and_closes_one_left_open():
    anne = UserFactory()
    phone, desktop = sign_in(anne, PHONE), sign_in(anne, DESKTOP)
    page = html.unescape(desktop.get(reverse("accounts:account")).content.decode())
    assert "Chrome — Android" in page
    assert "Firefox — Linux" in page
    assert "cette session" in page
    on_phone = SignInSession.objects.get(user=anne, user_agent=PHONE)
    response = desktop.post(reverse("accounts:session_close", args=[on_phone.pk]), follow=True)
    assert "La session est fermée" in html.unescape(response.content.decode())
    # The phone is signed out; the desktop is not.
    assert phone.get(reverse("accounts:account"))["Location"].startswith(reverse("accounts:login"))
    assert desktop.get(reverse("accounts:account")).status_code == 200
    assert not SignInSession.objects.filter(pk=on_phone.pk).exists()


def test_a_person_cannot_close_another_persons_session():
    anne, yann = UserFactory(), UserFactory()
    sign_in(anne, PHONE)
    yanns = sign_in(yann, DESKTOP)
    annes = SignInSession.objects.get(user=anne)
    assert yanns.post(reverse("accounts:session_close", args=[annes.pk])).status_code == 404
    assert SignInSession.objects.filter(pk=annes.pk).exists()


def test_the_current_session_is_closed_by_signing_out_not_from_the_list():
    anne = UserFactory()
    client = sign_in(anne, DESKTOP)
    mine = SignInSession.objects.get(user=anne)
    client.post(reverse("accounts:session_close", args=[mine.pk]))
    assert client.get(reverse("accounts:account")).status_code == 200


def test_a_session_stays_listed_after_a_password_change():
    anne = UserFactory()
    client = sign_in(anne, DESKTOP)
    new = "une phrase de passe toute neuve"
    client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    listed = SignInSession.objects.get(user=anne)
    assert listed.session_key == client.session.session_key


def test_signing_out_takes_the_session_off_the_list():
    anne = UserFactory()
    client = sign_in(anne, DESKTOP)
    other = sign_in(anne, PHONE)
    client.post(reverse("accounts:logout"))
    page = html.unescape(other.get(reverse("accounts:account")).content.decode())
    assert "Firefox — Linux" not in page


@pytest.mark.parametrize("common", ["telechargement", "qwerty123456"])
def test_a_common_password_is_refused_at_change_with_a_french_message(client, common):
    anne = UserFactory()
    client.force_login(anne)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": common, "new_password2": common},
    )
    assert response.status_code == 200
    assert "Ce mot de passe est trop courant." in html.unescape(response.content.decode())
    anne.refresh_from_db()
    assert anne.check_password(PASSWORD)


def test_a_common_password_is_refused_when_resetting_it(client):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    anne = UserFactory()
    url = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(anne.pk)),
            "token": default_token_generator.make_token(anne),
        },
    )
    form_url = client.get(url)["Location"]
    response = client.post(
        form_url, {"new_password1": "telechargement", "new_password2": "telechargement"}
    )
    assert "Ce mot de passe est trop courant." in html.unescape(response.content.decode())
    anne.refresh_from_db()
    assert anne.check_password(PASSWORD)

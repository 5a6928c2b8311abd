import re

import pytest
from django.core import mail
from django.urls import reverse

from kenlabour.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_login_with_email_and_password_opens_the_account(client):
    user = UserFactory(email="anne@exemple.bzh")
    response = login(client, "Anne@Exemple.bzh ", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("accounts:account")
    assert client.get(reverse("accounts:account")).context["user"] == user


@pytest.mark.parametrize(
    "email,password", [("anne@exemple.bzh", "faux"), ("inconnu@exemple.bzh", PASSWORD)]
)
def test_wrong_password_and_unknown_email_get_the_same_clear_message(client, email, password):
    UserFactory(email="anne@exemple.bzh")
    response = login(client, email, password)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Adresse e-mail ou mot de passe incorrect" in content
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_login_even_with_the_right_password(client, settings):
    UserFactory(email="anne@exemple.bzh")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "anne@exemple.bzh", "mauvais")
    response = login(client, "anne@exemple.bzh", PASSWORD)
    assert response.status_code == 429
    assert "Trop d'essais de connexion" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_limit_resets_the_count(client, settings):
    UserFactory(email="anne@exemple.bzh")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "anne@exemple.bzh", "mauvais")
    assert login(client, "anne@exemple.bzh", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "anne@exemple.bzh", "mauvais")
    assert login(client, "anne@exemple.bzh", PASSWORD).status_code == 302


def test_logout_is_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_account_page_requires_login(client):
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_password_reset_by_email_lets_the_person_choose_a_new_password(client):
    UserFactory(email="anne@exemple.bzh")
    response = client.post(reverse("accounts:password_reset"), {"email": "anne@exemple.bzh"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anne@exemple.bzh"]
    link = re.search(r"http://testserver(/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    new_password = "une toute nouvelle phrase"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert login(client, "anne@exemple.bzh", new_password).status_code == 302


def test_password_reset_for_an_unknown_email_sends_nothing_and_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "personne@exemple.bzh"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_a_used_or_forged_reset_link_is_refused_clearly(client):
    response = client.get(
        reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "faux-123"})
    )
    assert "Ce lien n'est plus valable" in response.content.decode()


def test_the_account_page_saves_the_display_name(client):
    user = UserFactory(display_name="Anne")
    client.force_login(user)
    response = client.post(reverse("accounts:account"), {"display_name": "  Anne Le Goff "})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Anne Le Goff"


def test_passwords_are_hashed_with_argon2():
    user = UserFactory()
    assert user.password.startswith("argon2$")

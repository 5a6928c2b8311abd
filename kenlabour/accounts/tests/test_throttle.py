"""The password reset is rate-limited per e-mail address and per client address, with the
same French answer whether an account has the address or not."""

import pytest
from django.core import mail
from django.urls import reverse

from kenlabour.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REFUSED = "Trop de demandes de nouveau mot de passe"


def ask(client, email, address="192.0.2.10"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=address)


@pytest.mark.parametrize("has_account", [True, False])
def test_a_fourth_request_for_one_address_within_the_hour_is_refused(client, settings, has_account):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    email = UserFactory().email if has_account else "personne@inconnue.bzh"
    for n in range(3):
        assert ask(client, email, address=f"192.0.2.{n}").status_code == 302
    sent = len(mail.outbox)

    refused = ask(client, email, address="192.0.2.99")

    assert refused.status_code == 200
    assert REFUSED in refused.content.decode()
    assert len(mail.outbox) == sent  # nothing more sent
    assert mail.outbox == [] or has_account  # an unknown address never gets mail


def test_one_client_trying_many_addresses_is_refused(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 5
    for n in range(5):
        assert ask(client, f"essai{n}@exemple.bzh").status_code == 302
    refused = ask(client, "essai-suivant@exemple.bzh")
    assert REFUSED in refused.content.decode()
    # Another client is not held back.
    assert ask(client, "essai-suivant@exemple.bzh", address="198.51.100.7").status_code == 302


def test_the_answer_does_not_tell_whether_the_address_has_an_account(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 1
    known = UserFactory().email
    ask(client, known, "192.0.2.1")
    ask(client, "inconnue@exemple.bzh", "192.0.2.2")
    for_known = ask(client, known, "192.0.2.3")
    for_unknown = ask(client, "inconnue@exemple.bzh", "192.0.2.4")
    assert for_known.status_code == for_unknown.status_code == 200
    assert for_known.context["form"].errors == for_unknown.context["form"].errors
    assert REFUSED in for_known.context["form"].errors["email"][0]

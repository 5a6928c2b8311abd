"""The demo's accounts: those whose roles require a second factor can be used with the
secrets the demo prints; every account has a session left open to close."""

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from kenlabour.accounts import demo
from kenlabour.accounts.models import SignInSession, User

pytestmark = pytest.mark.django_db


def test_the_printed_secret_of_a_demo_account_opens_it_after_its_password():
    demo.build(lambda _line: None)
    demo.build(lambda _line: None)  # idempotent: run it as often as you like
    client = Client()
    client.post(
        reverse("accounts:login"),
        {"username": "tresorier@kenlabour.example", "password": demo.DEMO_PASSWORD},
    )
    assert client.get(reverse("accounts:account"))["Location"].startswith(
        reverse("accounts:second_factor")
    )
    code = pyotp.TOTP(demo.DEMO_TOTP_SECRETS["tresorier@kenlabour.example"]).now()
    client.post(reverse("accounts:second_factor"), {"code": code})
    page = client.get(reverse("accounts:account")).content.decode()
    assert "Chrome — Android" in page  # the session the demo left open on a phone
    assert SignInSession.objects.filter(user__email="tresorier@kenlabour.example").count() == 2


def test_the_demo_command_prints_the_secrets():
    from io import StringIO

    from django.core.management import call_command

    from kenlabour.web.management.commands import demo as command

    out = StringIO()
    # Only the accounts part: the other builders are tested with the whole demo.
    builders = command.BUILDERS
    command.BUILDERS = ["kenlabour.accounts.demo:build"]
    try:
        call_command("demo", stdout=out)
    finally:
        command.BUILDERS = builders
    accounts = {email for email, *_rest in demo.DEMO_ACCOUNTS}
    for email, secret in demo.DEMO_TOTP_SECRETS.items():
        if email not in accounts:  # another demo's account (the funding demo's treasurers)
            assert email not in out.getvalue()
            continue
        assert f"{email:32} {secret}" in out.getvalue()
        assert User.objects.get(email=email).totpdevice_set.filter(confirmed=True).exists()

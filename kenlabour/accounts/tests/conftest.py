"""The test identity provider (OpenID Connect), started once per test session."""

import copy
import socket
import subprocess
import sys
import time

import pytest
import requests

from kenlabour.accounts.tests.oidc_provider import claims


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    """A real OpenID Connect provider (django-oauth-toolkit) in its own process on
    127.0.0.1, whose clients send the agents back to the live server. Its issuer URL."""
    from django.urls import reverse

    port = _free_port()
    callback = live_server.url + reverse("accounts:oidc_callback")
    directory = tmp_path_factory.mktemp("oidc-provider")
    log = open(directory / "server.log", "w")  # noqa: SIM115 - closed below
    after_logout = live_server.url + reverse("web:home")
    command = [sys.executable, "-m", "kenlabour.accounts.tests.oidc_provider.serve"]
    process = subprocess.Popen(
        [*command, str(port), callback, str(directory), after_logout],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    issuer = f"http://127.0.0.1:{port}/o"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.close()
            pytest.fail((directory / "server.log").read_text()[-3000:], pytrace=False)
        time.sleep(0.2)
    yield issuer
    process.terminate()
    process.wait(10)
    log.close()


@pytest.fixture
def oidc_settings(settings, oidc_provider):
    """Kenlabour set up for the test provider, as docs/deploy.md sets it up for ProConnect."""
    settings.OIDC_OP_ISSUER = oidc_provider
    settings.OIDC_OP_DISCOVERY_URL = f"{oidc_provider}/.well-known/openid-configuration"
    settings.OIDC_RP_CLIENT_ID = claims.CLIENT
    settings.OIDC_RP_CLIENT_SECRET = claims.CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "ProConnect"
    settings.OIDC_EMAILS_VERIFIED = False
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(oidc_provider.removesuffix("/o"))
    settings.CONTENT_SECURITY_POLICY = policy
    return settings

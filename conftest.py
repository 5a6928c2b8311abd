"""Fixtures shared by every app's tests: the real browser (Debian's Chromium driven by
Playwright), axe-core, and logged-in sessions."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make alongside it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_SOURCE = Path(__file__).parent / "kenlabour/web/static/vendor/axe-core/axe.min.js"


@pytest.fixture(scope="session", autouse=True)
def keep_the_gazetteer_between_transactional_tests():
    """Browser tests need a transactional database (the live server answers from another
    thread), and Django empties every table after such a test, including the gazetteer that
    a migration loaded (35,000 communes, read-only in tests). Flushing all tables but the
    gazetteer's keeps it, instead of reloading it after every browser test."""
    from django.core.management.commands import flush

    def sql_flush_but_gazetteer(style, connection, reset_sequences=True, allow_cascade=False):
        tables = [
            table
            for table in connection.introspection.django_table_names(
                only_existing=True, include_views=False
            )
            if not table.startswith("territories_")
        ]
        return connection.ops.sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )

    original = flush.sql_flush
    flush.sql_flush = sql_flush_but_gazetteer
    yield
    flush.sql_flush = original


@pytest.fixture(scope="session", autouse=True)
def force_login_passes_the_second_factor():
    """`Client.force_login` stands for a whole sign-in: the password and, for a person who
    has or must have one, the second factor (kenlabour.accounts.middleware). The tests of
    the second factor itself sign in through the forms, as a person does; `sign_in_totp`
    below passes a form sign-in's second factor."""
    from django.test import Client

    from kenlabour.accounts import second_factor

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        second_factor.mark_verified(session)
        session.save()

    Client.force_login = force_login
    yield
    Client.force_login = original


def totp_code(user) -> str:
    """The code the person's authentication application shows now, from its stored secret
    (by pyotp, not by the library that checks it); the next period's code when this one has
    been used already (codes are accepted one period early or late, and only once)."""
    import time
    from base64 import b32encode

    import pyotp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = pyotp.TOTP(b32encode(device.bin_key).decode(), interval=device.step)
    while device.last_t > int(time.time()) // device.step:  # both early codes used
        time.sleep(1)
    period = max(int(time.time()) // device.step, device.last_t + 1)
    return totp.at(period * device.step)


@pytest.fixture(scope="session", autouse=True)
def media_in_a_temporary_directory(tmp_path_factory):
    """Files the tests store (the demo's workshop documents and receipts, uploads) go to a
    temporary directory, not to the working copy's."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the rate limits one test uses up (the password
    reset's, per client address) do not refuse the next test's requests."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.exit(
            f"Chromium est introuvable ({CHROMIUM}) : lancez « make browser » ou installez "
            "le paquet Debian chromium.",
            returncode=3,
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


# In a page whose scripts are off, Chromium still runs what the test evaluates, but fires no
# timer: axe-core, which yields with setTimeout between rules, would wait for ever. Its
# timers then run as promise callbacks instead.
TIMERS_AS_PROMISES = """() => {
  window.setTimeout = (callback, _delay, ...args) => {
    Promise.resolve().then(() => callback(...args));
    return 0;
  };
  window.clearTimeout = () => {};
}"""


def axe_violations(page, *, scripts_off: bool = False) -> list[dict]:
    """Run axe-core (all its rules) on the page as it is now; return the violations.
    `scripts_off`: the page's context has JavaScript disabled."""
    # After a click that opens another page, axe-core runs on the page it opened, loaded.
    page.wait_for_load_state("load")
    if scripts_off:
        page.evaluate(TIMERS_AS_PROMISES)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(
            f"    {node['target']}: {node['failureSummary']}" for node in violation["nodes"]
        )
    return "\n".join(lines)


@pytest.fixture
def assert_accessible():
    def check(page):
        violations = axe_violations(page)
        assert not violations, f"axe-core on {page.url}:\n" + describe_violations(violations)

    return check


@pytest.fixture
def login_browser(live_server):
    """Log a user into a browser context by giving it a real session cookie."""
    from django.test import Client

    def login(context, user):
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )

    return login


# --- The demo as a test fixture (shared/DESIGN.md §6: the demo is the test) ---------------


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """The real Brittany demo (`manage.py demo`), built once for a test module and committed,
    so that a live server on another connection sees it; emptied afterwards (but for the
    gazetteer), so that the tests that follow find the database as they expect it. Its
    value is what the command printed."""
    import io

    from django.core.management import call_command
    from django.db import connection

    # pytest-django sets up the test database only for a run that selects a test marked
    # django_db: without one, this would build (and then empty) the real database.
    if not str(connection.settings_dict["NAME"]).startswith(("test_", "file:memorydb")):
        pytest.fail("a module that uses the demo must be marked django_db", pytrace=False)
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("demo", stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def demo_server(demo_site, django_db_blocker):
    """A live server of its own over the demo, outside any test transaction: the demo
    stays committed between the tests of a module (pytest-django's `live_server` would
    empty the database after each test)."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost:0")
    server._live_server_modified_settings.enable()
    yield server
    server._live_server_modified_settings.disable()
    server.stop()


@pytest.fixture(scope="module")
def demo_sessions(demo_site, django_db_blocker):
    """A committed session cookie for each demo account, by e-mail."""
    from django.test import Client

    from kenlabour.accounts.demo import DEMO_ACCOUNTS
    from kenlabour.accounts.models import User

    cookies = {}
    with django_db_blocker.unblock():
        for email, *_rest in DEMO_ACCOUNTS:
            client = Client()
            client.force_login(User.objects.get(email=email))
            cookies[email] = client.cookies["sessionid"].value
    return cookies


@pytest.fixture
def demo_login(demo_server, demo_sessions):
    """Log a browser context in as a demo account (by e-mail)."""

    def login(context, email):
        context.add_cookies(
            [{"name": "sessionid", "value": demo_sessions[email], "url": demo_server.url}]
        )

    return login

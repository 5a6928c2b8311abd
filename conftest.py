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


def axe_violations(page) -> list[dict]:
    """Run axe-core (all its rules) on the page as it is now; return the violations."""
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

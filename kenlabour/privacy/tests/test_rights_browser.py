"""In Chromium: the account page's data section and the audit log have no axe-core
violation; with JavaScript off a person downloads her data, withdraws her consent and erases
her account through its confirmation step."""

import json
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import axe_violations, describe_violations
from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import User
from kenlabour.accounts.tests.factories import UserFactory, user_with_role
from kenlabour.audit import services as audit
from kenlabour.audit.enums import AuditAction
from kenlabour.network.tests.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 360, "height": 740}}


def _clean(page, scripts_off=False):
    violations = axe_violations(page, scripts_off=scripts_off)
    assert not violations, f"axe-core on {page.url}:\n" + describe_violations(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_person_uses_her_rights_with_javascript_off(browser, live_server, login_browser):
    user = UserFactory(display_name="Anne Le Goff")
    person = PersonFactory(user=user, name="Anne Le Goff", public_consent=True)
    context = browser.new_context(java_script_enabled=False, locale="fr-FR", **PHONE)
    login_browser(context, user)
    page = context.new_page()
    page.goto(live_server.url + reverse("accounts:account"))
    _clean(page, scripts_off=True)

    page.get_by_label("JSON (pour un logiciel ou une autre plateforme)").check()
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Télécharger", exact=True).click()
    data = json.loads(Path(downloading.value.path()).read_text(encoding="utf-8"))
    assert any(s["key"] == "network.actor.user" for s in data["sections"])

    page.goto(live_server.url + reverse("accounts:account"))
    page.get_by_role("button", name="Retirer mon consentement : rendre ma fiche privée").click()
    expect(page.get_by_text("Votre page n'est plus publique")).to_be_visible()
    person.refresh_from_db()
    assert not person.public_consent

    page.get_by_role("button", name="Effacer mon compte").click()
    expect(page.get_by_role("heading", name="Effacer mon compte")).to_be_visible()
    _clean(page, scripts_off=True)
    page.get_by_role("button", name="Effacer définitivement mon compte").click()
    expect(page.get_by_text("Votre compte est effacé.")).to_be_visible()
    assert not User.objects.get(pk=user.pk).is_active
    context.close()


def test_the_audit_log_has_no_axe_violation(browser, live_server, login_browser):
    admin = user_with_role(Role.PLATFORM_ADMIN)
    for n in range(60):
        audit.record(AuditAction.ROLE_GRANTED, actor=admin, subject=admin, summary=f"Rôle {n}")
    context = browser.new_context(locale="fr-FR", **PHONE)
    login_browser(context, admin)
    page = context.new_page()
    page.goto(live_server.url + reverse("accounts:account"))
    page.get_by_role("link", name="Journal d'audit").click()
    expect(page.get_by_role("heading", name="Journal d'audit", exact=True)).to_be_visible()
    _clean(page)
    page.get_by_role("link", name="Page suivante").click()
    expect(page.get_by_text("Rôle 0", exact=True)).to_be_visible()
    page.goto(live_server.url + reverse("audit:log") + "?since=0001-01-01")
    _clean(page)
    context.close()

"""Experiments in a real browser: axe-core on the pages about one experiment (with
suggestions, linked experiments, forms with errors), and a decision without JavaScript."""

import pytest
from django.urls import reverse

from kenlabour.lab.models import Interconnection
from kenlabour.lab.tests.factories import ExperimentFactory, LabFactory, audited_experiment
from kenlabour.network.tests.factories import facilitator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_list_has_no_axe_violation(page, live_server, assert_accessible):
    ExperimentFactory(title="Le permis pour l'emploi")
    page.goto(live_server.url + reverse("lab:experiments"))
    assert page.get_by_role("link", name="Le permis pour l'emploi").is_visible()
    assert_accessible(page)


def test_an_experiment_page_with_suggestions_has_no_axe_violation(
    page, context, live_server, login_browser, assert_accessible
):
    slug = audited_experiment()["slug"]
    login_browser(context, facilitator())
    page.goto(live_server.url + reverse("lab:experiment", kwargs={"slug": slug}))
    assert page.get_by_role("heading", name="Expérimentations proches, suggérées").is_visible()
    assert page.get_by_text("Public commun : Jeunes de 16 à 25 ans").first.is_visible()
    assert page.get_by_role("table").first.is_visible()
    assert_accessible(page)


def test_forms_with_errors_have_no_axe_violation(
    page, context, live_server, login_browser, assert_accessible
):
    slug = audited_experiment()["slug"]
    LabFactory()
    login_browser(context, facilitator())
    page.goto(live_server.url + reverse("lab:experiment_create"))
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("corrigez ce qui suit").is_visible()
    assert_accessible(page)
    for name in ("lab:experiment_edit", "lab:experiment_phase", "lab:measurement_add"):
        page.goto(live_server.url + reverse(name, kwargs={"slug": slug}))
        assert_accessible(page)
        if name == "lab:experiment_edit":
            page.get_by_label("Titre").fill("")
        page.locator("main form button[type=submit]").first.click()
        assert page.get_by_text("corrigez ce qui suit").is_visible(), name
        assert_accessible(page)


def test_a_facilitator_accepts_a_link_without_javascript(browser, live_server, login_browser):
    slug = audited_experiment()["slug"]
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    login_browser(context, facilitator())
    page = context.new_page()
    page.goto(live_server.url + reverse("lab:experiment", kwargs={"slug": slug}))
    page.get_by_role("button", name="Accepter le lien").first.click()
    assert page.get_by_text("il figure sur les deux pages").is_visible()
    assert Interconnection.objects.filter(status="accepted").count() == 2
    context.close()

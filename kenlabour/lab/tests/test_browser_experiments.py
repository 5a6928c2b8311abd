"""Experiments in a real browser: axe-core on the pages about one experiment (with
suggestions, linked experiments, forms with errors), a decision without JavaScript, and
a facilitator following an experiment up (hypothesis, indicator, result, recommendation
to an organisation of the network and its follow-up)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kenlabour.lab.models import Interconnection, Recommendation
from kenlabour.lab.tests.factories import ExperimentFactory, LabFactory, audited_experiment
from kenlabour.network.tests.factories import OrganisationFactory, facilitator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_list_has_no_axe_violation(page, live_server, assert_accessible):
    ExperimentFactory(title="Le permis pour l'emploi")
    page.goto(live_server.url + reverse("lab:experiments"))
    expect(page.get_by_role("link", name="Le permis pour l'emploi")).to_be_visible()
    assert_accessible(page)


def test_an_experiment_page_with_suggestions_has_no_axe_violation(
    page, context, live_server, login_browser, assert_accessible
):
    slug = audited_experiment()["slug"]
    login_browser(context, facilitator())
    page.goto(live_server.url + reverse("lab:experiment", kwargs={"slug": slug}))
    expect(page.get_by_role("heading", name="Expérimentations proches, suggérées")).to_be_visible()
    expect(page.get_by_text("Public commun : Jeunes de 16 à 25 ans").first).to_be_visible()
    expect(page.get_by_role("table").first).to_be_visible()
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
    expect(page.get_by_text("corrigez ce qui suit")).to_be_visible()
    assert_accessible(page)
    for name in ("lab:experiment_edit", "lab:experiment_phase", "lab:measurement_add"):
        page.goto(live_server.url + reverse(name, kwargs={"slug": slug}))
        assert_accessible(page)
        if name == "lab:experiment_edit":
            page.get_by_label("Titre").fill("")
        if name == "lab:experiment_phase":
            # Today's date by default is accepted: the form goes on to its confirmation step.
            page.locator("main form button[type=submit]").first.click()
            page.get_by_role("button", name="Revenir sans rien changer").wait_for()
            assert_accessible(page)
            page.goto(live_server.url + reverse(name, kwargs={"slug": slug}))
            page.get_by_label("Date").fill("")
        page.locator("main form button[type=submit]").first.click()
        expect(page.get_by_text("corrigez ce qui suit"), name).to_be_visible()
        assert_accessible(page)


def test_a_facilitator_accepts_a_link_without_javascript(browser, live_server, login_browser):
    slug = audited_experiment()["slug"]
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    login_browser(context, facilitator())
    page = context.new_page()
    page.goto(live_server.url + reverse("lab:experiment", kwargs={"slug": slug}))
    accepted = Interconnection.objects.filter(status="accepted").count()
    page.get_by_role("button", name="Accepter le lien").first.click()
    # A confirmation step first (a decided link is not decided again), without JavaScript.
    assert Interconnection.objects.filter(status="accepted").count() == accepted
    page.get_by_role("button", name="Oui, accepter le lien").click()
    expect(page.get_by_text("il figure sur les deux pages")).to_be_visible()
    assert Interconnection.objects.filter(status="accepted").count() == 2
    context.close()


def test_a_facilitator_follows_an_experiment_up(
    page, context, live_server, login_browser, assert_accessible
):
    slug = audited_experiment()["slug"]
    OrganisationFactory(name="Conseil départemental du Finistère")
    login_browser(context, facilitator())
    page.goto(live_server.url + reverse("lab:experiment", kwargs={"slug": slug}))

    # An hypothesis: refused empty, then added open, then confirmed from the page.
    page.get_by_role("link", name="Ajouter une hypothèse").click()
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer l'hypothèse").click()
    expect(page.get_by_text("corrigez ce qui suit")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Hypothèse").fill("Le code gratuit fait venir les jeunes à l'auto-école.")
    page.get_by_role("button", name="Enregistrer l'hypothèse").click()
    expect(page.get_by_text("L'hypothèse est enregistrée")).to_be_visible()
    item = page.locator("li", has_text="Le code gratuit fait venir les jeunes")
    expect(item.locator("strong", has_text="À vérifier")).to_be_visible()
    item.get_by_label("Statut").select_option(label="Confirmée")
    item.get_by_role("button", name="Changer le statut").click()
    expect(page.get_by_text("L'hypothèse est désormais « Confirmée ».")).to_be_visible()

    # An indicator: a target equal to the baseline measures nothing.
    page.get_by_role("link", name="Ajouter un indicateur").click()
    assert_accessible(page)
    page.get_by_label("Nom de l'indicateur").fill("Jeunes inscrits à l'auto-école")
    page.get_by_label("Valeur de départ").fill("4")
    page.get_by_label("Cible").fill("4")
    page.get_by_role("button", name="Enregistrer l'indicateur").click()
    expect(page.get_by_role("link", name="Cible : La cible est égale")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Cible").fill("12,5")
    page.get_by_role("button", name="Enregistrer l'indicateur").click()
    expect(page.get_by_text("départ 4,00, cible 12,50")).to_be_visible()

    # A result page, with an error shown.
    page.get_by_role("link", name="Ajouter un résultat").click()
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer le résultat").click()
    expect(page.get_by_text("corrigez ce qui suit")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Retour à l'expérimentation").click()

    # A recommendation to an organisation named as in the directory.
    page.get_by_role("link", name="Adresser une préconisation").click()
    assert_accessible(page)
    page.get_by_label("Organisation destinataire").fill("Conseil fantôme")
    page.get_by_label("Préconisation").fill("Financer le code de la route des jeunes suivis.")
    page.get_by_role("button", name="Enregistrer la préconisation").click()
    expect(page.get_by_text("« Conseil fantôme » n'est pas une organisation").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Organisation destinataire").fill("conseil départemental du finistère")
    page.get_by_role("button", name="Enregistrer la préconisation").click()
    expect(page.get_by_text("La préconisation est enregistrée")).to_be_visible()
    item = page.locator("li", has_text="Financer le code de la route des jeunes suivis.")
    expect(item.get_by_text("À Conseil départemental du Finistère :")).to_be_visible()

    # Its follow-up, from the page.
    item.locator("summary").click()
    item.get_by_label("Suite donnée").select_option(label="Retenue")
    item.get_by_label("Précisions").fill("Inscrite au budget 2027.")
    assert_accessible(page)
    item.get_by_role("button", name="Enregistrer la suite").click()
    expect(page.get_by_text("(Inscrite au budget 2027.)")).to_be_visible()
    recommendation = Recommendation.objects.get(addressed_to__name__startswith="Conseil")
    assert (recommendation.follow_up, recommendation.follow_up_note) == (
        "accepted",
        "Inscrite au budget 2027.",
    )
    assert_accessible(page)


def test_the_follow_up_forms_work_without_javascript(browser, live_server, login_browser):
    slug = audited_experiment()["slug"]
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    login_browser(context, facilitator())
    page = context.new_page()
    page.goto(live_server.url + reverse("lab:experiment", kwargs={"slug": slug}))
    item = page.locator("li", has_text="Financer le code de la route dès l'inscription.")
    item.locator("summary").click()
    item.get_by_label("Suite donnée").select_option(label="Mise en œuvre")
    item.get_by_role("button", name="Enregistrer la suite").click()
    expect(page.get_by_text("est « Mise en œuvre »")).to_be_visible()
    assert Recommendation.objects.get().follow_up == "implemented"
    context.close()

"""Registration, edition, moderation and import in a real browser: axe-core on each page,
empty and with errors shown; a facilitator fixes a file and imports it; JavaScript off."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import axe_violations, describe_violations
from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.network.enums import ModerationStatus, ResourceKind
from kenlabour.network.models import Actor
from kenlabour.network.tests import files
from kenlabour.network.tests.factories import (
    PendingCollectiveFactory,
    PlaceLessCollectiveFactory,
    ResourceFactory,
    facilitator,
    make_admin,
)
from kenlabour.territories.models import Departement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def csp_watch(page) -> list[str]:
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    return errors


def test_a_facilitator_fixes_a_file_and_imports_it(
    page, context, live_server, login_browser, assert_accessible
):
    login_browser(context, facilitator())
    csp_errors = csp_watch(page)
    page.goto(live_server.url + reverse("network:import"))
    assert_accessible(page)

    rows = [
        files.organisation("Fablab de Quimper", ressources="Imprimante 3D:4"),
        files.organisation("Mauvais SIRET", siret=files.wrong_siret(3)),
        files.collective("Perdu", commune="Quimperlé-sur-Mer"),
        files.place_less("Visières solidaires 29", area="Finistère"),
    ]
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(
        files=[{"name": "acteurs.csv", "mimeType": "text/csv", "buffer": files.csv_bytes(rows)}]
    )
    page.get_by_role("button", name="Envoyer le fichier").click()
    page.get_by_role("button", name="Valider les colonnes").click()
    table = page.get_by_role("table", name="Erreurs du fichier, par ligne et par colonne")
    expect(table).to_be_visible()
    lines = table.get_by_role("rowheader").all_inner_texts()
    assert lines == ["3", "4"]
    assert "clé de contrôle" in table.inner_text()
    assert "Aucune commune ne correspond" in table.inner_text()
    assert Actor.objects.count() == 0
    assert_accessible(page)

    rows[1] = files.organisation("Bon SIRET", siret=files.siret(3))
    rows[2] = files.collective("Retrouvé", commune="Quimperlé")
    page.get_by_role("link", name="Envoyer le fichier corrigé").click()
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(
        files=[{"name": "acteurs.xlsx", "mimeType": "", "buffer": files.xlsx_bytes(rows)}]
    )
    page.get_by_role("button", name="Envoyer le fichier").click()
    page.get_by_role("button", name="Valider les colonnes").click()
    page.get_by_role("button", name="Importer les 4 acteurs").click()
    expect(page.get_by_role("heading", name="Import réussi : 4 acteurs créés")).to_be_visible()
    summary = page.get_by_role("table", name="Acteurs créés par type")
    assert "Organisation 2" in " ".join(summary.inner_text().split())
    assert Actor.objects.filter(status=ModerationStatus.PUBLISHED).count() == 4
    assert_accessible(page)
    assert csp_errors == []


def test_registration_page_with_and_without_errors_has_no_axe_violation(
    page, context, live_server, login_browser, assert_accessible
):
    login_browser(context, UserFactory())
    csp_errors = csp_watch(page)
    page.goto(live_server.url + reverse("network:register"))
    assert_accessible(page)
    # With JavaScript, choosing a place-less collective shows its area, not a commune.
    page.get_by_label("Un collectif sans lieu").check()
    expect(page.locator("#id_area")).to_be_visible()
    expect(page.locator("#id_commune")).to_be_hidden()
    expect(page.locator("#id_organisation_kind")).to_be_hidden()
    page.get_by_label("Une organisation").check()
    expect(page.locator("#id_commune")).to_be_visible()
    expect(page.locator("#id_area")).to_be_hidden()
    page.get_by_role("button", name="Inscrire").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert "Indiquez le nom." in page.get_by_role("alert").inner_text()
    assert page.locator("#id_name").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    assert csp_errors == []


def test_registering_works_without_javascript(browser, live_server, login_browser):
    user = UserFactory()
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    login_browser(context, user)
    page = context.new_page()
    page.goto(live_server.url + reverse("network:register"))
    page.get_by_label("Une organisation").check()
    page.get_by_label("Type d'organisation").select_option(label="Fablab")
    page.locator("#id_name").fill("Fablab du Faou")
    page.locator("#id_commune").fill("Le Faou")
    page.locator("#id_ressources-0-kind").select_option(label="Imprimante 3D")
    page.locator("#id_ressources-0-quantity").fill("2")
    page.get_by_role("button", name="Inscrire").click()
    actor = Actor.objects.get(name="Fablab du Faou")
    assert actor.status == ModerationStatus.PENDING
    assert list(actor.resources.values_list("kind", "quantity")) == [("printer_3d", 2)]
    context.close()


def test_edit_page_with_and_without_errors_has_no_axe_violation(
    page, context, live_server, login_browser, assert_accessible
):
    actor = PlaceLessCollectiveFactory(name="Réseau des makers")
    actor.area_departements.set([Departement.objects.get(code="29")])
    ResourceFactory(actor=actor, kind=ResourceKind.PRINTER_3D, quantity=5)
    login_browser(context, make_admin(UserFactory(), actor))
    page.goto(live_server.url + reverse("network:edit", kwargs={"slug": actor.slug}))
    assert page.get_by_label("Zone d'action").input_value() == "Finistère"
    assert_accessible(page)
    page.get_by_label("Zone d'action").fill("Finistère, Atlantide")
    page.get_by_role("button", name="Enregistrer").click()
    assert "« Atlantide »" in page.get_by_role("alert").inner_text()
    assert_accessible(page)


def test_moderation_page_with_and_without_errors_has_no_axe_violation(
    page, context, live_server, login_browser, assert_accessible
):
    first = PendingCollectiveFactory(name="Collectif à publier", description="Des makers.")
    second = PendingCollectiveFactory(name="Collectif à refuser")
    ResourceFactory(actor=first, kind=ResourceKind.SEWING_MACHINE, quantity=3)
    login_browser(context, facilitator())
    page.goto(live_server.url + reverse("network:moderation"))
    assert_accessible(page)

    page.get_by_role("button", name="Refuser Collectif à refuser").click()
    expect(page.get_by_text("Indiquez le motif du refus : la personne").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("article", name="Collectif à refuser").get_by_label("Motif du refus").fill(
        "Collectif inconnu du laboratoire."
    )
    page.get_by_role("button", name="Refuser Collectif à refuser").click()
    page.get_by_role("button", name="Publier Collectif à publier").click()
    expect(page.get_by_text("Aucun acteur n'attend de modération.")).to_be_visible()
    assert_accessible(page)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("published", "rejected")
    assert second.moderation_note == "Collectif inconnu du laboratoire."


def test_the_pages_fit_a_phone_screen(browser, live_server, login_browser):
    actor = PendingCollectiveFactory(name="Un collectif au nom assez long pour un téléphone")
    ResourceFactory(actor=actor, kind=ResourceKind.SEWING_MACHINE, quantity=3)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, locale="fr-FR"
    )
    login_browser(context, facilitator())
    page = context.new_page()

    def overflow() -> int:
        return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")

    for url in (
        reverse("network:register"),
        reverse("network:edit", kwargs={"slug": actor.slug}),
        reverse("network:moderation"),
        reverse("network:import"),
    ):
        page.goto(live_server.url + url)
        assert overflow() <= 0, f"{url} scrolls sideways on a phone ({overflow()}px)"
    rows = [files.organisation("Mauvais", siret=files.wrong_siret(9), site_web="x" * 300)]
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(
        files=[{"name": "a.csv", "mimeType": "text/csv", "buffer": files.csv_bytes(rows)}]
    )
    page.get_by_role("button", name="Envoyer le fichier").click()
    expect(page.get_by_role("button", name="Valider les colonnes")).to_be_visible()
    assert overflow() <= 0, f"the columns step scrolls the page sideways ({overflow()}px)"
    page.get_by_role("button", name="Valider les colonnes").click()
    expect(
        page.get_by_role("table", name="Erreurs du fichier, par ligne et par colonne")
    ).to_be_visible()
    assert overflow() <= 0, f"the error table scrolls the page sideways ({overflow()}px)"
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no javascript"])
def test_a_lab_file_is_imported_step_by_step_with_and_without_javascript(
    browser, live_server, login_browser, javascript
):
    """A Windows-1252 `;` file with French headers and words: columns, unknown words,
    preview, import; axe-core finds nothing on any step."""
    from kenlabour.network.tests.test_views_import_steps import LAB_HEADER, lab_file

    context = browser.new_context(java_script_enabled=javascript, locale="fr-FR")
    login_browser(context, facilitator())
    page = context.new_page()
    csp_errors = csp_watch(page)

    def assert_accessible():
        violations = axe_violations(page, scripts_off=not javascript)
        assert not violations, f"axe-core on {page.url}:\n" + describe_violations(violations)

    page.goto(live_server.url + reverse("network:import"))
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(
        files=[{"name": "annuaire.csv", "mimeType": "text/csv", "buffer": lab_file()}]
    )
    page.get_by_role("button", name="Envoyer le fichier").click()

    expect(page.get_by_role("heading", name="les colonnes du fichier")).to_be_visible()
    expect(page.get_by_text("Encodage détecté : Windows-1252 (Excel sous Windows)")).to_be_visible()
    expect(page.get_by_label("A — « Raison sociale »")).to_have_value("nom")
    expect(page.get_by_label("E — « Courriel »")).to_have_value("email")
    mapping = page.get_by_role("table", name="Colonnes du fichier et colonnes de la plateforme")
    expect(mapping.get_by_role("combobox")).to_have_count(len(LAB_HEADER))
    assert_accessible()
    page.get_by_label("H — « Remarques »").select_option("description")
    page.get_by_role("button", name="Valider les colonnes").click()

    expect(page.get_by_role("heading", name="les mots du fichier")).to_be_visible()
    assert_accessible()
    page.get_by_role("button", name="Valider ces mots").click()
    expect(page.get_by_role("alert")).to_contain_text("Choisissez le sens de 2 mots encore")
    assert_accessible()
    page.get_by_label("Brodeuse numérique").select_option(label="Brodeuse")
    page.get_by_label("Four à pain").select_option(label="ignorer cette ressource")
    page.get_by_role("button", name="Valider ces mots").click()

    preview = page.get_by_role("table", name="Les 4 premières lignes du fichier")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("Organisation — Fablab")
    expect(preview).to_contain_text("02 97 12 34 56")
    assert Actor.objects.count() == 0
    assert_accessible()
    page.get_by_role("button", name="Importer les 4 acteurs").click()

    expect(page.get_by_role("heading", name="Import réussi : 4 acteurs créés")).to_be_visible()
    assert_accessible()
    assert Actor.objects.filter(status=ModerationStatus.PUBLISHED).count() == 4
    assert Actor.objects.get(name="Fablab de Plouhinec").description == "à rappeler"
    assert csp_errors == []
    context.close()

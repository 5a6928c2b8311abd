"""In a real browser, the whole path of issue 7: a claimant files a claim with a receipt
(an executable renamed .pdf refused first) and submits it; the treasurer of the relay
covering the claimant's département approves it (a rejection without reason refused
first); the funder runs the allocation; the treasurer records the payout; the public page
and the SCDL export show it. axe-core on every page and every form with errors."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from kenlabour.funding.enums import ClaimStatus
from kenlabour.funding.models import Claim
from kenlabour.funding.templatetags.funding_claims import format_euros
from kenlabour.funding.tests.factories import (
    CoverageFactory,
    RelayFactory,
    funder_user,
    treasurer,
)
from kenlabour.funding.tests.pages_claims import elf_bytes, pdf_bytes, world
from kenlabour.territories.models import Departement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECEIPT_LABEL = "Justificatif (PDF ou image, 10 Mio au plus)"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def fill_expense(page, receipt: bytes, name: str = "facture.pdf") -> None:
    page.get_by_label("Nature").select_option("material")
    page.get_by_label("Libellé").fill("3 bobines de PETG")
    page.get_by_label("Montant en euros").fill("89,70")
    spent = timezone.localdate() - datetime.timedelta(days=3)
    page.get_by_label("Date de la dépense").fill(spent.isoformat())
    page.get_by_label(RECEIPT_LABEL).set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": receipt}]
    )
    page.get_by_role("button", name="Ajouter la dépense").click()


def test_from_a_claim_with_a_receipt_to_the_payout_in_the_open(
    browser, live_server, login_browser, assert_accessible
):
    w = world()
    # Another relay, covering Morbihan: its treasurer never sees the claim.
    morbihan = RelayFactory(name="Relais du Morbihan")
    CoverageFactory(relay=morbihan, departement=Departement.objects.get(code="56"))
    other_treasurer = treasurer(morbihan)

    claimant = browser.new_context(locale="fr-FR")
    login_browser(claimant, w.claimant_user)
    page = claimant.new_page()
    page.goto(live_server.url + reverse("funding:my_claims"))
    assert_accessible(page)
    page.get_by_role("link", name=f"Faire une demande sur {w.envelope.name}").click()
    page.get_by_role("heading", name="Nouvelle demande de compensation").wait_for()
    assert page.get_by_role("checkbox").is_checked()  # every claimable delivery, by default
    assert_accessible(page)
    page.get_by_role("button", name="Créer le brouillon de demande").click()
    page.get_by_role("heading", name="Ajouter une dépense").wait_for()
    assert_accessible(page)
    claim = Claim.objects.get()

    # An executable renamed .pdf: refused at the field, nothing recorded.
    fill_expense(page, elf_bytes())
    alert = page.get_by_role("alert")
    assert "programme" in alert.inner_text()
    assert_accessible(page)
    assert not claim.expenses.exists()

    fill_expense(page, pdf_bytes())
    page.get_by_role("link", name="Télécharger le justificatif de 3 bobines de PETG").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Déposer la demande").click()
    page.get_by_role("heading", level=1).wait_for()
    assert_accessible(page)
    page.locator(".confirm-form button[type=submit]").click()  # the confirmation step
    page.get_by_text(f"Demande déposée auprès de {w.relay.name}").wait_for()
    assert_accessible(page)
    claim.refresh_from_db()
    assert (claim.status, claim.relay) == (ClaimStatus.SUBMITTED, w.relay)
    claimant.close()

    # The other relay's treasurer is refused.
    stranger = browser.new_context(locale="fr-FR")
    login_browser(stranger, other_treasurer)
    response = stranger.new_page().goto(live_server.url + claim.get_absolute_url())
    assert response.status == 403
    stranger.close()

    relay = browser.new_context(locale="fr-FR")
    login_browser(relay, w.treasurer_user)
    page = relay.new_page()
    page.goto(live_server.url + reverse("funding:relay_claims", kwargs={"relay": w.relay.slug}))
    assert_accessible(page)
    page.get_by_role("link", name=f"N° {claim.pk}, {w.claimant.name}").click()
    page.get_by_role("heading", name="Examen par le relais").wait_for()
    assert_accessible(page)

    # Refusing without a reason: refused at the field.
    page.get_by_label("Refuser").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    assert "motif" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED

    page.get_by_label("3 bobines de PETG").check()
    page.get_by_label("Approuver").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.locator(".confirm-form button[type=submit]").click()  # the confirmation step
    page.get_by_text("Demande approuvée").wait_for()
    assert_accessible(page)
    relay.close()

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert claim.expenses_cents == 8_970
    assert claim.asked_cents == claim.units_cents + 8_970
    assert [t.to_status for t in claim.transitions.all()] == [
        ClaimStatus.DRAFT,
        ClaimStatus.SUBMITTED,
        ClaimStatus.APPROVED,
    ]

    # --- The funder allocates the envelope, another treasurer of the relay records the
    # payout (who approved never pays), and the public page and the SCDL export show it.
    funder = browser.new_context(locale="fr-FR")
    login_browser(funder, funder_user(w.envelope.funder))
    page = funder.new_page()
    page.goto(live_server.url + w.envelope.get_absolute_url())
    page.get_by_role("link", name="Gérer l'enveloppe : répartition et virements aux relais").click()
    page.get_by_role("button", name="Calculer la répartition").click()
    page.locator(".confirm-form button[type=submit]").click()  # the confirmation step
    page.get_by_text("Répartition calculée :").wait_for()
    funder.close()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SCHEDULED
    assert claim.allocated_cents == claim.asked_cents  # the envelope covers the claim

    relay = browser.new_context(locale="fr-FR")
    login_browser(relay, w.payer_user)
    page = relay.new_page()
    page.goto(live_server.url + claim.get_absolute_url())
    page.get_by_role("link", name="Enregistrer le paiement de cette demande").click()
    page.get_by_label("Date du virement").fill(
        (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    )
    page.get_by_label("Référence bancaire").fill("VIR-2020-0001")
    page.get_by_role("button", name="Enregistrer le paiement").click()
    page.locator(".confirm-form button[type=submit]").click()  # the confirmation step
    page.get_by_text("référence bancaire VIR-2020-0001").wait_for()
    relay.close()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID

    public = browser.new_context(locale="fr-FR")
    page = public.new_page()
    page.goto(live_server.url + w.envelope.get_absolute_url())
    assert_accessible(page)
    shown = page.locator("main").inner_text()
    assert w.relay.name in shown and w.claimant.name in shown
    assert format_euros(claim.allocated_cents) in shown
    export = page.request.get(
        live_server.url + reverse("funding:scdl_csv", kwargs={"slug": w.envelope.slug})
    )
    rows = list(csv.DictReader(io.StringIO(export.text())))
    assert [row["nomBeneficiaire"] for row in rows] == [w.relay.name]
    public.close()

"""The ledger's head (position and hash of its last entry) is published wherever people
take the figures away: the transparency page, the SCDL file (in its name, the standard
fixing its columns), the relay's statement and the claimant's PDF. A reader who kept it
can later check that nothing was removed from the end of the ledger."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kenlabour.funding import exports, statements
from kenlabour.funding.models import LedgerEntry
from kenlabour.funding.selectors import public as public_selectors
from kenlabour.funding.selectors import verification
from kenlabour.funding.tests.pages_money import allocated_world

pytestmark = pytest.mark.django_db


def current_head() -> str:
    last = LedgerEntry.objects.order_by("-position").first()
    return f"{last.position}:{last.hash}"


def test_the_transparency_page_publishes_the_head_and_links_to_its_check(client):
    w = allocated_world()
    page = client.get(reverse("funding:envelope", kwargs={"slug": w.envelope.slug}))
    html = page.content.decode()
    head = current_head()
    assert head in html
    assert f"{reverse('funding:ledger')}?tete={head.replace(':', '%3A')}" in html
    # The link the page gives checks the head on the ledger page.
    check = client.get(reverse("funding:ledger"), {"tete": head}).content.decode()
    assert "est bien dans le registre" in check


def test_the_scdl_file_carries_the_head_in_its_name_and_header(client):
    w = allocated_world()
    response = client.get(reverse("funding:scdl_csv", kwargs={"slug": w.envelope.slug}))
    position, digest = current_head().split(":")
    name = f"subventions-{w.envelope.slug}-registre-{position}-{digest}.csv"
    assert f'filename="{name}"' in response["Content-Disposition"]
    assert response[exports.LEDGER_HEAD_HEADER] == current_head()


def test_the_relay_statement_and_the_claimants_pdf_print_the_head(client):
    w = allocated_world()
    client.force_login(w.treasurer_user)
    url = reverse(
        "funding:relay_statement", kwargs={"slug": w.envelope.slug, "relay": w.relay.slug}
    )
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[3][:2] == ("Tête du registre", current_head())
    claim = public_selectors.claim_statement(w.claims[0].pk)
    head = verification.head_text(verification.ledger_head())
    document = statements.render_document(claim, ledger_head=head)
    assert current_head() in statements.document_text(document)
    response = client.get(reverse("funding:claim_statement", kwargs={"pk": claim.pk}))
    assert response.status_code == 200


def test_a_head_printed_before_the_last_entries_were_removed_reveals_it():
    allocated_world()
    kept = verification.ledger_head()
    LedgerEntry.objects.filter(position__gt=kept[0] - 2).delete()  # behind the app's back
    assert verification.verify().broken == []  # the shorter chain holds on its own
    assert verification.verify(head=kept).broken == [kept[0]]

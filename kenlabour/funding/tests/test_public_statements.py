"""The claimant's PDF statement: what it prints and who may download it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment
from kenlabour.accounts.tests.factories import UserFactory, user_with_role
from kenlabour.funding import statements
from kenlabour.funding.models import Transition
from kenlabour.funding.selectors import public as selectors
from kenlabour.funding.templatetags.funding_claims import format_euros
from kenlabour.funding.tests.factories import funder_user, treasurer
from kenlabour.funding.tests.pages_public import granted_envelope
from kenlabour.network.models import Actor

pytestmark = pytest.mark.django_db


def _url(claim):
    return reverse("funding:claim_statement", kwargs={"pk": claim.pk})


def test_statement_prints_the_claim_its_amounts_lines_and_steps():
    granted = granted_envelope()
    claim = granted.claims["private"]
    reviewer = treasurer(claim.relay, display_name="Erwan Trésorier")
    Transition.objects.create(
        claim=claim, from_status="submitted", to_status="approved", by=reviewer
    )
    document = statements.render_document(selectors.claim_statement(claim.pk))
    text = " ".join(statements.document_text(document).split())
    assert claim.claimant.name in text
    assert granted.envelope.name in text
    for cents in (claim.allocated_cents, claim.units_cents, claim.expenses_cents):
        assert format_euros(cents).replace("\u00a0", " ") in text.replace("\u00a0", " ")
    payout = claim.transfers.get()
    assert payout.bank_reference in text
    assert "Erwan Trésorier" in text
    for line in claim.lines.filter(live=True):
        assert line.delivery.need.item_type.name in text
    pdf = document.write_pdf()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5_000


def test_claimant_downloads_the_pdf(client):
    granted = granted_envelope()
    claim = granted.claims["consenting"]
    user = UserFactory()
    Actor.objects.filter(pk=claim.claimant_id).update(user=user)
    client.force_login(user)
    response = client.get(_url(claim))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert f"releve-demande-{claim.pk}.pdf" in response["Content-Disposition"]


def test_an_organisations_admin_downloads_its_statement(client):
    granted = granted_envelope()
    claim = granted.claims["fablab"]
    admin = UserFactory()
    RoleAssignment.objects.create(
        user=admin,
        role=Role.ORGANISATION_ADMIN,
        scope_type=ContentType.objects.get_for_model(Actor),
        scope_id=claim.claimant_id,
    )
    client.force_login(admin)
    assert client.get(_url(claim)).status_code == 200


def test_statement_is_refused_to_others(client):
    granted = granted_envelope()
    claim = granted.claims["private"]
    assert client.get(_url(claim)).status_code == 302  # to the login page
    finistere, ille = granted.relays
    for user in (UserFactory(), treasurer(finistere), funder_user(granted.envelope.funder)):
        client.force_login(user)
        assert client.get(_url(claim)).status_code == 403
    for user in (treasurer(ille), user_with_role(Role.PLATFORM_ADMIN)):
        client.force_login(user)
        assert client.get(_url(claim)).status_code == 200
    assert client.get(reverse("funding:claim_statement", kwargs={"pk": 999_999})).status_code == 404

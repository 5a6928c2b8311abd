"""The claims room's services: filing, expenses with receipts checked on their content,
each transition and each refusal (with nothing written)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.funding.enums import ClaimStatus, ExpenseKind, LedgerKind
from kenlabour.funding.models import Claim, ClaimLine, Coverage, Expense, LedgerEntry, Transition
from kenlabour.funding.selectors.claims import claimable_deliveries
from kenlabour.funding.services import claims as services
from kenlabour.funding.services import ledger
from kenlabour.funding.tests.factories import (
    CoverageFactory,
    RelayFactory,
    confirmed_delivery,
    treasurer,
)
from kenlabour.funding.tests.pages_claims import (
    elf_bytes,
    mz_bytes,
    pdf_bytes,
    png_bytes,
    upload,
    world,
)
from kenlabour.mobilisation.enums import DeliveryStatus
from kenlabour.mobilisation.tests.factories import ItemTypeFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def counts() -> tuple:
    return (
        Claim.objects.count(),
        ClaimLine.objects.count(),
        ClaimLine.objects.filter(live=True).count(),
        Expense.objects.count(),
        Transition.objects.count(),
        LedgerEntry.objects.count(),
        tuple(Claim.objects.order_by("pk").values_list("status", "relay_id", "submitted_on")),
    )


def expense_values(**overrides) -> dict:
    values = {
        "kind": ExpenseKind.MATERIAL,
        "label": "3 bobines de PETG",
        "amount_cents": 8_970,
        "spent_on": TODAY() - datetime.timedelta(days=3),
        "receipt": upload("facture.pdf", pdf_bytes()),
    }
    return {**values, **overrides}


def draft(w, **kwargs):
    return services.create_claim(w.claimant_user, w.envelope, w.claimant, **kwargs)


def submitted(w, with_expense=True):
    claim = draft(w)
    if with_expense:
        services.add_expense(w.claimant_user, claim, **expense_values())
    return services.submit(w.claimant_user, claim)


# --- filing --------------------------------------------------------------------------------


def test_a_draft_rests_on_every_claimable_delivery_at_the_envelopes_rate():
    w = world(units=100, rate_cents=200)
    other_item = ItemTypeFactory(campaign=w.envelope.campaign, unit_cost_cents=310)  # no rate
    partial = confirmed_delivery(w.claimant, other_item, 50)
    partial.confirmed_units = 45
    partial.status = DeliveryStatus.DISCREPANCY
    partial.save()
    claim = draft(w)
    lines = {line.delivery_id: line for line in claim.lines.all()}
    assert set(lines) == {w.delivery.pk, partial.pk}
    assert (lines[w.delivery.pk].units, lines[w.delivery.pk].cents_per_unit) == (100, 200)
    # At the units received, at the item's cost when the funder set no rate.
    assert (lines[partial.pk].units, lines[partial.pk].cents_per_unit) == (45, 310)
    assert claim.units_cents == sum(line.units * line.cents_per_unit for line in lines.values())
    assert claim.status == ClaimStatus.DRAFT
    assert list(claim.transitions.values_list("from_status", "to_status", "by")) == [
        ("", ClaimStatus.DRAFT, w.claimant_user.pk)
    ]
    assert not claimable_deliveries(w.claimant, w.envelope).exists()


def test_a_draft_may_rest_on_some_deliveries_only():
    w = world()
    second = confirmed_delivery(w.claimant, w.item, 30)
    claim = draft(w, deliveries=[second])
    assert list(claim.lines.values_list("delivery_id", flat=True)) == [second.pk]
    assert list(claimable_deliveries(w.claimant, w.envelope)) == [w.delivery]


def test_production_already_claimed_is_refused_and_nothing_is_written():
    w = world()
    draft(w)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        draft(w, deliveries=[w.delivery])
    assert "déjà" in refused.value.message_dict["deliveries"][0]
    assert w.delivery.need.requester_name in refused.value.message_dict["deliveries"][0]
    assert counts() == before


def test_a_delivery_not_confirmed_or_of_another_producer_is_refused():
    w = world()
    declared = confirmed_delivery(w.claimant, w.item, 10)
    declared.status = DeliveryStatus.DECLARED
    declared.confirmed_units = None
    declared.save()
    stranger = confirmed_delivery(RelayFactory(), w.item, 10)
    before = counts()
    for delivery in (declared, stranger):
        with pytest.raises(ValidationError) as refused:
            draft(w, deliveries=[delivery])
        assert "deliveries" in refused.value.message_dict
    assert counts() == before


def test_only_the_claimants_people_file_for_it():
    w = world()
    with pytest.raises(PermissionDenied):
        services.create_claim(UserFactory(), w.envelope, w.claimant)
    with pytest.raises(PermissionDenied):
        services.create_claim(w.treasurer_user, w.envelope, w.claimant)
    assert Claim.objects.count() == 0


def test_no_claim_is_created_outside_the_envelopes_dates():
    w = world()
    with pytest.raises(ValidationError, match="closes"):
        draft(w, today=w.envelope.closes_on + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="ouvrent"):
        draft(w, today=w.envelope.opens_on - datetime.timedelta(days=1))
    assert Claim.objects.count() == 0


# --- expenses and receipts -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, mime",
    [
        ("facture.pdf", pdf_bytes(), "application/pdf"),
        ("ticket.png", png_bytes(), "image/png"),
        # The name lies, the content decides.
        ("ticket.pdf", png_bytes(), "image/png"),
    ],
)
def test_a_receipt_is_a_pdf_or_an_image_by_its_content(name, content, mime, media):
    w = world()
    claim = draft(w)
    expense = services.add_expense(
        w.claimant_user, claim, **expense_values(receipt=upload(name, content))
    )
    assert expense.receipt_kind == mime
    assert expense.receipt.name.endswith("." + {"application/pdf": "pdf"}.get(mime, "png"))
    assert name not in expense.receipt.name  # stored under a name of ours
    with expense.receipt.open("rb") as stored:
        assert stored.read() == content
    assert expense.validated is False


@pytest.mark.parametrize("content", [elf_bytes(), mz_bytes()])
def test_an_executable_renamed_pdf_is_refused_with_a_clear_message(content, media):
    w = world()
    claim = draft(w)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.add_expense(
            w.claimant_user, claim, **expense_values(receipt=upload("facture.pdf", content))
        )
    message = refused.value.message_dict["receipt"][0]
    assert "programme" in message and "facture.pdf" in message
    assert counts() == before
    assert not list(media.rglob("*.*"))  # no file left behind


def test_a_file_that_is_neither_pdf_nor_image_is_refused(media):
    w = world()
    claim = draft(w)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.add_expense(
            w.claimant_user,
            claim,
            **expense_values(receipt=upload("facture.pdf", b"Facture en texte brut\n" * 20)),
        )
    assert "ni un PDF ni une image" in refused.value.message_dict["receipt"][0]
    assert counts() == before


def test_a_receipt_over_10_mib_is_refused(media):
    w = world()
    claim = draft(w)
    big = pdf_bytes() + b"\n%" + b"x" * (services.MAX_RECEIPT_SIZE)
    with pytest.raises(ValidationError) as refused:
        services.add_expense(
            w.claimant_user, claim, **expense_values(receipt=upload("scan.pdf", big))
        )
    assert "10 Mio" in refused.value.message_dict["receipt"][0]
    assert Expense.objects.count() == 0


@pytest.mark.parametrize("amount", [0, -500])
def test_a_zero_or_negative_expense_is_refused(amount):
    w = world()
    claim = draft(w)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.add_expense(w.claimant_user, claim, **expense_values(amount_cents=amount))
    assert "positif" in refused.value.message_dict["amount"][0]
    assert counts() == before


def test_expenses_are_added_only_while_the_claim_is_editable():
    w = world()
    claim = submitted(w)
    before = counts()
    with pytest.raises(ValidationError, match="Déposée"):
        services.add_expense(w.claimant_user, claim, **expense_values())
    assert counts() == before


# --- submitting ------------------------------------------------------------------------------


def test_submitting_sends_the_claim_to_the_relay_covering_the_claimant_today():
    w = world()
    claim = draft(w)
    claim = services.submit(w.claimant_user, claim)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.relay == w.relay
    assert claim.submitted_on == TODAY()
    assert claim.transitions.last().to_status == ClaimStatus.SUBMITTED


def test_submission_after_the_closing_date_is_refused_and_changes_nothing():
    w = world()
    claim = draft(w)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.submit(
            w.claimant_user, claim, today=w.envelope.closes_on + datetime.timedelta(days=1)
        )
    assert "closes depuis le" in refused.value.messages[0]
    with pytest.raises(ValidationError, match="ouvrent le"):
        services.submit(
            w.claimant_user, claim, today=w.envelope.opens_on - datetime.timedelta(days=1)
        )
    assert counts() == before


def test_an_empty_claim_is_not_submitted():
    w = world()
    claim = draft(w, deliveries=[])
    before = counts()
    with pytest.raises(ValidationError, match="ni livraison ni dépense"):
        services.submit(w.claimant_user, claim)
    assert counts() == before
    # An expense alone is enough.
    services.add_expense(w.claimant_user, claim, **expense_values())
    assert services.submit(w.claimant_user, claim).status == ClaimStatus.SUBMITTED


def test_no_relay_or_several_relays_refuse_the_submission():
    w = world()
    claim = draft(w)
    Coverage.objects.update(valid_until=TODAY() - datetime.timedelta(days=1))
    before = counts()
    with pytest.raises(ValidationError, match="Aucun relais ne couvre"):
        services.submit(w.claimant_user, claim)
    assert counts() == before
    Coverage.objects.update(valid_until=None)
    CoverageFactory(relay=RelayFactory(name="Autre relais"))
    with pytest.raises(ValidationError, match="Plusieurs relais"):
        services.submit(w.claimant_user, claim)
    assert counts() == before


def test_a_submitted_claim_is_not_submitted_twice():
    w = world()
    claim = submitted(w)
    before = counts()
    with pytest.raises(ValidationError):
        services.submit(w.claimant_user, claim)
    assert counts() == before


# --- cancelling ------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["draft", "submitted", "changes"])
def test_the_claimant_cancels_before_approval_and_the_deliveries_are_free_again(stage):
    w = world()
    claim = draft(w) if stage == "draft" else submitted(w)
    if stage == "changes":
        services.review(w.treasurer_user, claim, services.REQUEST_CHANGES, reason="Photo floue")
    services.cancel(w.claimant_user, claim, reason="Erreur de mobilisation")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CANCELLED
    assert not claim.lines.filter(live=True).exists()
    assert claim.transitions.last().reason == "Erreur de mobilisation"
    assert list(claimable_deliveries(w.claimant, w.envelope)) == [w.delivery]
    assert draft(w).lines.get().delivery == w.delivery  # claimable again


def test_an_approved_claim_is_not_cancelled():
    w = world()
    claim = submitted(w)
    services.review(w.treasurer_user, claim, services.APPROVE)
    before = counts()
    with pytest.raises(ValidationError, match="ne s'annule plus"):
        services.cancel(w.claimant_user, claim)
    assert counts() == before


def test_only_the_claimants_people_submit_or_cancel():
    w = world()
    claim = draft(w)
    for user in (UserFactory(), w.treasurer_user):
        with pytest.raises(PermissionDenied):
            services.submit(user, claim)
        with pytest.raises(PermissionDenied):
            services.cancel(user, claim)
    assert Claim.objects.get().status == ClaimStatus.DRAFT


# --- reviewing -------------------------------------------------------------------------------


def test_approving_counts_only_the_validated_expenses_and_tells_the_claimant(
    django_capture_on_commit_callbacks,
):
    w = world()
    claim = submitted(w)
    kept = claim.expenses.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.review(
            w.treasurer_user,
            claim,
            services.APPROVE,
            validated_expenses=[kept.pk],
            site_url="https://kenlabour.example/",
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert claim.expenses_cents == kept.amount_cents
    assert claim.units_cents == sum(line.amount_cents for line in claim.lines.all())
    step = claim.transitions.last()
    assert (step.from_status, step.to_status, step.by) == (
        ClaimStatus.SUBMITTED,
        ClaimStatus.APPROVED,
        w.treasurer_user,
    )
    entry = LedgerEntry.objects.filter(payload__claim=claim.pk).get()
    assert entry.kind == LedgerKind.CLAIM_APPROVED
    assert entry.payload["claim"] == claim.pk
    assert entry.payload["asked_cents"] == claim.units_cents + claim.expenses_cents
    assert ledger.broken_positions() == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [w.claimant_user.email]
    assert "approuvée" in mail.outbox[0].subject
    assert f"https://kenlabour.example/financement/demandes/{claim.pk}/" in mail.outbox[0].body


def test_an_expense_left_unticked_is_not_counted():
    w = world()
    claim = submitted(w)
    services.review(w.treasurer_user, claim, services.APPROVE, validated_expenses=[])
    claim.refresh_from_db()
    assert claim.expenses_cents == 0
    assert not claim.expenses.get().validated


def test_approving_twice_approves_once():
    w = world()
    claim = submitted(w)
    services.review(w.treasurer_user, claim, services.APPROVE)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.review(w.treasurer_user, claim, services.APPROVE)
    assert refused.value.code == services.ALREADY_DONE
    assert counts() == before


@pytest.mark.parametrize(
    "decision, status",
    [(services.REJECT, ClaimStatus.REJECTED), (services.REQUEST_CHANGES, "changes_requested")],
)
def test_rejecting_or_asking_for_changes_needs_a_reason(decision, status):
    w = world()
    claim = submitted(w)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.review(w.treasurer_user, claim, decision, reason="  ")
    assert "motif" in refused.value.message_dict["reason"][0]
    assert counts() == before
    services.review(w.treasurer_user, claim, decision, reason="Justificatif illisible")
    claim.refresh_from_db()
    assert claim.status == status
    assert claim.transitions.last().reason == "Justificatif illisible"


def test_a_rejection_frees_the_deliveries_and_mails_the_reason(
    django_capture_on_commit_callbacks,
):
    w = world()
    claim = submitted(w)
    with django_capture_on_commit_callbacks(execute=True):
        services.review(
            w.treasurer_user, claim, services.REJECT, reason="Livraisons hors mobilisation"
        )
    assert not claim.lines.filter(live=True).exists()
    assert list(claimable_deliveries(w.claimant, w.envelope)) == [w.delivery]
    assert "Livraisons hors mobilisation" in mail.outbox[0].body
    # Nothing granted: no entry of the ledger names the claim.
    assert not [e for e in LedgerEntry.objects.all() if e.payload.get("claim") == claim.pk]


def test_changes_requested_then_resubmitted_then_approved():
    w = world()
    claim = submitted(w)
    services.review(w.treasurer_user, claim, services.REQUEST_CHANGES, reason="Photo floue")
    claim.refresh_from_db()
    services.add_expense(w.claimant_user, claim, **expense_values(label="Élastiques"))
    claim = services.submit(w.claimant_user, claim)
    assert claim.status == ClaimStatus.RESUBMITTED
    services.review(
        w.treasurer_user,
        claim,
        services.APPROVE,
        validated_expenses=claim.expenses.values_list("pk", flat=True),
    )
    claim.refresh_from_db()
    assert claim.expenses_cents == sum(e.amount_cents for e in claim.expenses.all())
    assert [t.to_status for t in claim.transitions.all()] == [
        ClaimStatus.DRAFT,
        ClaimStatus.SUBMITTED,
        ClaimStatus.CHANGES_REQUESTED,
        ClaimStatus.RESUBMITTED,
        ClaimStatus.APPROVED,
    ]


def test_only_the_treasurer_of_the_claims_relay_reviews_it():
    w = world()
    claim = submitted(w)
    other_relay = RelayFactory()
    before = counts()
    for user in (treasurer(other_relay), w.claimant_user, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.review(user, claim, services.APPROVE)
    assert counts() == before


def test_a_draft_is_not_reviewed():
    w = world()
    claim = draft(w)
    claim.relay = w.relay  # even pointed at the relay by mistake
    claim.save()
    with pytest.raises(ValidationError, match="déjà examinée"):
        services.review(w.treasurer_user, claim, services.APPROVE)


def test_expenses_of_another_claim_cannot_be_validated():
    w = world()
    claim = submitted(w)
    other = services.create_claim(w.claimant_user, w.envelope, w.claimant, deliveries=[])
    foreign = services.add_expense(w.claimant_user, other, **expense_values())
    before = counts()
    with pytest.raises(ValidationError):
        services.review(w.treasurer_user, claim, services.APPROVE, validated_expenses=[foreign.pk])
    assert counts() == before


def test_removing_a_line_and_an_expense_from_a_draft():
    w = world()
    claim = draft(w)
    expense = services.add_expense(w.claimant_user, claim, **expense_values())
    services.remove_line(w.claimant_user, claim, claim.lines.get())
    services.remove_expense(w.claimant_user, claim, expense)
    claim.refresh_from_db()
    assert claim.units_cents == 0
    assert not claim.lines.exists() and not claim.expenses.exists()


# --- a relay never reviews its own claim, nor one of its people's ----------------------------


def _in_quimper(actor, w):
    actor.commune, actor.departement_id = w.claimant.commune, w.claimant.departement_id
    actor.save()
    return actor


def _relays_own_claim(w):
    """The relay, a fablab too, claims for its own confirmed deliveries; its treasurer
    administers it."""
    _in_quimper(w.relay, w)
    confirmed_delivery(w.relay, w.item, 40)
    from kenlabour.network.tests.factories import make_admin

    make_admin(w.treasurer_user, w.relay)
    return services.create_claim(w.treasurer_user, w.envelope, w.relay)


def test_a_relays_own_claim_without_another_relay_on_the_envelope_is_refused():
    w = world()
    claim = _relays_own_claim(w)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.submit(w.treasurer_user, claim)
    assert refused.value.code == "conflict"
    assert "ne peut pas instruire" in refused.value.messages[0]
    assert counts() == before


def test_a_relays_own_claim_goes_to_the_envelopes_other_relay():
    w = world()
    other = RelayFactory(name="Fabrique du Loch")
    w.envelope.conflict_relay = other
    w.envelope.save()
    other_treasurer = treasurer(other)
    claim = services.submit(w.treasurer_user, _relays_own_claim(w))
    assert claim.relay == other
    step = claim.transitions.last()
    assert step.reason_code == "conflict" and "autre relais" in step.reason_text()
    # The relay's treasurer does not review it, even as a superuser.
    w.treasurer_user.is_superuser = True
    w.treasurer_user.save()
    for user in (w.treasurer_user, UserFactory(is_superuser=True)):
        with pytest.raises(PermissionDenied):
            services.review(user, claim, services.APPROVE)
    services.review(other_treasurer, claim, services.APPROVE)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED


def test_a_claim_of_one_of_the_relays_people_goes_to_the_other_relay():
    from kenlabour.network.models import Membership
    from kenlabour.network.tests.factories import PersonFactory

    w = world()
    other = RelayFactory()
    w.envelope.conflict_relay = other
    w.envelope.save()
    person_user = UserFactory()
    person = _in_quimper(PersonFactory(user=person_user), w)
    Membership.objects.create(person=person, group=w.relay)
    confirmed_delivery(person, w.item, 10)
    claim = services.submit(person_user, services.create_claim(person_user, w.envelope, person))
    assert claim.relay == other


def test_a_treasurer_who_administers_the_claimant_does_not_review_it():
    """The relay is not the claimant, but its treasurer files for the claimant: the claim
    goes to the other relay, and the treasurer could not review it anyway."""
    from kenlabour.accounts.perms import strictly
    from kenlabour.network.tests.factories import make_admin

    w = world()
    make_admin(w.treasurer_user, w.claimant)
    other = RelayFactory()
    w.envelope.conflict_relay = other
    w.envelope.save()
    claim = services.submit(
        w.claimant_user, services.create_claim(w.claimant_user, w.envelope, w.claimant)
    )
    assert claim.relay == other
    claim.relay = w.relay  # even if it had reached the relay
    assert not strictly(w.treasurer_user, "funding.review_claim", claim)
    assert not strictly(w.treasurer_user, "funding.pay_claim", claim)

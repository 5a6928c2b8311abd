"""Separation of duties on money: nobody reviews a claim they submitted, above the envelope's
threshold two different people approve it, who approved never pays it, above another
threshold a second person confirms the payout, and no account is above these rules, not
even a superuser. Every role × action pair, through the real services; duplicate receipts
flagged to the reviewer; who did each step, and from which session, in the ledger."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kenlabour.accounts.enums import Role
from kenlabour.accounts.perms import strictly
from kenlabour.accounts.tests.factories import UserFactory, user_with_role
from kenlabour.funding.enums import ClaimStatus, LedgerKind
from kenlabour.funding.models import Claim, LedgerEntry, Transfer, Transition
from kenlabour.funding.selectors.claims import duplicate_receipts
from kenlabour.funding.services import claims as services
from kenlabour.funding.services import ledger, money
from kenlabour.funding.tests.factories import (
    FunderFactory,
    _grant,
    confirmed_delivery,
    funder_user,
    treasurer,
)
from kenlabour.funding.tests.pages_claims import pdf_bytes, upload, world
from kenlabour.network.tests.factories import FablabFactory, make_admin

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
RECEIPT = pdf_bytes()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


class People:
    """A relay with four treasurers (a approves first, b second, c records the payout, d
    is also one of the funder's people), the claimant's administrator, the funder's person,
    a platform administrator, a superuser, another relay's treasurer."""

    def __init__(self, w):
        self.w = w
        self.a, self.b, self.c = (treasurer(w.relay) for _ in range(3))
        self.d = treasurer(w.relay)
        funder = w.envelope.funder
        _grant(self.d, Role.FUNDER, funder)
        self.funder = funder_user(funder)
        self.claimant = w.claimant_user
        self.admin = user_with_role("platform_admin")
        self.superuser = UserFactory(is_superuser=True, is_staff=True)
        self.outsider = treasurer(FablabFactory())  # another relay's treasurer

    def __getitem__(self, name):
        return getattr(self, name)


ROLES = ("a", "b", "c", "d", "claimant", "funder", "admin", "superuser", "outsider")


def setup(double_approval=10_000, confirmation=15_000):
    """A claim of 200 € (100 units × 2 €) with an expense, submitted; the envelope asks two
    approvals above `double_approval` and a confirmed payout above `confirmation`."""
    w = world(units=100, rate_cents=200)
    w.envelope.double_approval_above_cents = double_approval
    w.envelope.payout_confirmation_above_cents = confirmation
    w.envelope.save()
    people = People(w)
    claim = services.create_claim(w.claimant_user, w.envelope, w.claimant)
    services.add_expense(
        w.claimant_user,
        claim,
        kind="material",
        label="Filament PETG",
        amount_cents=4_250,
        spent_on=YESTERDAY,
        receipt=upload("facture.pdf", RECEIPT),
        issuer="Leroy Merlin Brest",
    )
    claim = services.submit(w.claimant_user, claim)
    return w, people, claim


def expenses(claim):
    return [e.pk for e in claim.expenses.all()]


def first_approved(people, claim):
    return services.review(people.a, claim, services.APPROVE, validated_expenses=expenses(claim))


def approved(people, claim):
    claim = first_approved(people, claim)
    return services.review(people.b, claim, services.APPROVE, validated_expenses=expenses(claim))


def scheduled(people, claim):
    claim = approved(people, claim)
    money.allocate(people.funder, claim.envelope)
    return Claim.objects.get(pk=claim.pk)


def recorded(people, claim):
    claim = scheduled(people, claim)
    transfer, _created = money.pay_claim(
        people.c, claim, date=YESTERDAY, bank_reference="VIR-2020-0042"
    )
    assert transfer is None
    return Claim.objects.get(pk=claim.pk)


# --- the whole path ------------------------------------------------------------------------


def test_two_approve_a_third_pays_and_a_second_person_confirms_each_named_in_the_ledger():
    w, people, claim = setup()
    claim = first_approved(people, claim)
    assert claim.status == ClaimStatus.FIRST_APPROVED
    assert claim.get_status_display() == "En attente d'une seconde validation"
    first = LedgerEntry.objects.latest("position")
    assert first.kind == LedgerKind.FIRST_APPROVAL and first.payload["by"] == people.a.pk
    with pytest.raises(PermissionDenied, match="première validation"):
        services.review(people.a, claim, services.APPROVE, validated_expenses=expenses(claim))
    claim = services.review(people.b, claim, services.APPROVE, validated_expenses=expenses(claim))
    assert claim.status == ClaimStatus.APPROVED
    assert claim.asked_cents == 20_000 + 4_250
    second = LedgerEntry.objects.latest("position")
    assert second.kind == LedgerKind.CLAIM_APPROVED
    assert (second.payload["by"], second.payload["first_by"]) == (people.b.pk, people.a.pk)
    money.allocate(people.funder, w.envelope)
    claim.refresh_from_db()
    for approver in (people.a, people.b):
        with pytest.raises(PermissionDenied, match="examiné cette demande"):
            money.pay_claim(approver, claim, date=YESTERDAY, bank_reference="VIR-1")
    entries = LedgerEntry.objects.count()
    transfer, created = money.pay_claim(people.c, claim, date=YESTERDAY, bank_reference="VIR-1")
    assert (transfer, created) == (None, True)
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PAYOUT_RECORDED
    assert not Transfer.objects.filter(claim=claim).exists()
    assert LedgerEntry.objects.count() == entries, "nothing in the ledger before confirmation"
    with pytest.raises(PermissionDenied, match="enregistré ce virement"):
        money.confirm_payout(people.c, claim)
    transfer = money.confirm_payout(people.a, claim)
    assert (transfer.created_by, transfer.confirmed_by) == (people.c, people.a)
    assert transfer.amount_cents == Claim.objects.get(pk=claim.pk).allocated_cents
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PAID
    paid = LedgerEntry.objects.latest("position")
    assert paid.kind == LedgerKind.TRANSFER
    assert (paid.payload["by"], paid.payload["confirmed_by"]) == (people.c.pk, people.a.pk)
    assert paid.payload["amount_cents"] == transfer.amount_cents
    assert ledger.broken_positions() == []


def test_under_the_thresholds_one_approval_and_a_direct_payout_by_another_person():
    w, people, claim = setup(double_approval=None, confirmation=None)
    claim = services.review(people.a, claim, services.APPROVE, validated_expenses=expenses(claim))
    assert claim.status == ClaimStatus.APPROVED
    money.allocate(people.funder, w.envelope)
    claim.refresh_from_db()
    with pytest.raises(PermissionDenied):
        money.pay_claim(people.a, claim, date=YESTERDAY, bank_reference="VIR-1")
    transfer, created = money.pay_claim(people.b, claim, date=YESTERDAY, bank_reference="VIR-1")
    assert created and transfer.created_by == people.b and transfer.confirmed_by is None
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PAID


def test_the_second_approval_is_on_the_expenses_validated_the_first_time():
    _w, people, claim = setup()
    claim = first_approved(people, claim)
    before = (LedgerEntry.objects.count(), Transition.objects.count())
    with pytest.raises(ValidationError) as refused:
        services.review(people.b, claim, services.APPROVE, validated_expenses=[])
    assert "validated_expenses" in refused.value.error_dict
    assert (LedgerEntry.objects.count(), Transition.objects.count()) == before
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.FIRST_APPROVED


def test_the_second_person_may_send_back_a_first_approved_claim():
    _w, people, claim = setup()
    claim = first_approved(people, claim)
    claim = services.review(
        people.b, claim, services.REQUEST_CHANGES, reason="Le ticket est illisible."
    )
    assert claim.status == ClaimStatus.CHANGES_REQUESTED


def test_a_refused_payout_goes_back_to_be_recorded_again_and_nothing_is_written():
    _w, people, claim = setup()
    claim = recorded(people, claim)
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationError):
        money.refuse_payout(people.a, claim, reason="  ")
    claim = money.refuse_payout(people.a, claim, reason="Ce n'est pas la référence du relevé.")
    assert claim.status == ClaimStatus.SCHEDULED
    assert LedgerEntry.objects.count() == entries
    assert not Transfer.objects.filter(claim=claim).exists()


def test_the_database_refuses_a_transfer_confirmed_by_its_own_recorder():
    _w, people, claim = setup(confirmation=None)
    claim = scheduled(people, claim)
    transfer, _ = money.pay_claim(people.c, claim, date=YESTERDAY, bank_reference="VIR-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.filter(pk=transfer.pk).update(confirmed_by=people.c)


# --- every role × action --------------------------------------------------------------------


class Rollback(Exception):
    pass


def attempt(action, user, claim):
    """Run the action for real, then roll it back: True when it went through."""
    try:
        with transaction.atomic():
            if action == "review":
                services.review(user, claim, services.APPROVE, validated_expenses=expenses(claim))
            elif action == "pay":
                money.pay_claim(user, claim, date=YESTERDAY, bank_reference="VIR-9")
            elif action == "confirm":
                money.confirm_payout(user, claim)
            elif action == "allocate":
                money.allocate(user, claim.envelope)
            raise Rollback
    except Rollback:
        return True
    except PermissionDenied:
        return False


# action, the claim's state, the roles allowed (every other role is refused)
MATRIX = (
    ("review", "submitted", {"a", "b", "c", "d"}),
    ("review", "first_approved", {"b", "c", "d"}),  # not a, who approved first
    ("allocate", "approved", {"funder", "d"}),  # the funder's people, nobody above them
    ("pay", "scheduled", {"c", "d"}),  # not a nor b, who approved
    ("confirm", "recorded", {"a", "b", "d"}),  # not c, who recorded the payout
)
STATES = {
    "submitted": lambda people, claim: claim,
    "first_approved": first_approved,
    "approved": approved,
    "scheduled": scheduled,
    "recorded": recorded,
}


@pytest.mark.parametrize(("action", "state", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_each_role_may_do_only_its_part(action, state, allowed):
    """Every role tries the action on the same claim, each attempt rolled back."""
    _w, people, claim = setup()
    claim = Claim.objects.get(pk=STATES[state](people, claim).pk)
    permission = {
        "review": "funding.review_claim",
        "pay": "funding.pay_claim",
        "confirm": "funding.confirm_payout",
        "allocate": "funding.manage_envelope",
    }[action]
    target = claim.envelope if action == "allocate" else claim
    wrong = []
    for role in ROLES:
        user = people[role]
        expected = role in allowed
        if attempt(action, user, claim) is not expected:
            wrong.append(f"{role} {'could not' if expected else 'could'} {action}")
        if strictly(user, permission, target) is not expected:
            wrong.append(f"{role}: the rule {permission} says {not expected}")
    assert not wrong, f"on a claim {state}: " + "; ".join(wrong)
    assert Claim.objects.get(pk=claim.pk).status == claim.status, "every attempt rolled back"


def test_a_superuser_is_refused_every_money_action_even_with_django_permissions():
    _w, people, claim = setup()
    superuser = people.superuser
    assert superuser.has_perm("funding.review_claim", claim), "Django says yes to a superuser"
    claim = scheduled(people, claim)
    for action in ("review", "pay", "confirm", "allocate"):
        assert attempt(action, superuser, claim) is False


# --- duplicate receipts ----------------------------------------------------------------------


def other_claim_with(w, **expense):
    """A second claimant's claim, with one expense."""
    claimant = FablabFactory(
        name="Fablab de Brest", commune=w.claimant.commune, departement=w.claimant.departement
    )
    make_admin(w.claimant_user, claimant)
    confirmed_delivery(claimant, w.item, 10)
    claim = services.create_claim(w.claimant_user, w.envelope, claimant)
    values = {
        "kind": "material",
        "label": "Filament",
        "amount_cents": 4_250,
        "spent_on": YESTERDAY,
        "receipt": upload("autre.pdf", RECEIPT),
        "issuer": "",
    } | expense
    services.add_expense(w.claimant_user, claim, **values)
    return claim


def test_the_same_receipt_file_on_two_claims_is_flagged_not_refused():
    w, _people, claim = setup()
    other = other_claim_with(w, amount_cents=999)
    other = services.submit(w.claimant_user, other)  # not refused
    flagged = duplicate_receipts(claim)
    [(expense, why)] = flagged[claim.expenses.get().pk]
    assert expense.claim_id == other.pk and why == "même fichier"
    assert duplicate_receipts(other)[other.expenses.get().pk][0][0].claim_id == claim.pk
    digest = hashlib.sha256(RECEIPT).hexdigest()
    assert set(claim.expenses.values_list("receipt_sha256", flat=True)) == {digest}


def test_the_same_amount_date_and_issuer_is_flagged_another_issuer_is_not():
    w, _people, claim = setup()
    same = other_claim_with(
        w, receipt=upload("scan.pdf", pdf_bytes() + b"% scan"), issuer="leroy  merlin BREST"
    )
    other_claim_with(
        w, receipt=upload("ticket.pdf", pdf_bytes() + b"% b"), issuer="Castorama Brest"
    )
    flagged = duplicate_receipts(claim)[claim.expenses.get().pk]
    assert [(e.claim_id, why) for e, why in flagged] == [
        (same.pk, "même montant, même date, même émetteur")
    ]


def test_the_reviewer_reads_the_flag_on_the_claims_page(client):
    w, people, claim = setup()
    other = other_claim_with(w)
    client.force_login(people.a)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "Justificatif peut-être déjà présenté" in page
    assert f"demande n° {other.pk}" in page
    client.force_login(w.claimant_user)
    assert (
        "Justificatif peut-être déjà présenté"
        not in client.get(claim.get_absolute_url()).content.decode()
    )


# --- on the pages: the state, the reason, the session ----------------------------------------


def test_the_claims_page_says_it_waits_for_a_second_approval_and_why_the_first_may_not(client):
    _w, people, claim = setup()
    client.force_login(people.a)
    client.post(
        reverse("funding:review", kwargs={"pk": claim.pk}),
        {"decision": "approve", "validated_expenses": expenses(claim), "confirmation": "1"},
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FIRST_APPROVED
    session = hashlib.sha256(client.session.session_key.encode()).hexdigest()[:16]
    step = claim.transitions.get(to_status=ClaimStatus.FIRST_APPROVED)
    assert (step.by, step.session) == (people.a, session)
    assert LedgerEntry.objects.latest("position").payload["session"] == session
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "En attente d&#x27;une seconde validation" in page
    assert "Vous avez donné la première validation" in page
    assert "Enregistrer la décision" not in page
    # Posting anyway is refused with the same words, and nothing changes.
    response = client.post(
        reverse("funding:review", kwargs={"pk": claim.pk}),
        {"decision": "approve", "validated_expenses": expenses(claim), "confirmation": "1"},
        follow=True,
    )
    assert "Vous avez donné la première validation" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.FIRST_APPROVED
    client.force_login(people.b)
    assert "Enregistrer la décision" in client.get(claim.get_absolute_url()).content.decode()


def test_the_payout_page_asks_the_second_person_to_confirm_and_refuses_the_recorder(client):
    _w, people, claim = setup()
    claim = recorded(people, claim)
    url = reverse("funding:pay", kwargs={"pk": claim.pk})
    client.force_login(people.c)
    page = client.get(url).content.decode()
    assert "Vous avez enregistré ce virement" in page and "Confirmer le virement" not in page
    response = client.post(
        reverse("funding:confirm_payout", kwargs={"pk": claim.pk}),
        {"action": "confirm", "confirmation": "1"},
        follow=True,
    )
    assert "Vous avez enregistré ce virement" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PAYOUT_RECORDED
    client.force_login(people.b)
    assert "Confirmer le virement" in client.get(url).content.decode()
    refused = client.post(
        reverse("funding:confirm_payout", kwargs={"pk": claim.pk}),
        {"action": "refuse", "refus-reason": ""},
    )
    assert refused.status_code == 400
    assert "Indiquez ce qui ne va pas dans ce virement." in refused.content.decode()
    client.post(
        reverse("funding:confirm_payout", kwargs={"pk": claim.pk}),
        {"action": "confirm", "confirmation": "1"},
    )
    transfer = Transfer.objects.get(claim=claim)
    assert (transfer.created_by, transfer.confirmed_by) == (people.c, people.b)
    assert (
        transfer.confirmed_session
        == (hashlib.sha256(client.session.session_key.encode()).hexdigest()[:16])
    )


def test_a_funder_of_the_envelope_sets_the_thresholds_in_euros(client):
    from kenlabour.mobilisation.tests.factories import CampaignFactory

    funder = FunderFactory()
    person = funder_user(funder)
    campaign = CampaignFactory()
    client.force_login(person)
    form = {
        "funder": funder.pk,
        "name": "Compensation 2026",
        "total": "10 000",
        "cap": "",
        "double_approval_above": "300",
        "payout_confirmation_above": "abc",
        "opens_on": "2026-01-05",
        "closes_on": "2026-03-31",
        "decision_reference": "CP-2026-01",
        "convention_date": "2026-01-02",
        "conflict_relay": "",
        "confirmation": "1",
    }
    url = reverse("funding:envelope_create") + f"?campagne={campaign.pk}"
    response = client.post(url, form)
    assert response.status_code == 200
    assert "payout_confirmation_above" in response.context["form"].errors
    client.post(url, form | {"payout_confirmation_above": "1 500,50"})
    envelope = funder.envelopes.get()
    assert envelope.double_approval_above_cents == 30_000
    assert envelope.payout_confirmation_above_cents == 150_050
    opened = LedgerEntry.objects.get(kind=LedgerKind.ENVELOPE_OPENED)
    assert opened.payload["double_approval_above_cents"] == 30_000


def test_a_round_and_a_transfer_to_a_relay_name_the_funders_session(client):
    from kenlabour.funding.tests.pages_money import money_world

    w = money_world(asks=(100_000,))
    client.force_login(w.funder_user)
    session = hashlib.sha256(client.session.session_key.encode()).hexdigest()[:16]
    slug = {"slug": w.envelope.slug}
    client.post(reverse("funding:allocate", kwargs=slug), {"confirmation": "1"})
    round_entry = LedgerEntry.objects.get(kind=LedgerKind.ALLOCATION)
    assert (round_entry.payload["by"], round_entry.payload["session"]) == (
        w.funder_user.pk,
        session,
    )
    assert Transition.objects.get(to_status=ClaimStatus.SCHEDULED).session == session
    client.post(
        reverse("funding:transfer_add", kwargs=slug),
        {
            "virement-relay": w.relay.pk,
            "virement-amount": "500",
            "virement-date": YESTERDAY.isoformat(),
            "virement-bank_reference": "RB-2020-29-1",
            "confirmation": "1",
        },
    )
    transfer = Transfer.objects.get()
    assert transfer.session == session
    assert LedgerEntry.objects.latest("position").payload["session"] == session
    assert ledger.broken_positions() == []

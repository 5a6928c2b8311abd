"""The demo's grant of 2020: it builds, is idempotent, its ledger verifies, nothing paid
exceeds the envelope, and the 2022 reconfiguration keeps the history."""

import datetime
import io

import pytest
from django.db.models import Sum

from kenlabour.accounts.demo import DEMO_ACCOUNTS
from kenlabour.accounts.models import User
from kenlabour.accounts.perms import can
from kenlabour.funding import allocation, demo
from kenlabour.funding.enums import ClaimStatus, TransferKind
from kenlabour.funding.models import Claim, ClaimLine, Coverage, Envelope, LedgerEntry, Transfer
from kenlabour.funding.selectors import claims as claim_selectors
from kenlabour.funding.services import ledger
from kenlabour.network.models import Actor

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "claims": sorted(
            Claim.objects.values_list("claimant__slug", "relay__slug", "status", "allocated_cents"),
            key=repr,
        ),
        "lines": ClaimLine.objects.count(),
        "transfers": sorted(Transfer.objects.values_list("key", "amount_cents", "date")),
        "ledger": list(LedgerEntry.objects.values_list("position", "hash")),
        "coverages": sorted(
            Coverage.objects.values_list("relay__slug", "departement", "valid_from", "valid_until")
        ),
    }


@pytest.fixture(scope="module")
def built(demo_site):
    """The demo, built once for the module (each test runs in a transaction rolled back)."""
    return demo_site


def test_demo_builds_once_and_its_ledger_verifies(built):
    assert "Financement : enveloppe" in built
    first = snapshot()
    out = io.StringIO()
    demo.build(out.write)
    assert "déjà construit" in out.getvalue()
    assert snapshot() == first
    assert ledger.broken_positions() == []
    # The whole verification: the chain, and the transfers and claims reconciled with it.
    from kenlabour.funding.selectors import verification

    check = verification.verify()
    assert check.intact, check.problems()[:5]
    assert LedgerEntry.objects.count() > 3 * Claim.objects.count() // 2
    # Bank references are private parts: the public form of the ledger never holds one.
    payouts = LedgerEntry.objects.filter(kind="transfer")
    assert payouts.exists()
    assert all("bank_reference" in e.payload["private"] for e in payouts)
    assert not any("bank_reference" in e.payload for e in payouts)


def test_demo_money_adds_up(built):
    envelope = Envelope.objects.get(slug=demo.SLUG)
    claims = Claim.objects.filter(envelope=envelope)
    statuses = dict(claims.values_list("status").annotate(n=Sum(1)))
    assert statuses[ClaimStatus.PAID] > claims.count() // 2  # most paid
    for status in (ClaimStatus.REJECTED, ClaimStatus.SUBMITTED, ClaimStatus.SCHEDULED):
        assert statuses.get(status, 0) >= 1
    payouts = Transfer.objects.filter(envelope=envelope, kind=TransferKind.RELAY_TO_CLAIMANT)
    paid = payouts.aggregate(t=Sum("amount_cents"))["t"]
    allocated = claims.aggregate(t=Sum("allocated_cents"))["t"]
    assert paid <= allocated <= envelope.total_cents
    # Oversubscribed: the whole envelope is shared, as the allocation says.
    granted = claims.filter(status__in=ClaimStatus.granted())
    shares = allocation.allocate(
        [allocation.Claim(c.pk, c.claimant_id, c.asked_cents) for c in granted],
        envelope.total_cents,
        default_cap=envelope.cap_cents,
    )
    assert shares.oversubscribed and allocated == envelope.total_cents
    assert shares.shares == dict(granted.order_by("pk").values_list("pk", "allocated_cents"))
    # Every payout is the claim's share; the Region paid each relay its claims' shares.
    for claim_pk, amount in payouts.values_list("claim", "amount_cents"):
        assert claims.get(pk=claim_pk).allocated_cents == amount
    for relay in Actor.objects.filter(claims_relayed__envelope=envelope).distinct():
        from_funder = Transfer.objects.filter(
            envelope=envelope, relay=relay, kind=TransferKind.FUNDER_TO_RELAY
        ).aggregate(t=Sum("amount_cents"))["t"]
        assert from_funder == granted.filter(relay=relay).aggregate(t=Sum("allocated_cents"))["t"]
    # Rejected claims free their deliveries.
    assert not ClaimLine.objects.filter(claim__status=ClaimStatus.REJECTED, live=True).exists()


def test_demo_claims_go_to_the_relay_covering_the_claimant(built):
    claims = Claim.objects.filter(envelope__slug=demo.SLUG).select_related("claimant", "relay")
    for claim in claims.order_by("pk")[:60]:
        covering = claim_selectors.relay_for(claim.claimant, claim.submitted_on).relay
        if claim_selectors.is_conflicted(covering, claim.claimant):
            assert claim.relay == claim.envelope.conflict_relay != covering
        else:
            assert covering == claim.relay
    relays = set(claims.values_list("relay__slug", flat=True))
    assert relays == {"labfab-rennes", "fabrique-du-loch", "ensta-bretagne"}
    assert claims.filter(claimant__slug="labfab-rennes", relay__slug="ensta-bretagne").exists()
    # No relay reviewed its own claim, nor one of its people's.
    for claim in Claim.objects.exclude(relay=None).select_related("claimant", "relay"):
        assert not claim_selectors.is_conflicted(claim.relay, claim.claimant), claim.pk


def test_demo_coverage_is_reconfigured_in_2022(built):
    saint_brieuc_maker = Actor.objects.filter(departement="22", place_less=False).first()
    in_2020 = claim_selectors.relay_for(saint_brieuc_maker, datetime.date(2020, 6, 1)).relay
    in_2022 = claim_selectors.relay_for(saint_brieuc_maker, datetime.date(2022, 6, 1)).relay
    assert in_2020.slug == "labfab-rennes"
    assert in_2022.slug == "fablab-22278"
    assert Coverage.objects.filter(departement="22").count() == 2  # history kept


def test_demo_accounts_hold_their_funding_roles(built):
    treasurer = User.objects.get(email=demo.TREASURER_EMAIL)
    labfab = Actor.objects.get(slug="labfab-rennes")
    loch = Actor.objects.get(slug="fabrique-du-loch")
    assert can(treasurer, "funding.see_relay", labfab)
    assert not can(treasurer, "funding.see_relay", loch)
    funder = User.objects.get(email=demo.FUNDER_EMAIL)
    assert can(funder, "funding.create_envelope", Actor.objects.get(slug=demo.FUNDER_SLUG))


def test_demo_lives_in_the_present(built):
    """An open envelope on the current campaign with claims at every stage, dated from
    today; the walks of the personas work on it with the real services."""
    from django.utils import timezone

    from kenlabour.accounts.perms import strictly
    from kenlabour.funding.services import claims as claim_services
    from kenlabour.funding.services import money as money_services
    from kenlabour.mobilisation.demo import CURRENT_CAMPAIGN_SLUG

    today = timezone.localdate()
    envelope = Envelope.objects.get(slug=demo.CURRENT_SLUG)
    assert envelope.campaign.slug == CURRENT_CAMPAIGN_SLUG
    assert envelope.opens_on <= today <= envelope.closes_on
    claims = Claim.objects.filter(envelope=envelope)
    assert set(claims.values_list("status", flat=True)) >= {
        ClaimStatus.DRAFT,
        ClaimStatus.SUBMITTED,
        ClaimStatus.CHANGES_REQUESTED,
        ClaimStatus.APPROVED,
        ClaimStatus.SCHEDULED,
        ClaimStatus.PAYOUT_RECORDED,
        ClaimStatus.PAID,
        ClaimStatus.REJECTED,
    }
    assert all(
        today - datetime.timedelta(days=30) <= c.submitted_on <= today
        for c in claims.exclude(submitted_on=None)
    )
    # The claim the treasurer reviews comes with its expenses' receipts (real PDFs).
    reviewed = claims.get(status=ClaimStatus.SUBMITTED, relay__slug="labfab-rennes")
    assert reviewed.expenses.count() == len(demo.CURRENT_EXPENSES)
    with reviewed.expenses.first().receipt.open("rb") as receipt:
        assert receipt.read(5) == b"%PDF-"
    # A second envelope, opening next week, has no claim yet: its funder may change it.
    upcoming = Envelope.objects.filter(campaign=envelope.campaign).exclude(pk=envelope.pk).get()
    assert upcoming.opens_on > today and not upcoming.claims.exists()
    assert money_services.may_change(upcoming)
    assert money_services.may_manage(User.objects.get(email=demo.FUNDER_EMAIL), upcoming)
    # The maker (a demo account) has confirmed deliveries left to claim; her claim goes to
    # the LabFab de Rennes, whose treasurer approves it.
    assert demo.MAKER_EMAIL in [email for email, *_rest in DEMO_ACCOUNTS]
    maker_user = User.objects.get(email=demo.MAKER_EMAIL)
    maker = Actor.objects.get(slug=demo.MAKER_SLUG)
    assert can(maker_user, "funding.claim_for", maker)
    assert claim_selectors.claimable_deliveries(maker, envelope)
    claim = claim_services.create_claim(maker_user, envelope, maker)
    claim = claim_services.submit(maker_user, claim)
    treasurer = User.objects.get(email=demo.TREASURER_EMAIL)
    assert claim.relay.slug == "labfab-rennes"
    claim = claim_services.review(treasurer, claim, claim_services.APPROVE)
    assert claim.status == ClaimStatus.APPROVED, "under the envelope's 100 €: one approval"
    # The claim under review above 100 € takes two approvals, by two people.
    second = User.objects.get(email=demo.SECOND_TREASURER[0])
    reviewed = claim_services.review(
        treasurer,
        reviewed,
        claim_services.APPROVE,
        validated_expenses=[e.pk for e in reviewed.expenses.all()],
    )
    assert reviewed.status == ClaimStatus.FIRST_APPROVED
    assert not strictly(treasurer, "funding.review_claim", reviewed)
    reviewed = claim_services.review(
        second,
        reviewed,
        claim_services.APPROVE,
        validated_expenses=[e.pk for e in reviewed.expenses.all()],
    )
    assert reviewed.status == ClaimStatus.APPROVED
    # The payout comptable@ recorded waits for a second person: tresorier@ confirms it.
    recorded = claims.get(status=ClaimStatus.PAYOUT_RECORDED)
    assert recorded.relay.slug == "labfab-rennes"
    payer = User.objects.get(email=demo.THIRD_TREASURER[0])
    assert not strictly(payer, "funding.confirm_payout", recorded)
    assert strictly(treasurer, "funding.confirm_payout", recorded)
    transfer = money_services.confirm_payout(treasurer, recorded)
    assert (transfer.created_by, transfer.confirmed_by) == (payer, treasurer)
    # The funder runs a second round after the first payments: floors kept, within the
    # envelope, the approved claims scheduled.
    floors = dict(
        claims.filter(status__in=ClaimStatus.granted()).values_list("pk", "allocated_cents")
    )
    funder = User.objects.get(email=demo.FUNDER_EMAIL)
    run = money_services.allocate(funder, envelope)
    assert run.scheduled >= 2
    after = dict(claims.filter(pk__in=floors).values_list("pk", "allocated_cents"))
    assert after == floors
    granted = claims.filter(status__in=[ClaimStatus.SCHEDULED, ClaimStatus.PAID])
    assert granted.aggregate(t=Sum("allocated_cents"))["t"] <= envelope.total_cents
    assert ledger.broken_positions() == []
    # The LabFab's own deliveries are left for orga@, and would go to the other relay.
    labfab = Actor.objects.get(slug="labfab-rennes")
    assert claim_selectors.claimable_deliveries(labfab, envelope)
    assert envelope.conflict_relay.slug == "ensta-bretagne"

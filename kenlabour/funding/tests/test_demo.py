"""The demo's grant of 2020: it builds, is idempotent, its ledger verifies, nothing paid
exceeds the envelope, and the 2022 reconfiguration keeps the history."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

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
            Claim.objects.values_list("claimant__slug", "relay__slug", "status", "allocated_cents")
        ),
        "lines": ClaimLine.objects.count(),
        "transfers": sorted(Transfer.objects.values_list("key", "amount_cents", "date")),
        "ledger": list(LedgerEntry.objects.values_list("position", "hash")),
        "coverages": sorted(
            Coverage.objects.values_list("relay__slug", "departement", "valid_from", "valid_until")
        ),
    }


@pytest.fixture
def built():
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_demo_builds_once_and_its_ledger_verifies(built):
    assert "Financement : enveloppe" in built
    first = snapshot()
    out = io.StringIO()
    demo.build(out.write)
    assert "déjà construit" in out.getvalue()
    assert snapshot() == first
    assert ledger.broken_positions() == []
    assert LedgerEntry.objects.count() > 3 * Claim.objects.count() // 2


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
    granted = claims.filter(status__in=[ClaimStatus.SCHEDULED, ClaimStatus.PAID])
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
    for claim in Claim.objects.select_related("claimant", "relay").order_by("pk")[:60]:
        assert claim_selectors.relay_for(claim.claimant, claim.submitted_on).relay == claim.relay
    relays = set(Claim.objects.values_list("relay__slug", flat=True))
    assert relays == {"labfab-rennes", "fabrique-du-loch", "ensta-bretagne"}


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

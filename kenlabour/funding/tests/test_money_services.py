"""The money room's services: opening an envelope, allocating it, transfers, payouts,
coverage reconfiguration; permissions per role; nothing written on a refusal."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kenlabour.accounts.tests.factories import UserFactory, user_with_role
from kenlabour.funding.enums import ClaimStatus, LedgerKind, TransferKind
from kenlabour.funding.models import Claim, Coverage, Envelope, LedgerEntry, Rate, Transfer
from kenlabour.funding.selectors.claims import relay_for
from kenlabour.funding.services import ledger
from kenlabour.funding.services import money as services
from kenlabour.funding.tests.factories import FunderFactory, RelayFactory, funder_user, treasurer
from kenlabour.funding.tests.pages_money import OVERSUBSCRIBED, approved_claim, money_world
from kenlabour.mobilisation.tests.factories import CampaignFactory, ItemTypeFactory
from kenlabour.network.tests.factories import FablabFactory
from kenlabour.territories.models import Commune, Departement

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def entries(kind) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(kind=kind).order_by("position"))


def _fresh(claims):
    return {c.pk: c for c in Claim.objects.filter(pk__in=[c.pk for c in claims])}


# --- allocation -----------------------------------------------------------------------------


def test_an_oversubscribed_envelope_is_shared_whole_pro_rata_within_the_caps():
    w = money_world(total_cents=1_000_000, cap_cents=300_000, asks=OVERSUBSCRIBED)
    assert sum(OVERSUBSCRIBED) > w.envelope.total_cents

    run = services.allocate(w.funder_user, w.envelope)

    claims = _fresh(w.claims)
    shares = {pk: c.allocated_cents for pk, c in claims.items()}
    assert sum(shares.values()) == w.envelope.total_cents  # the whole envelope, never more
    for claim in claims.values():
        assert 0 <= claim.allocated_cents <= claim.asked_cents
        assert claim.allocated_cents <= w.envelope.cap_cents
        assert claim.status == ClaimStatus.SCHEDULED
    # The largest ask's plain pro-rata share is above the cap: it gets exactly the cap.
    largest = max(claims.values(), key=lambda c: c.asked_cents)
    assert largest.asked_cents * w.envelope.total_cents // sum(OVERSUBSCRIBED) > 300_000
    assert largest.allocated_cents == 300_000
    # The others share the rest pro rata to their asks, to the cent.
    others = [c for c in claims.values() if c.pk != largest.pk]
    for a in others:
        for b in others:
            gap = abs(a.allocated_cents * b.asked_cents - b.allocated_cents * a.asked_cents)
            assert gap < a.asked_cents + b.asked_cents
    assert run.scheduled == len(OVERSUBSCRIBED) and run.unfunded == 0
    # One Transition APPROVED → SCHEDULED per claim, by the funder's person.
    for claim in claims.values():
        step = claim.transitions.order_by("-pk").first()
        assert (step.from_status, step.to_status) == (ClaimStatus.APPROVED, ClaimStatus.SCHEDULED)
        assert step.by == w.funder_user
        assert step.reason_code == "allocation"
        assert step.reason_text() == "Répartition de l'enveloppe"
    # One ALLOCATION entry per share, with the share written on the claim.
    written = {e.payload["claim"]: e.payload["allocated_cents"] for e in entries("allocation")}
    assert written == shares
    assert ledger.broken_positions() == []
    w.envelope.refresh_from_db()
    assert w.envelope.allocated_at is not None


def test_an_envelope_that_suffices_gives_each_what_it_asks_up_to_the_cap():
    w = money_world(total_cents=1_000_000, cap_cents=100_000, asks=(50_000, 150_000, 70_000))
    services.allocate(w.funder_user, w.envelope)
    for claim in _fresh(w.claims).values():
        assert claim.allocated_cents == min(claim.asked_cents, 100_000)


def test_claims_still_under_review_are_left_out():
    w = money_world(asks=(100_000,))
    waiting = Claim.objects.create(
        envelope=w.envelope,
        claimant=FablabFactory(),
        relay=w.relay,
        status=ClaimStatus.SUBMITTED,
        units_cents=500_000,
    )
    services.allocate(w.funder_user, w.envelope)
    waiting.refresh_from_db()
    assert waiting.status == ClaimStatus.SUBMITTED and waiting.allocated_cents is None


def test_a_second_round_never_lowers_the_scheduled_shares():
    w = money_world(total_cents=1_000_000, cap_cents=None, asks=(400_000, 400_000, 100_000))
    services.allocate(w.funder_user, w.envelope)
    before = {pk: c.allocated_cents for pk, c in _fresh(w.claims).items()}
    assert before == {c.pk: c.asked_cents for c in w.claims}  # it all fitted
    transitions_before = {c.pk: c.transitions.count() for c in w.claims}
    late = approved_claim(w, 250_000)

    run = services.allocate(w.funder_user, w.envelope)

    after = _fresh(w.claims)
    assert {pk: after[pk].allocated_cents for pk in before} == before  # floors kept
    # The late claim gets what was left (100,000 of its 250,000), no more.
    assert after[late.pk].status == ClaimStatus.SCHEDULED
    assert after[late.pk].allocated_cents == 100_000
    assert sum(c.allocated_cents for c in after.values()) == w.envelope.total_cents
    assert not entries("correction")
    assert [e.payload["claim"] for e in entries("allocation")][-1] == late.pk
    assert run.scheduled == 1 and run.unfunded == 0
    assert {pk: after[pk].transitions.count() for pk in before} == transitions_before


def test_a_round_after_a_payment_shares_what_is_left_among_the_new_claims():
    w = money_world(total_cents=1_000_000, cap_cents=300_000, asks=(400_000, 300_000))
    services.allocate(w.funder_user, w.envelope)  # 300,000 + 300,000: 400,000 left
    services.pay_claim(w.treasurer_user, w.claims[0], date=YESTERDAY, bank_reference="VIR-1")
    paid = _fresh(w.claims)[w.claims[0].pk]
    # The paid claimant asks again: its cap counts what it already got (nothing more).
    again = approved_claim(w, 50_000, claimant=w.claims[0].claimant)
    new = [approved_claim(w, 300_000), approved_claim(w, 500_000)]

    run = services.allocate(w.funder_user, w.envelope)

    after = _fresh(w.claims)
    assert after[paid.pk].status == ClaimStatus.PAID
    assert after[paid.pk].allocated_cents == paid.allocated_cents == 300_000
    assert after[again.pk].allocated_cents == 0 and after[again.pk].status == ClaimStatus.APPROVED
    # 400,000 left for 300,000 and 500,000 (capped at 300,000): 600,000 eligible, so
    # oversubscribed; at level 1/2 the cap does not bind: 150,000 and 250,000.
    assert after[new[0].pk].allocated_cents == 150_000
    assert after[new[1].pk].allocated_cents == 250_000
    assert sum(c.allocated_cents or 0 for c in after.values()) == w.envelope.total_cents
    assert run.scheduled == 2 and run.unfunded == 1
    assert ledger.broken_positions() == []


def test_a_round_on_a_wholly_shared_envelope_gives_nothing_and_schedules_nothing():
    w = money_world(total_cents=100_000, cap_cents=None, asks=(400_000,))
    services.allocate(w.funder_user, w.envelope)
    late = approved_claim(w, 10_000)
    count = entries("allocation")
    run = services.allocate(w.funder_user, w.envelope)
    late.refresh_from_db()
    assert late.status == ClaimStatus.APPROVED and late.allocated_cents == 0
    assert run.scheduled == 0 and run.unfunded == 1
    assert entries("allocation") == count
    assert services.remaining_cents(w.envelope) == 0


def test_allocating_with_no_approved_claim_is_refused():
    w = money_world()
    with pytest.raises(ValidationError, match="rien à répartir"):
        services.allocate(w.funder_user, w.envelope)
    assert not LedgerEntry.objects.filter(kind=LedgerKind.ALLOCATION).exists()


def test_only_the_envelopes_funder_allocates_no_superuser_nor_administrator():
    w = money_world(asks=(100_000,))
    other_funder = funder_user(FunderFactory())
    superuser = UserFactory(is_superuser=True, is_staff=True)
    admin = user_with_role("platform_admin")
    for user in (other_funder, w.treasurer_user, UserFactory(), superuser, admin):
        with pytest.raises(PermissionDenied):
            services.allocate(user, w.envelope)
    assert Claim.objects.get(pk=w.claims[0].pk).status == ClaimStatus.APPROVED
    services.allocate(w.funder_user, w.envelope)
    assert Claim.objects.get(pk=w.claims[0].pk).status == ClaimStatus.SCHEDULED


# --- payouts --------------------------------------------------------------------------------


def test_paying_twice_pays_once():
    w = money_world(asks=(400_000,))
    services.allocate(w.funder_user, w.envelope)
    claim = w.claims[0]

    first, created = services.pay_claim(
        w.treasurer_user, claim, date=YESTERDAY, bank_reference="VIR-2020-0001"
    )
    again, created_again = services.pay_claim(
        w.treasurer_user, claim, date=timezone.localdate(), bank_reference="VIR-AUTRE"
    )

    assert created and not created_again
    assert again.pk == first.pk and again.bank_reference == "VIR-2020-0001"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    transfers = Transfer.objects.filter(claim=claim)
    assert transfers.count() == 1
    payout = transfers.get()
    assert payout.kind == TransferKind.RELAY_TO_CLAIMANT
    assert payout.key == f"claim:{claim.pk}:payout"
    assert payout.amount_cents == claim.allocated_cents
    assert payout.relay == w.relay
    assert claim.transitions.filter(to_status=ClaimStatus.PAID).count() == 1
    paid_entries = [e for e in entries("transfer") if e.payload["claim"] == claim.pk]
    assert len(paid_entries) == 1
    assert paid_entries[0].payload["amount_cents"] == claim.allocated_cents


def test_only_the_treasurer_of_the_claims_relay_pays():
    w = money_world(asks=(400_000,))
    services.allocate(w.funder_user, w.envelope)
    count = LedgerEntry.objects.count()
    for user in (w.other_treasurer, w.funder_user, UserFactory(is_superuser=False)):
        with pytest.raises(PermissionDenied):
            services.pay_claim(user, w.claims[0], date=YESTERDAY, bank_reference="VIR-1")
    assert not Transfer.objects.exists()
    assert LedgerEntry.objects.count() == count
    assert Claim.objects.get(pk=w.claims[0].pk).status == ClaimStatus.SCHEDULED


def test_a_claim_not_scheduled_or_bad_payment_details_are_refused():
    w = money_world(asks=(400_000, 200_000))
    with pytest.raises(ValidationError, match="programmé"):
        services.pay_claim(w.treasurer_user, w.claims[0], date=YESTERDAY, bank_reference="V")
    services.allocate(w.funder_user, w.envelope)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.pay_claim(w.treasurer_user, w.claims[0], date=tomorrow, bank_reference="  ")
    assert set(error.value.error_dict) == {"date", "bank_reference"}
    assert not Transfer.objects.filter(kind=TransferKind.RELAY_TO_CLAIMANT).exists()
    assert Claim.objects.get(pk=w.claims[0].pk).status == ClaimStatus.SCHEDULED


# --- transfers from the funder --------------------------------------------------------------


def test_a_transfer_to_a_relay_is_recorded_in_the_ledger_once():
    w = money_world()
    transfer = services.add_transfer(
        w.funder_user,
        w.envelope,
        relay=w.relay,
        amount_cents=250_000,
        date=YESTERDAY,
        bank_reference="RB-2020-29-1",
    )
    assert transfer.kind == TransferKind.FUNDER_TO_RELAY
    assert transfer.key == f"envelope:{w.envelope.pk}:relay:{w.relay.pk}:RB-2020-29-1"
    [entry] = entries("transfer")
    assert entry.payload["amount_cents"] == 250_000 and entry.payload["relay"] == w.relay.pk
    with pytest.raises(ValidationError) as error:
        services.add_transfer(
            w.funder_user,
            w.envelope,
            relay=w.relay,
            amount_cents=1_000,
            date=YESTERDAY,
            bank_reference="RB-2020-29-1",
        )
    assert "bank_reference" in error.value.error_dict
    assert Transfer.objects.count() == 1 and len(entries("transfer")) == 1


def test_transfers_never_exceed_the_envelope():
    w = money_world(total_cents=100_000)
    services.add_transfer(
        w.funder_user,
        w.envelope,
        relay=w.relay,
        amount_cents=60_000,
        date=YESTERDAY,
        bank_reference="A",
    )
    with pytest.raises(ValidationError, match="dépasserait"):
        services.add_transfer(
            w.funder_user,
            w.envelope,
            relay=w.other_relay,
            amount_cents=40_001,
            date=YESTERDAY,
            bank_reference="B",
        )
    assert Transfer.objects.count() == 1


def test_only_the_envelopes_funder_records_its_transfers():
    w = money_world()
    for user in (funder_user(FunderFactory()), w.treasurer_user):
        with pytest.raises(PermissionDenied):
            services.add_transfer(
                user,
                w.envelope,
                relay=w.relay,
                amount_cents=1_000,
                date=YESTERDAY,
                bank_reference="X",
            )
    assert not Transfer.objects.exists()


# --- envelopes ------------------------------------------------------------------------------


def _envelope_data(funder, campaign, **overrides):
    today = timezone.localdate()
    return {
        "funder": funder,
        "campaign": campaign,
        "name": "Compensation des makers 2020",
        "total_cents": 15_000_000,
        "cap_cents": 300_000,
        "opens_on": today,
        "closes_on": today + datetime.timedelta(days=60),
        "decision_reference": "CP-2020-0412",
        "convention_date": today,
        **overrides,
    }


def test_a_funders_person_opens_an_envelope_with_rates_and_a_ledger_entry():
    funder = FunderFactory()
    user = funder_user(funder)
    campaign = CampaignFactory()
    visor = ItemTypeFactory(campaign=campaign, unit_cost_cents=150)
    gown = ItemTypeFactory(campaign=campaign, unit_cost_cents=420)
    ItemTypeFactory()  # another campaign's

    envelope = services.create_envelope(
        user, **_envelope_data(funder, campaign), rates={gown.pk: 500}
    )

    rates = dict(Rate.objects.filter(envelope=envelope).values_list("item_type", "cents_per_unit"))
    assert rates == {visor.pk: 150, gown.pk: 500}
    [entry] = entries("envelope_opened")
    assert entry.payload["envelope"] == envelope.slug
    assert entry.payload["total_cents"] == 15_000_000
    assert entry.payload["funder"] == funder.pk


def test_closing_before_opening_is_refused_and_nothing_is_written():
    funder = FunderFactory()
    today = timezone.localdate()
    data = _envelope_data(funder, CampaignFactory(), closes_on=today - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        services.create_envelope(funder_user(funder), **data)
    assert "closes_on" in error.value.error_dict
    assert not Envelope.objects.exists() and not LedgerEntry.objects.exists()


def test_only_a_funders_people_open_its_envelopes():
    funder = FunderFactory()
    data = _envelope_data(funder, CampaignFactory())
    relay = RelayFactory()
    for user in (funder_user(FunderFactory()), treasurer(relay), UserFactory()):
        with pytest.raises(PermissionDenied):
            services.create_envelope(user, **data)
    assert not Envelope.objects.exists()


# --- coverage -------------------------------------------------------------------------------


def test_coverage_is_reconfigured_from_a_date_and_history_is_kept():
    w = money_world()
    morbihan = Departement.objects.get(code="56")
    newcomer = RelayFactory(name="Réseau des fablabs du pays de Lorient")
    admin = UserFactory(is_superuser=True)
    change = datetime.date(2021, 3, 1)

    services.add_coverage(admin, relay=newcomer, departement=morbihan, valid_from=change)

    rows = list(Coverage.objects.filter(departement=morbihan).order_by("valid_from"))
    assert [(r.relay, r.valid_from, r.valid_until) for r in rows] == [
        (w.other_relay, datetime.date(2020, 1, 1), datetime.date(2021, 2, 28)),
        (newcomer, change, None),
    ]
    claimant = FablabFactory(commune=Commune.objects.get(code="56121"))  # Lorient
    assert relay_for(claimant, datetime.date(2021, 2, 28)).relay == w.other_relay
    assert relay_for(claimant, change).relay == newcomer
    # Finistère is untouched.
    assert Coverage.objects.get(departement="29").valid_until is None


def test_overlapping_coverage_is_refused():
    w = money_world()
    admin = UserFactory(is_superuser=True)
    morbihan = Departement.objects.get(code="56")
    services.add_coverage(
        admin, relay=w.relay, departement=morbihan, valid_from=datetime.date(2022, 1, 1)
    )
    with pytest.raises(ValidationError, match="chevauchent"):
        services.add_coverage(
            admin,
            relay=RelayFactory(),
            departement=morbihan,
            valid_from=datetime.date(2021, 6, 1),
            valid_until=datetime.date(2022, 6, 1),
        )
    assert Coverage.objects.filter(departement=morbihan).count() == 2


def test_only_administrators_reconfigure_coverage():
    w = money_world()
    for user in (w.funder_user, w.treasurer_user):
        with pytest.raises(PermissionDenied):
            services.add_coverage(
                user,
                relay=w.relay,
                departement=Departement.objects.get(code="56"),
                valid_from=datetime.date(2021, 1, 1),
            )
    assert Coverage.objects.get(departement="56").valid_until is None

"""Data of the money room: a small world shared by its tests (a funder and its person, two
relays covering Finistère and Morbihan with their treasurers, an envelope with a cap, claims
approved by the relays), and the setups of the accessibility audit
(kenlabour/web/audit.py), which create what a page shows and return the URL's kwargs."""

import datetime
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from kenlabour.accounts.models import User
from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.funding.enums import ClaimStatus, ExpenseKind
from kenlabour.funding.models import Claim, ClaimLine, Envelope, Expense, Transfer, Transition
from kenlabour.funding.services import money as services
from kenlabour.funding.tests.factories import (
    CoverageFactory,
    EnvelopeFactory,
    FunderFactory,
    RelayFactory,
    confirmed_delivery,
    funder_user,
    treasurer,
)
from kenlabour.mobilisation.tests.factories import CampaignFactory, ItemTypeFactory
from kenlabour.network.models import Actor
from kenlabour.network.tests.factories import FablabFactory
from kenlabour.territories.models import Departement


@dataclass
class MoneyWorld:
    funder: Actor
    funder_user: User
    envelope: Envelope
    relay: Actor  # Finistère
    other_relay: Actor  # Morbihan
    treasurer_user: User  # pays the relay's claims
    other_treasurer: User
    # Who approved the claims: another treasurer of each relay (nobody pays what they
    # approved).
    reviewer: User | None = None
    other_reviewer: User | None = None
    claims: list[Claim] = field(default_factory=list)


def approved_claim(
    w: MoneyWorld, asked_cents: int, *, relay: Actor | None = None, claimant: Actor | None = None
) -> Claim:
    """A claim the relay approved, as the claims room leaves it: asked = units + validated
    expenses (split 80/20), made of a confirmed delivery and a receipt, with a DRAFT →
    SUBMITTED → APPROVED history."""
    relay = relay or w.relay
    claimant = claimant or FablabFactory()
    expenses = asked_cents // 5
    claim = Claim.objects.create(
        envelope=w.envelope,
        claimant=claimant,
        relay=relay,
        status=ClaimStatus.APPROVED,
        units_cents=asked_cents - expenses,
        expenses_cents=expenses,
        submitted_on=timezone.localdate() - datetime.timedelta(days=5),
    )
    by = w.reviewer if relay == w.relay else w.other_reviewer
    Transition.objects.bulk_create(
        [
            Transition(claim=claim, to_status=ClaimStatus.DRAFT),
            Transition(claim=claim, from_status=ClaimStatus.DRAFT, to_status=ClaimStatus.SUBMITTED),
            Transition(
                claim=claim,
                from_status=ClaimStatus.SUBMITTED,
                to_status=ClaimStatus.APPROVED,
                by=by,
            ),
        ]
    )
    delivery = confirmed_delivery(claimant, ItemTypeFactory(campaign=w.envelope.campaign), 1)
    ClaimLine.objects.create(
        claim=claim, delivery=delivery, units=1, cents_per_unit=claim.units_cents
    )
    if expenses:
        Expense.objects.create(
            claim=claim,
            kind=ExpenseKind.MATERIAL,
            label="Bobines de PETG",
            amount_cents=expenses,
            receipt=ContentFile(b"%PDF-1.4 facture", name="facture.pdf"),
            receipt_kind="application/pdf",
            spent_on=claim.submitted_on,
            validated=True,
        )
    w.claims.append(claim)
    return claim


def money_world(
    total_cents: int = 1_000_000, cap_cents: int | None = 300_000, asks: tuple = ()
) -> MoneyWorld:
    """A Regional Council and its person; relays for Finistère and Morbihan and their
    treasurers (one approves, one pays); an envelope of the Council (10,000 €, capped at
    3,000 € by claimant); one approved claim per amount of `asks`, alternating between the
    two relays."""
    funder = FunderFactory(name="Conseil régional de Bretagne")
    relay = RelayFactory(name="Fabrique solidaire du Finistère")
    other = RelayFactory(name="Makers du Morbihan")
    CoverageFactory(relay=relay, departement=Departement.objects.get(code="29"))
    CoverageFactory(relay=other, departement=Departement.objects.get(code="56"))
    envelope = EnvelopeFactory(
        funder=funder,
        name="Compensation des makers 2020",
        total_cents=total_cents,
        cap_cents=cap_cents,
    )
    w = MoneyWorld(
        funder=funder,
        funder_user=funder_user(funder),
        envelope=envelope,
        relay=relay,
        other_relay=other,
        treasurer_user=treasurer(relay),
        other_treasurer=treasurer(other),
        reviewer=treasurer(relay),
        other_reviewer=treasurer(other),
    )
    for n, asked in enumerate(asks):
        approved_claim(w, asked, relay=relay if n % 2 == 0 else other)
    return w


# --- audit setups --------------------------------------------------------------------------

OVERSUBSCRIBED = (450_000, 320_000, 280_000, 190_000, 75_050)


def _belong_to(funder) -> None:
    """The audit logs in as a person with the platform-wide funder role: make them one of
    the funder's people, as only those open or edit its envelopes."""
    from django.contrib.contenttypes.models import ContentType

    from kenlabour.accounts.enums import Role
    from kenlabour.accounts.models import RoleAssignment
    from kenlabour.network.models import Actor

    for user_id in RoleAssignment.objects.filter(role=Role.FUNDER, scope_type=None).values_list(
        "user_id", flat=True
    ):
        RoleAssignment.objects.get_or_create(
            user_id=user_id,
            role=Role.FUNDER,
            scope_type=ContentType.objects.get_for_model(Actor),
            scope_id=funder.pk,
        )


def audited_campaign() -> dict:
    """A campaign with two item types, and a public body to fund it (the audit's funder
    belongs to it)."""
    campaign = CampaignFactory(name="Mobilisation makers 2020")
    ItemTypeFactory(campaign=campaign, name="Visière Prusa RC3", unit_cost_cents=150)
    ItemTypeFactory(campaign=campaign, name="Surblouse en tissu", unit_cost_cents=420)
    _belong_to(FunderFactory(name="Conseil régional de Bretagne"))
    return {}


def audited_envelope_to_edit() -> dict:
    """An envelope no claim rests on yet, of a funder the audit's funder belongs to."""
    envelope = EnvelopeFactory(name="Compensation des makers 2020")
    ItemTypeFactory(campaign=envelope.campaign, name="Visière Prusa RC3", unit_cost_cents=150)
    _belong_to(envelope.funder)
    return {"slug": envelope.slug}


def audited_envelope_to_allocate() -> dict:
    """An oversubscribed envelope whose claims are approved, not yet allocated."""
    w = money_world(asks=OVERSUBSCRIBED)
    return {"slug": w.envelope.slug}


def allocated_world() -> MoneyWorld:
    """The oversubscribed envelope allocated, a transfer to each relay, one claim paid."""
    w = money_world(asks=OVERSUBSCRIBED)
    services.allocate(w.funder_user, w.envelope)
    day = timezone.localdate() - datetime.timedelta(days=1)
    for n, relay in enumerate((w.relay, w.other_relay), start=1):
        services.add_transfer(
            w.funder_user,
            w.envelope,
            relay=relay,
            amount_cents=200_000,
            date=day,
            bank_reference=f"RB-2020-{n}",
        )
    services.pay_claim(w.treasurer_user, w.claims[0], date=day, bank_reference="VIR-2020-0001")
    return w


def audited_envelope_allocated() -> dict:
    return {"slug": allocated_world().envelope.slug}


def audited_scheduled_claim() -> dict:
    """A claim whose payment is scheduled (the page to record its payout)."""
    w = allocated_world()
    return {"pk": w.claims[1].pk}


def audited_paid_claim() -> dict:
    w = allocated_world()
    return {"pk": w.claims[0].pk}


def audited_coverages() -> dict:
    """Coverage with history: Morbihan passed from one relay to another."""
    money_world()
    admin = UserFactory(is_superuser=True)
    services.add_coverage(
        admin,
        relay=RelayFactory(name="Réseau des fablabs du pays de Lorient"),
        departement=Departement.objects.get(code="56"),
        valid_from=datetime.date(2021, 1, 1),
    )
    return {}


def audited_ledger() -> dict:
    allocated_world()
    return {}


def audited_altered_ledger() -> dict:
    """The ledger page when a transfer was edited behind the application's back."""
    w = allocated_world()
    Transfer.objects.filter(envelope=w.envelope, claim__isnull=True).update(amount_cents=10_528_301)
    return {}

"""Reads of the money room: whom a funder's person opens envelopes for, an envelope's
figures for its funder (claims by status, asked against the envelope, transfers by relay),
the relays' coverage with its history, the ledger and its verification. Every figure is
an aggregate over the records; query counts do not grow with the number of rows."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment
from kenlabour.funding.enums import ClaimStatus, TransferKind
from kenlabour.funding.models import (
    Claim,
    Coverage,
    Envelope,
    LedgerEntry,
    Transfer,
    Transition,
)
from kenlabour.mobilisation.models import Campaign
from kenlabour.network.enums import ActorKind
from kenlabour.network.models import Actor

# The claims an allocation shares the envelope among, or has shared it among.
ALLOCATED_STATUSES = (ClaimStatus.APPROVED, *ClaimStatus.granted())
WAITING_STATUSES = (
    ClaimStatus.SUBMITTED,
    ClaimStatus.RESUBMITTED,
    ClaimStatus.FIRST_APPROVED,
    ClaimStatus.CHANGES_REQUESTED,
)
LEDGER_PAGE_SIZE = 100


def funders_for(user) -> QuerySet[Actor]:
    """The actors `user` may open envelopes for: only those they belong to, holding the
    funder role on them (a platform-wide role publishes in nobody's name)."""
    if not getattr(user, "is_authenticated", False):
        return Actor.objects.none()
    scoped = RoleAssignment.objects.filter(
        user=user, role=Role.FUNDER, scope_type=ContentType.objects.get_for_model(Actor)
    ).values("scope_id")
    return Actor.objects.filter(pk__in=scoped).order_by("name", "pk")


def campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.prefetch_related("item_types").order_by("-pk")


def envelope_for_manage(slug: str) -> Envelope:
    return Envelope.objects.select_related("funder", "campaign").get(slug=slug)


def relays() -> QuerySet[Actor]:
    """Actors that cover, or covered, a territory: the relays."""
    return Actor.objects.filter(pk__in=Coverage.objects.values("relay")).order_by("name", "pk")


@dataclass
class StatusFigure:
    status: str
    label: str
    count: int
    asked_cents: int
    allocated_cents: int


@dataclass
class RelayMoney:
    relay: Actor
    claims: int = 0
    allocated_cents: int = 0
    received_cents: int = 0  # from the funder
    paid_cents: int = 0  # to the claimants

    @property
    def to_receive_cents(self) -> int:
        return self.allocated_cents - self.received_cents


@dataclass
class EnvelopeFigures:
    envelope: Envelope
    statuses: list[StatusFigure]
    waiting: int  # claims still under review
    asked_cents: int  # by approved, scheduled and paid claims
    allocated_cents: int
    paid_cents: int
    sent_cents: int  # to the relays
    relays: list[RelayMoney] = field(default_factory=list)

    @property
    def oversubscribed(self) -> bool:
        return self.asked_cents > self.envelope.total_cents

    @property
    def percent(self) -> Decimal:
        """What the claims ask, as a percentage of the envelope, to one decimal."""
        return (Decimal(100 * self.asked_cents) / Decimal(self.envelope.total_cents)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def count(self) -> int:
        return sum(figure.count for figure in self.statuses)

    @property
    def has_paid(self) -> bool:
        return any(f.status == ClaimStatus.PAID and f.count for f in self.statuses)

    @property
    def can_allocate(self) -> bool:
        """A new round has claims to share among: approved claims not scheduled yet."""
        return any(f.count for f in self.statuses if f.status == ClaimStatus.APPROVED)


def envelope_figures(envelope: Envelope) -> EnvelopeFigures:
    """The envelope's claims by status, asked against the envelope, and by relay: what
    the allocation gave them, what the funder sent them, what they paid. Three queries."""
    claims = Claim.objects.filter(envelope=envelope)
    by_status = {
        row["status"]: row
        for row in claims.filter(status__in=ALLOCATED_STATUSES + WAITING_STATUSES)
        .values("status")
        .annotate(
            n=Count("pk"),
            asked=Coalesce(Sum(F("units_cents") + F("expenses_cents")), 0),
            allocated=Coalesce(Sum("allocated_cents"), 0),
        )
    }
    statuses = [
        StatusFigure(
            status=status.value,
            label=status.label,
            count=by_status.get(status, {}).get("n", 0),
            asked_cents=by_status.get(status, {}).get("asked", 0),
            allocated_cents=by_status.get(status, {}).get("allocated", 0),
        )
        for status in ALLOCATED_STATUSES
    ]
    waiting = sum(by_status.get(status, {}).get("n", 0) for status in WAITING_STATUSES)
    per_relay: dict[int, RelayMoney] = {}

    def relay_money(row) -> RelayMoney:
        if row["relay"] not in per_relay:
            relay = Actor(pk=row["relay"], name=row["relay__name"], slug=row["relay__slug"])
            per_relay[row["relay"]] = RelayMoney(relay)
        return per_relay[row["relay"]]

    for row in (
        claims.filter(status__in=ALLOCATED_STATUSES, relay__isnull=False)
        .values("relay", "relay__name", "relay__slug")
        .annotate(n=Count("pk"), allocated=Coalesce(Sum("allocated_cents"), 0))
    ):
        money = relay_money(row)
        money.claims = row["n"]
        money.allocated_cents = row["allocated"]
    for row in (
        Transfer.objects.filter(envelope=envelope)
        .values("relay", "relay__name", "relay__slug", "kind")
        .annotate(total=Sum("amount_cents"))
    ):
        money = relay_money(row)
        if row["kind"] == TransferKind.FUNDER_TO_RELAY:
            money.received_cents += row["total"]
        else:
            money.paid_cents += row["total"]
    relays_money = sorted(per_relay.values(), key=lambda m: (m.relay.name, m.relay.pk))
    return EnvelopeFigures(
        envelope=envelope,
        statuses=statuses,
        waiting=waiting,
        asked_cents=sum(f.asked_cents for f in statuses),
        allocated_cents=sum(f.allocated_cents for f in statuses),
        paid_cents=sum(m.paid_cents for m in relays_money),
        sent_cents=sum(m.received_cents for m in relays_money),
        relays=relays_money,
    )


def envelope_claims(envelope: Envelope) -> QuerySet[Claim]:
    """The claims the allocation shares the envelope among, with their claimant and relay."""
    return (
        Claim.objects.filter(envelope=envelope, status__in=ALLOCATED_STATUSES)
        .select_related("claimant", "relay")
        .order_by("relay__name", "claimant__name", "pk")
    )


def approved_waiting(envelope: Envelope) -> list[Claim]:
    """The approved claims the next round of allocation would share what is left among."""
    return list(Claim.objects.filter(envelope=envelope, status=ClaimStatus.APPROVED).order_by("pk"))


def envelope_transfers(envelope: Envelope) -> QuerySet[Transfer]:
    return (
        Transfer.objects.filter(envelope=envelope, kind=TransferKind.FUNDER_TO_RELAY)
        .select_related("relay")
        .order_by("date", "pk")
    )


def claim_to_pay(pk: int) -> Claim:
    """A claim with what its payment page shows and the steps its duties rest on."""
    return (
        Claim.objects.select_related("envelope", "envelope__funder", "claimant", "relay")
        .prefetch_related(Prefetch("transitions", queryset=Transition.objects.select_related("by")))
        .get(pk=pk)
    )


def payout_of(claim: Claim) -> Transfer | None:
    return Transfer.objects.filter(claim=claim, kind=TransferKind.RELAY_TO_CLAIMANT).first()


# --- coverage -------------------------------------------------------------------------------


@dataclass
class CoverageRow:
    coverage: Coverage
    current: bool
    past: bool


def coverage_history(today: datetime.date | None = None) -> list[CoverageRow]:
    """Every coverage row, by département then start date: current, past and future."""
    today = today or timezone.localdate()
    rows = Coverage.objects.select_related("relay", "departement").order_by(
        "departement__code", "valid_from", "pk"
    )
    return [
        CoverageRow(
            coverage=row,
            current=row.valid_from <= today
            and (row.valid_until is None or row.valid_until >= today),
            past=row.valid_until is not None and row.valid_until < today,
        )
        for row in rows
    ]


def coverage_relay_choices() -> QuerySet[Actor]:
    """Who may become a relay: organisations of the directory."""
    return Actor.objects.filter(kind=ActorKind.ORGANISATION).order_by("name", "pk")


# --- ledger ---------------------------------------------------------------------------------


def ledger_page(number) -> Page:
    """Entries, latest first, a page at a time."""
    entries = LedgerEntry.objects.order_by("-position")
    return Paginator(entries, LEDGER_PAGE_SIZE).get_page(number)

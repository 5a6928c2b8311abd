"""Reads of the public room: the transparency pages, the SCDL export, the statements.

Every figure is an aggregate over the records (claims, lines, transfers), never a kept
counter; every function makes a fixed number of queries whatever the number of claims.

What counts:
- *received* claims: every claim that reached its relay (not drafts, not cancelled);
- *granted* claims: those the allocation gave a share (scheduled for payment or paid);
- *paid*: the relay → claimant transfers; *pending*: the shares of claims scheduled for
  payment and not paid yet;
- people (actors of kind person) are shown by name only when they consented
  (`Actor.public_consent`); organisations and collectives are always named.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from kenlabour.funding.enums import ClaimStatus, TransferKind
from kenlabour.funding.models import Claim, ClaimLine, Coverage, Envelope, Transfer, Transition
from kenlabour.network.enums import ActorKind
from kenlabour.network.models import Actor

RECEIVED = tuple(sorted(set(ClaimStatus) - {ClaimStatus.DRAFT, ClaimStatus.CANCELLED}))
GRANTED = ClaimStatus.granted()


# --- anonymisation ---------------------------------------------------------------------


def is_public(actor: Actor) -> bool:
    """Whether an actor may be named in the open: organisations and collectives always,
    a person only with their consent."""
    return actor.kind != ActorKind.PERSON or bool(actor.public_consent)


def public_name(actor: Actor) -> str:
    return actor.name if is_public(actor) else _("Personne anonyme")


# --- the list of envelopes -------------------------------------------------------------


def _paid_subquery(**filters) -> Subquery:
    transfers = (
        Transfer.objects.filter(kind=TransferKind.RELAY_TO_CLAIMANT, **filters)
        .order_by()
        .values("envelope")
        .annotate(total=Sum("amount_cents"))
        .values("total")
    )
    return Coalesce(Subquery(transfers, output_field=IntegerField()), Value(0))


def public_envelopes() -> list[Envelope]:
    """Every envelope with its funder, campaign and figures (one query)."""
    received = Q(claims__status__in=RECEIVED)
    granted = Q(claims__status__in=GRANTED)
    return list(
        Envelope.objects.select_related("funder", "campaign")
        .annotate(
            received_count=Count("claims", filter=received),
            beneficiary_count=Count("claims__claimant", filter=granted, distinct=True),
            allocated_cents=Coalesce(Sum("claims__allocated_cents", filter=granted), Value(0)),
            paid_cents=_paid_subquery(envelope=OuterRef("pk")),
        )
        .order_by("-opens_on", "name")
    )


# --- one envelope ----------------------------------------------------------------------


@dataclass
class Figures:
    """Amounts (cents) and counts of a group of claims."""

    received: int = 0  # claims received
    claimants: int = 0  # distinct claimants among received claims
    beneficiaries: int = 0  # distinct claimants with a share
    asked_cents: int = 0  # units + validated expenses of granted claims
    allocated_cents: int = 0  # shares of granted claims
    paid_cents: int = 0  # relay → claimant transfers
    from_funder_cents: int = 0  # funder → relay transfers (relays only)

    @property
    def pending_cents(self) -> int:
        """Shares decided and not paid yet."""
        return max(0, self.allocated_cents - self.paid_cents)


@dataclass
class RelayRow:
    relay: Actor
    departements: list[str]  # codes covered during the envelope's period
    figures: Figures


@dataclass
class DepartementRow:
    code: str  # "" for place-less collectives
    name: str
    figures: Figures


@dataclass
class ItemRow:
    name: str
    units: int
    cents: int  # units × rate, as asked


@dataclass
class StatusRow:
    status: str
    label: str
    count: int


@dataclass
class BeneficiaryRow:
    name: str
    kind: str
    departement: str
    relay: str
    status: str
    allocated_cents: int
    paid_cents: int


@dataclass
class EnvelopeReport:
    envelope: Envelope
    totals: Figures
    relays: list[RelayRow]
    departements: list[DepartementRow]
    items: list[ItemRow]
    statuses: list[StatusRow]
    beneficiaries: list[BeneficiaryRow] = field(default_factory=list)

    @property
    def unallocated_cents(self) -> int:
        return max(0, self.envelope.total_cents - self.totals.allocated_cents)


def public_envelope(slug: str) -> Envelope:
    """Raises Envelope.DoesNotExist."""
    return Envelope.objects.select_related("funder", "campaign").get(slug=slug)


def _claim_figures() -> dict:
    granted = Q(status__in=GRANTED)
    return {
        "received": Count("pk"),
        "claimants": Count("claimant", distinct=True),
        "beneficiaries": Count("claimant", filter=granted, distinct=True),
        "units": Coalesce(Sum("units_cents", filter=granted), Value(0)),
        "expenses": Coalesce(Sum("expenses_cents", filter=granted), Value(0)),
        "allocated": Coalesce(Sum("allocated_cents", filter=granted), Value(0)),
    }


def _figures(row: dict) -> Figures:
    return Figures(
        received=row["received"],
        claimants=row["claimants"],
        beneficiaries=row["beneficiaries"],
        asked_cents=row["units"] + row["expenses"],
        allocated_cents=row["allocated"],
    )


def envelope_report(envelope: Envelope) -> EnvelopeReport:
    """The transparency page's figures (seven queries, whatever the number of claims)."""
    received = Claim.objects.filter(envelope=envelope, status__in=RECEIVED).order_by()
    transfers = Transfer.objects.filter(envelope=envelope).order_by()

    totals = _figures(received.aggregate(**_claim_figures()))

    # By relay: claims, then transfers (both kinds), then the relays and their coverage.
    by_relay = {
        row["relay"]: _figures(row) for row in received.values("relay").annotate(**_claim_figures())
    }
    for row in transfers.values("relay", "kind").annotate(total=Sum("amount_cents")):
        figures = by_relay.setdefault(row["relay"], Figures())
        if row["kind"] == TransferKind.RELAY_TO_CLAIMANT:
            figures.paid_cents += row["total"]
            totals.paid_cents += row["total"]
        else:
            figures.from_funder_cents += row["total"]
            totals.from_funder_cents += row["total"]
    relay_ids = [pk for pk in by_relay if pk is not None]
    relays = {a.pk: a for a in Actor.objects.filter(pk__in=relay_ids)}
    covered = defaultdict(set)
    coverages = Coverage.objects.filter(
        relay_id__in=relay_ids, valid_from__lte=envelope.closes_on
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=envelope.opens_on))
    for relay_id, code in coverages.values_list("relay_id", "departement_id"):
        covered[relay_id].add(code)
    relay_rows = sorted(
        (
            RelayRow(relays[pk], sorted(covered[pk]), figures)
            for pk, figures in by_relay.items()
            if pk is not None
        ),
        key=lambda row: (row.relay.name.casefold(), row.relay.pk),
    )

    # By the claimant's département (place-less collectives apart).
    by_departement = {}
    for row in received.values("claimant__departement", "claimant__departement__name").annotate(
        **_claim_figures()
    ):
        code = row["claimant__departement"] or ""
        name = row["claimant__departement__name"] or _("Collectifs sans lieu fixe")
        by_departement[code] = DepartementRow(code, name, _figures(row))
    paid_by_departement = (
        transfers.filter(kind=TransferKind.RELAY_TO_CLAIMANT)
        .values("claim__claimant__departement")
        .annotate(total=Sum("amount_cents"))
    )
    for row in paid_by_departement:
        code = row["claim__claimant__departement"] or ""
        if code in by_departement:
            by_departement[code].figures.paid_cents += row["total"]
    departement_rows = sorted(by_departement.values(), key=lambda r: (r.code == "", r.code))

    # By item type: the validated units of granted claims, at their rate.
    items = (
        ClaimLine.objects.filter(claim__envelope=envelope, claim__status__in=GRANTED, live=True)
        .order_by()
        .values("delivery__need__item_type", "delivery__need__item_type__name")
        .annotate(total_units=Sum("units"), total_cents=Sum(F("units") * F("cents_per_unit")))
        .order_by("delivery__need__item_type__name", "delivery__need__item_type")
    )
    item_rows = [
        ItemRow(row["delivery__need__item_type__name"], row["total_units"], row["total_cents"])
        for row in items
    ]

    counts = dict(received.values_list("status").annotate(n=Count("pk")))
    status_rows = [
        StatusRow(status.value, str(status.label), counts[status])
        for status in ClaimStatus
        if counts.get(status)
    ]

    return EnvelopeReport(
        envelope=envelope,
        totals=totals,
        relays=relay_rows,
        departements=departement_rows,
        items=item_rows,
        statuses=status_rows,
        beneficiaries=beneficiaries(envelope),
    )


def _with_paid(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    paid = (
        Transfer.objects.filter(kind=TransferKind.RELAY_TO_CLAIMANT, claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(total=Sum("amount_cents"))
        .values("total")
    )
    return claims.annotate(paid_cents=Coalesce(Subquery(paid), Value(0)))


def beneficiaries(envelope: Envelope) -> list[BeneficiaryRow]:
    """Who received a share, by name or anonymised (one query)."""
    claims = _with_paid(
        Claim.objects.filter(envelope=envelope, status__in=GRANTED).select_related(
            "claimant__departement", "relay"
        )
    )
    rows = [
        BeneficiaryRow(
            name=public_name(claim.claimant),
            kind=claim.claimant.get_kind_display(),
            departement=(
                f"{claim.claimant.departement.name} ({claim.claimant.departement_id})"
                if claim.claimant.departement_id
                else ""
            ),
            relay=claim.relay.name if claim.relay_id else "",
            status=claim.get_status_display(),
            allocated_cents=claim.allocated_cents or 0,
            paid_cents=claim.paid_cents,
        )
        for claim in claims
    ]
    # Named first, alphabetically; the anonymous after, the largest shares first.
    rows.sort(
        key=lambda r: (r.name == _("Personne anonyme"), r.name.casefold(), -r.allocated_cents)
    )
    return rows


# --- SCDL: the grant to the relays -----------------------------------------------------


@dataclass
class RelayGrant:
    """What the funder granted through one relay: the shares of that relay's claims."""

    relay: Actor
    allocated_cents: int
    funder_transfer_dates: list[datetime.date]


def relay_grants(envelope: Envelope) -> list[RelayGrant]:
    """One entry per relay with granted claims in the envelope (two queries)."""
    rows = (
        Claim.objects.filter(envelope=envelope, status__in=GRANTED, relay__isnull=False)
        .order_by()
        .values("relay")
        .annotate(total=Sum("allocated_cents"))
    )
    totals = {row["relay"]: row["total"] or 0 for row in rows if row["total"]}
    dates = defaultdict(list)
    funder_transfers = Transfer.objects.filter(
        envelope=envelope, kind=TransferKind.FUNDER_TO_RELAY
    ).values_list("relay_id", "date")
    for relay_id, date in funder_transfers:
        dates[relay_id].append(date)
    relays = Actor.objects.filter(pk__in=totals).order_by("name", "pk")
    return [RelayGrant(relay, totals[relay.pk], sorted(dates[relay.pk])) for relay in relays]


# --- statements ------------------------------------------------------------------------


@dataclass
class StatementRow:
    claim: Claim
    claimant: str
    units: int
    units_cents: int
    expenses_cents: int
    allocated_cents: int | None
    paid_cents: int
    paid_on: datetime.date | None
    bank_references: str


def relay_statement(envelope: Envelope, relay: Actor, *, reveal: bool) -> list[StatementRow]:
    """The claims of a relay in an envelope (received ones), oldest first (two queries:
    claims with their units, then their payouts). `reveal`: name every claimant (for the
    relay's treasurer and platform admins); otherwise people are anonymised."""
    claims = list(
        Claim.objects.filter(envelope=envelope, relay=relay, status__in=RECEIVED)
        .select_related("claimant")
        .annotate(units=Coalesce(Sum("lines__units", filter=Q(lines__live=True)), Value(0)))
        .order_by("submitted_on", "pk")
    )
    payouts = defaultdict(list)
    for claim_id, amount, date, reference in Transfer.objects.filter(
        kind=TransferKind.RELAY_TO_CLAIMANT, claim__in=[c.pk for c in claims]
    ).values_list("claim_id", "amount_cents", "date", "bank_reference"):
        payouts[claim_id].append((amount, date, reference))
    rows = []
    for claim in claims:
        paid = payouts[claim.pk]
        rows.append(
            StatementRow(
                claim=claim,
                claimant=claim.claimant.name if reveal else public_name(claim.claimant),
                units=claim.units,
                units_cents=claim.units_cents,
                expenses_cents=claim.expenses_cents,
                allocated_cents=claim.allocated_cents,
                paid_cents=sum(amount for amount, _date, _ref in paid),
                paid_on=max((date for _amount, date, _ref in paid), default=None),
                bank_references=", ".join(ref for _amount, _date, ref in paid),
            )
        )
    return rows


def claim_statement(pk: int) -> Claim:
    """A claim with everything its statement prints (five queries). Raises
    Claim.DoesNotExist."""
    return (
        Claim.objects.select_related("envelope__funder", "envelope__campaign", "claimant", "relay")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ClaimLine.objects.filter(live=True)
                .select_related("delivery__need__item_type", "delivery__need__commune")
                .order_by("delivery__declared_on", "pk"),
            ),
            "expenses",
            Prefetch("transitions", queryset=Transition.objects.select_related("by")),
            Prefetch(
                "transfers",
                queryset=Transfer.objects.filter(kind=TransferKind.RELAY_TO_CLAIMANT),
            ),
        )
        .get(pk=pk)
    )

"""The made-up grant of spring 2020: the Regional Council's envelope compensating the makers
of the Brittany mobilisation, redistributed by three relays, then a reconfiguration.

- Relays and their 2020 coverage: the LabFab de Rennes for Ille-et-Vilaine (35) and
  Côtes-d'Armor (22), La Fabrique du Loch for Morbihan (56), ENSTA Bretagne for
  Finistère (29). In 2022 the Côtes-d'Armor move to the Fablab de Saint-Brieuc: the 2020
  rows are closed (history kept), a new one opens.
- Claims: every producer of the mobilisation demo with confirmed deliveries files one
  claim resting on them (units received × the envelope's rate). Most are approved,
  allocated (`kenlabour.funding.allocation.allocate`, the envelope being oversubscribed,
  shares are reduced pro rata with the cap per claimant) and paid; a few are rejected,
  a few still wait for review, a few wait for payment.
- Transfers: the Region pays each relay in two instalments; each relay pays its
  claimants. Every movement is in the ledger, chained (`ledger_chain.chain`, written in
  bulk after the last entry: the chain verifies).
- Demo accounts: the treasurer (tresorier@) is one of the LabFab de Rennes' three
  treasurers, with tresoriere@ and comptable@ (created here, with the demo password): the
  separation of duties needs more than one person. The funder (financeur@) acts for the
  Regional Council. Nobody pays a claim they approved: in 2020, tresoriere@ paid what
  tresorier@ approved.

The present (relative to the day the demo is built): an open envelope of the Region for
the mobilisation's current campaign (`kenlabour.mobilisation.demo.CURRENT_CAMPAIGN_SLUG`),
with claims at every stage: a draft, claims submitted (one of them the LabFab de Rennes'
own deliveries are left for orga@ to claim: such a claim goes to the envelope's other
relay, ENSTA Bretagne), changes requested, rejected, approved after the
first round (for the funder's second round), scheduled, a payout recorded by comptable@
that waits for a second person's confirmation (above 400 €), and paid. Above 100 €, a claim
is approved by two people (tresorier@, then tresoriere@). The submitted claim that
tresorier@ reviews first carries an expense with its receipt (a PDF invoice), still to
validate. The demo maker, `fabricante@kenlabour.example` (a demo
account, `kenlabour.accounts.demo.DEMO_ACCOUNTS`), administers the Fablab de Redon
(Ille-et-Vilaine), which has confirmed deliveries left to claim: its claim goes to the
LabFab de Rennes, whose treasurer is tresorier@. A second envelope of the Region for the
current campaign, opening next week, has no claim yet: the funder may still correct or
withdraw it.

Deterministic (a seeded generator over producers ordered by page address) and
idempotent: when an envelope exists, it is not built again, and only the demo accounts'
roles are checked. Runs after the mobilisation demo.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import random
import time
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from kenlabour.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, enrol_second_factor
from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment, User
from kenlabour.funding import allocation, ledger_chain, ledger_records
from kenlabour.funding.enums import (
    ClaimStatus,
    ExpenseKind,
    LedgerKind,
    ReasonCode,
    TransferKind,
)
from kenlabour.funding.models import (
    Claim,
    ClaimLine,
    Coverage,
    Envelope,
    Expense,
    LedgerEntry,
    Rate,
    Transfer,
    Transition,
)
from kenlabour.funding.selectors.claims import is_conflicted, relay_for
from kenlabour.funding.services import ledger
from kenlabour.mobilisation.enums import DeliveryStatus
from kenlabour.mobilisation.models import Campaign, Delivery
from kenlabour.network.models import Actor
from kenlabour.network.validators import luhn_valid
from kenlabour.territories.models import Departement

SEED = 20200504
SLUG = "region-bretagne-printemps-2020"
CAMPAIGN_SLUG = "covid-19-printemps-2020"
FUNDER_SLUG = "region-bretagne"
TREASURER_EMAIL = "tresorier@kenlabour.example"
FUNDER_EMAIL = "financeur@kenlabour.example"
# The LabFab de Rennes' two other treasurers (the separation of duties needs more than one
# person): Rozenn pays what Erwan (tresorier@) approved, and gives second approvals; Loïc
# records payouts too. Demo accounts of this app, with the demo password.
SECOND_TREASURER = ("tresoriere@kenlabour.example", "Rozenn Caradec")
THIRD_TREASURER = ("comptable@kenlabour.example", "Loïc Morvan")

# (relay, départements, from, until) — the 2020 configuration, then 2022's.
COVERAGE_2020 = (
    ("labfab-rennes", "35", datetime.date(2020, 3, 16), None),
    ("labfab-rennes", "22", datetime.date(2020, 3, 16), datetime.date(2021, 12, 31)),
    ("fabrique-du-loch", "56", datetime.date(2020, 3, 16), None),
    ("ensta-bretagne", "29", datetime.date(2020, 3, 16), None),
)
COVERAGE_2022 = (("fablab-22278", "22", datetime.date(2022, 1, 1), None),)  # Saint-Brieuc

OPENS, CLOSES = datetime.date(2020, 5, 4), datetime.date(2020, 7, 31)
ALLOCATED_ON = datetime.date(2020, 8, 5)
INSTALMENTS = ((datetime.date(2020, 8, 7), 70), (datetime.date(2020, 10, 1), 30))  # percent
TOTAL_CENTS = 10_000_000  # 100,000 €: less than asked, the shares are reduced pro rata
CAP_CENTS = 500_000  # 5,000 € per claimant
REJECTED, WAITING_REVIEW, WAITING_PAYMENT = 0.06, 0.04, 0.08
REJECTION_REASONS = (
    "Les livraisons déclarées ont déjà été compensées par une autre aide.",
    "Le bénéficiaire a renoncé à la compensation : ses visières étaient un don.",
)


def build(log) -> list[tuple[str, str]]:
    """Build the funding demo; returns the accounts it created (e-mail, role label)."""
    _build_2020(log)
    _build_current(log)
    relay = "LabFab de Rennes"
    return [
        (email, f"{Role.RELAY_TREASURER.label} ({relay})")
        for email, _name in (SECOND_TREASURER, THIRD_TREASURER)
        if User.objects.filter(email=email).exists()
    ]


def _build_2020(log) -> None:
    started = time.perf_counter()
    relays = {
        a.slug: a
        for a in Actor.objects.filter(slug__in=[slug for slug, *_ in COVERAGE_2020 + COVERAGE_2022])
    }
    funder = Actor.objects.filter(slug=FUNDER_SLUG).first()
    campaign = Campaign.objects.filter(slug=CAMPAIGN_SLUG).first()
    if funder is None or campaign is None or len(relays) < 3:
        log("Financement : réseau ou mobilisation de démonstration absents, rien à faire")
        return
    _roles(funder, relays["labfab-rennes"])
    if Envelope.objects.filter(slug=SLUG).exists():
        log("Financement : déjà construit")
        return
    with transaction.atomic():
        _sirets([funder, *relays.values()])
        _coverages(relays)
        envelope = _envelope(funder, campaign)
        claims = _claims(envelope)
        entries = _money(envelope, claims)
    paid = sum(1 for c in claims if c.status == ClaimStatus.PAID)
    log(
        f"Financement : enveloppe de {envelope.total_cents // 100} €, {len(claims)} demandes "
        f"dont {paid} payées, {entries} écritures au registre "
        f"({time.perf_counter() - started:.1f} s)"
    )


def _grant(user: User | None, role: Role, actor: Actor) -> None:
    if user is None:
        return
    RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        scope_type=ContentType.objects.get_for_model(Actor),
        scope_id=actor.pk,
    )


def treasurer_account(email: str, name: str) -> User:
    """One of the LabFab de Rennes' other treasurers, created with the demo password."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, display_name=name)
        user.set_password(DEMO_PASSWORD)
        user.save()
    enrol_second_factor(user)  # a treasurer signs in with a second factor
    return user


def _roles(funder: Actor, labfab: Actor) -> None:
    """Three treasurers keep the LabFab de Rennes' accounts; the funder acts for the Region."""
    users = {u.email: u for u in User.objects.filter(email__in=[TREASURER_EMAIL, FUNDER_EMAIL])}
    _grant(users.get(TREASURER_EMAIL), Role.RELAY_TREASURER, labfab)
    for email, name in (SECOND_TREASURER, THIRD_TREASURER):
        _grant(treasurer_account(email, name), Role.RELAY_TREASURER, labfab)
    _grant(users.get(FUNDER_EMAIL), Role.FUNDER, funder)


def _siret(seed: str) -> str:
    """A made-up SIRET with a valid Luhn key, the same for the same seed."""
    base = str(int(hashlib.sha256(f"funding-{seed}".encode()).hexdigest(), 16))[:13]
    return next(base + str(key) for key in range(10) if luhn_valid(base + str(key)))


def _sirets(actors: list[Actor]) -> None:
    """The open-data standard for subsidies names funder and relays by SIRET."""
    for actor in actors:
        if not actor.siret:
            actor.siret = _siret(actor.slug)
            actor.save(update_fields=["siret"])


def _coverages(relays: dict[str, Actor]) -> None:
    departements = {
        d.code: d for d in Departement.objects.filter(code__in=["22", "29", "35", "56"])
    }
    for slug, code, valid_from, valid_until in COVERAGE_2020 + COVERAGE_2022:
        if slug not in relays:
            continue
        Coverage.objects.get_or_create(
            relay=relays[slug],
            departement=departements[code],
            valid_from=valid_from,
            defaults={"valid_until": valid_until},
        )


def _envelope(funder: Actor, campaign: Campaign) -> Envelope:
    envelope = Envelope.objects.create(
        conflict_relay=Actor.objects.filter(slug=CONFLICT_RELAY_SLUG).first(),
        funder=funder,
        campaign=campaign,
        name="Compensation des makers — printemps 2020",
        slug=SLUG,
        total_cents=TOTAL_CENTS,
        cap_cents=CAP_CENTS,
        opens_on=OPENS,
        closes_on=CLOSES,
        decision_reference="CP-2020-05-0412",
        convention_date=OPENS,
        created_by=User.objects.filter(email=FUNDER_EMAIL).first(),
    )
    Rate.objects.bulk_create(
        Rate(envelope=envelope, item_type=item, cents_per_unit=item.unit_cost_cents)
        for item in campaign.item_types.order_by("pk")
    )
    return envelope


def _envelope_record(envelope: Envelope) -> dict:
    """The opening entry's columns, as the service writes them (ledger_records)."""
    rates = envelope.rates.values_list("item_type", "cents_per_unit")
    return ledger_records.envelope_record(envelope, rates)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _claims(envelope: Envelope) -> list[Claim]:
    """One claim per producer with confirmed deliveries, routed to the relay covering it
    on the day it was filed; statuses drawn, transitions written."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not a secret
    rates = dict(Rate.objects.filter(envelope=envelope).values_list("item_type", "cents_per_unit"))
    deliveries = defaultdict(list)
    for delivery in (
        Delivery.objects.filter(
            need__campaign=envelope.campaign,
            status__in=[DeliveryStatus.CONFIRMED, DeliveryStatus.DISCREPANCY],
            confirmed_units__gt=0,
        )
        .select_related("need")
        .order_by("pk")
    ):
        deliveries[delivery.producer_id].append(delivery)
    producers = Actor.objects.filter(pk__in=deliveries).select_related("user").order_by("slug")
    relay_by_departement = {
        c.departement_id: c.relay
        for c in Coverage.objects.filter(valid_from__lte=OPENS)
        .filter(valid_until__isnull=True)
        .select_related("relay")
    } | {
        c.departement_id: c.relay
        for c in Coverage.objects.filter(
            valid_from__lte=OPENS, valid_until__gte=CLOSES
        ).select_related("relay")
    }
    treasurer = User.objects.filter(email=TREASURER_EMAIL).first()
    span = (CLOSES - OPENS).days

    claims, lines, transitions = [], [], []
    for producer in producers:
        filed = OPENS + datetime.timedelta(days=rng.randint(3, span - 5))
        if producer.place_less:
            relay = relay_for(producer, filed).relay
        else:
            relay = relay_by_departement.get(producer.departement_id)
        if relay is None:
            continue
        if is_conflicted(relay, producer):  # never reviewed by itself: the other relay
            relay = envelope.conflict_relay
            if relay is None or is_conflicted(relay, producer):
                continue  # the other relay's own claim: refused at filing, not in the demo
        claim_lines = [
            ClaimLine(
                delivery=d, units=d.confirmed_units, cents_per_unit=rates[d.need.item_type_id]
            )
            for d in deliveries[producer.pk]
        ]
        draw = rng.random()
        if draw < REJECTED:
            status = ClaimStatus.REJECTED
        elif draw < REJECTED + WAITING_REVIEW:
            status = ClaimStatus.SUBMITTED
        else:
            status = ClaimStatus.APPROVED
        claim = Claim(
            envelope=envelope,
            claimant=producer,
            relay=relay,
            status=status,
            units_cents=sum(line.units * line.cents_per_unit for line in claim_lines),
            created_by=producer.user,
            submitted_on=filed,
        )
        claim.filed = filed
        claim.lines_to_write = claim_lines
        claims.append(claim)
    Claim.objects.bulk_create(claims, batch_size=500)

    for claim in claims:
        live = claim.status != ClaimStatus.REJECTED
        for line in claim.lines_to_write:
            line.claim = claim
            line.live = live
            lines.append(line)
        reviewer = treasurer if claim.relay.slug == "labfab-rennes" else None
        reviewed = min(claim.filed + datetime.timedelta(days=rng.randint(2, 12)), ALLOCATED_ON)
        steps = [
            (ClaimStatus.DRAFT, claim.created_by, claim.filed, ""),
            (ClaimStatus.SUBMITTED, claim.created_by, claim.filed, ""),
        ]
        if claim.status == ClaimStatus.REJECTED:
            steps.append((ClaimStatus.REJECTED, reviewer, reviewed, rng.choice(REJECTION_REASONS)))
        elif claim.status == ClaimStatus.APPROVED:
            steps.append((ClaimStatus.APPROVED, reviewer, reviewed, ""))
        for (before, *_), (after, by, day, reason) in itertools.pairwise(steps):
            transitions.append(
                Transition(
                    claim=claim,
                    from_status=before,
                    to_status=after,
                    by=by,
                    reason=reason,
                    at=_at(day, 9 + len(transitions) % 8),
                )
            )
    ClaimLine.objects.bulk_create(lines, batch_size=1000)
    _write_transitions(transitions)
    return claims


def _write_transitions(transitions: list[Transition]) -> None:
    """`at` is set on creation (auto_now_add): write, then date them as they happened."""
    dates = [t.at for t in transitions]
    Transition.objects.bulk_create(transitions, batch_size=1000)
    for transition, at in zip(transitions, dates, strict=True):
        transition.at = at
    Transition.objects.bulk_update(transitions, ["at"], batch_size=1000)


def _money(envelope: Envelope, claims: list[Claim]) -> int:
    """Allocation, payouts, the Region's instalments, and the ledger of it all."""
    rng = random.Random(SEED + 1)  # noqa: S311 - reproducible demo data, not a secret
    funder_user = envelope.created_by
    payer = User.objects.filter(email=SECOND_TREASURER[0]).first()  # never the reviewer
    payloads = [
        (
            LedgerKind.ENVELOPE_OPENED,
            {
                **_envelope_record(envelope),
                "by": funder_user.pk if funder_user else None,
            },
        )
    ]
    approved = [c for c in claims if c.status == ClaimStatus.APPROVED]
    for claim in approved:
        payloads.append(
            (
                LedgerKind.CLAIM_APPROVED,
                {
                    "claim": claim.pk,
                    "envelope": envelope.slug,
                    "claimant": claim.claimant_id,
                    "relay": claim.relay_id,
                    "units_cents": claim.units_cents,
                    "expenses_cents": claim.expenses_cents,
                    "asked_cents": claim.asked_cents,
                    "by": None,
                },
            )
        )
    result = allocation.allocate(
        [allocation.Claim(c.pk, c.claimant_id, c.asked_cents) for c in approved],
        envelope.total_cents,
        default_cap=envelope.cap_cents,
    )
    transitions, transfers = [], []
    payout_day = ALLOCATED_ON
    for claim in approved:
        claim.allocated_cents = result.shares[claim.pk]
        claim.status = ClaimStatus.SCHEDULED
        transitions.append(
            Transition(
                claim=claim,
                from_status=ClaimStatus.APPROVED,
                to_status=ClaimStatus.SCHEDULED,
                by=funder_user,
                at=_at(ALLOCATED_ON, 11),
                reason_code=ReasonCode.ALLOCATION,
            )
        )
        payloads.append(
            (
                LedgerKind.ALLOCATION,
                {
                    **ledger_records.claim_record(claim, envelope.slug),
                    "by": funder_user.pk if funder_user else None,
                },
            )
        )
    by_relay = defaultdict(int)
    for claim in approved:
        by_relay[claim.relay_id] += claim.allocated_cents
    for relay_id in sorted(by_relay):
        left = by_relay[relay_id]
        for number, (day, percent) in enumerate(INSTALMENTS, start=1):
            amount = left if number == len(INSTALMENTS) else by_relay[relay_id] * percent // 100
            left -= amount
            if amount:
                transfers.append(
                    Transfer(
                        kind=TransferKind.FUNDER_TO_RELAY,
                        envelope=envelope,
                        relay_id=relay_id,
                        amount_cents=amount,
                        date=day,
                        bank_reference=f"RB-2020-{relay_id}-{number}",
                        key=f"envelope:{envelope.pk}:relay:{relay_id}:{number}",
                        created_by=funder_user,
                    )
                )
    for claim in approved:
        if rng.random() < WAITING_PAYMENT or not claim.allocated_cents:
            continue
        day = payout_day + datetime.timedelta(days=rng.randint(5, 50))
        claim.status = ClaimStatus.PAID
        by = payer if claim.relay.slug == "labfab-rennes" else None
        transfers.append(
            Transfer(
                kind=TransferKind.RELAY_TO_CLAIMANT,
                envelope=envelope,
                relay_id=claim.relay_id,
                claim=claim,
                amount_cents=claim.allocated_cents,
                date=day,
                bank_reference=f"VIR-{day:%Y%m%d}-{claim.pk:05d}",
                key=f"claim:{claim.pk}:payout",
                created_by=by,
            )
        )
        transitions.append(
            Transition(
                claim=claim,
                from_status=ClaimStatus.SCHEDULED,
                to_status=ClaimStatus.PAID,
                by=by,
                at=_at(day, 15),
                reason_code=ReasonCode.PAYOUT,
                reason_data={
                    "reference": f"VIR-{day:%Y%m%d}-{claim.pk:05d}",
                    "date": day.isoformat(),
                },
            )
        )
    Claim.objects.bulk_update(approved, ["allocated_cents", "status"], batch_size=500)
    _write_transitions(transitions)
    Transfer.objects.bulk_create(transfers, batch_size=1000)
    for transfer in sorted(transfers, key=lambda t: (t.date, t.key)):
        payloads.append(
            (LedgerKind.TRANSFER, *ledger_records.transfer_record(transfer, envelope.slug))
        )
    Envelope.objects.filter(pk=envelope.pk).update(allocated_at=_at(ALLOCATED_ON, 11))
    return _ledger(payloads)


def _ledger(payloads: list[tuple]) -> int:
    """Append the entries `(kind, payload[, private])` after the last one, chained as
    `services.ledger.append` does."""
    last = LedgerEntry.objects.select_for_update().order_by("-position").first()
    now = timezone.now()
    rows = []
    for kind, payload, *private in payloads:
        payload = {"kind": str(kind), **payload}
        if private:
            payload[ledger_chain.PRIVATE] = ledger.salted(private[0])
        rows.append((kind, now, ledger_chain.canonical(payload)))
    entries = ledger_chain.chain(
        rows,
        previous_hash=last.hash if last else ledger_chain.GENESIS,
        position=last.position if last else 0,
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                position=e.position,
                kind=e.kind,
                payload=e.payload,
                previous_hash=e.previous_hash,
                recorded_at=e.recorded_at,
                hash=e.hash,
            )
            for e in entries
        ],
        batch_size=1000,
    )
    return len(payloads)


# --- the present ----------------------------------------------------------------------------

CURRENT_SLUG = "region-bretagne-renfort-des-soignants"
MAKER_EMAIL = "fabricante@kenlabour.example"
MAKER_NAME = next(name for email, name, *_rest in DEMO_ACCOUNTS if email == MAKER_EMAIL)
MAKER_SLUG = "fablab-35236"  # the Fablab de Redon: confirmed deliveries, left unclaimed
CONFLICT_RELAY_SLUG = "ensta-bretagne"
CURRENT_CAP_CENTS = 60_000  # 600 € per claimant
# The current envelope's separation of duties: two approvals above 100 €, a payout above
# 400 € confirmed by a second person.
CURRENT_DOUBLE_APPROVAL_CENTS = 10_000
CURRENT_PAYOUT_CONFIRMATION_CENTS = 40_000
# The claims of the present, by producer: (status, days ago filed). Their deliveries are
# those confirmed in the current campaign. Left unclaimed: the LabFab de Rennes (orga@)
# and the maker of MAKER_SLUG (fabricante@).
CURRENT_CLAIMS = (
    ("personne-167", ClaimStatus.PAID, 8),
    ("fablab-29024", ClaimStatus.PAID, 8),
    # Approved by tresorier@ and tresoriere@, its payout recorded by comptable@: tresorier@
    # (or tresoriere@) confirms it.
    ("fablab-35115", ClaimStatus.PAYOUT_RECORDED, 7),
    ("personne-263", ClaimStatus.SCHEDULED, 7),
    ("personne-117", ClaimStatus.APPROVED, 4),  # a LabFab member: reviewed by ENSTA
    ("personne-051", ClaimStatus.APPROVED, 4),
    # tresorier@ gives its first approval (above 100 €), tresoriere@ the second one.
    ("fablab-35288", ClaimStatus.SUBMITTED, 2),
    ("fablab-56260", ClaimStatus.SUBMITTED, 2),
    ("fablab-29151", ClaimStatus.CHANGES_REQUESTED, 5),
    ("personne-092", ClaimStatus.REJECTED, 6),
    ("personne-065", ClaimStatus.DRAFT, 1),
)
CHANGES_REASON = (
    "Merci de joindre le bon de livraison signé par l'EHPAD pour la deuxième livraison."
)
CURRENT_REJECTION = "Ces masques ont été offerts par l'établissement : rien à compenser."


def _maker_account(maker: Actor) -> User:
    """The demo maker: a demo account (created by the accounts demo, or here when it did
    not run) administering a fablab."""
    user = User.objects.filter(email=MAKER_EMAIL).first()
    if user is None:
        user = User(email=MAKER_EMAIL, display_name=MAKER_NAME, is_active=True)
        user.set_password(DEMO_PASSWORD)
        user.save()
    _grant(user, Role.ORGANISATION_ADMIN, maker)
    return user


def _build_current(log) -> None:
    from kenlabour.mobilisation.demo import CURRENT_CAMPAIGN_SLUG

    started = time.perf_counter()
    campaign = Campaign.objects.filter(slug=CURRENT_CAMPAIGN_SLUG).first()
    funder = Actor.objects.filter(slug=FUNDER_SLUG).first()
    maker = Actor.objects.filter(slug=MAKER_SLUG).first()
    other = Actor.objects.filter(slug=CONFLICT_RELAY_SLUG).first()
    if campaign is None or funder is None or other is None:
        log("Financement en cours : mobilisation en cours absente, rien à faire")
        return
    if maker is not None:
        _maker_account(maker)
    if Envelope.objects.filter(slug=CURRENT_SLUG).exists():
        log("Financement en cours : déjà construit")
        return
    today = timezone.localdate()
    with transaction.atomic():
        envelope, claims, entries = _current(campaign, funder, other, today)
        receipts = _receipts(claims, today)
        upcoming = _upcoming_envelope(campaign, funder, other, today)
    log(
        f"Financement en cours : enveloppe ouverte jusqu'au {envelope.closes_on:%d/%m/%Y}, "
        f"{len(claims)} demandes à chaque étape ({receipts} justificatifs), {entries} "
        f"écritures au registre ; enveloppe à venir : {upcoming} ; "
        f"fabricante : {MAKER_EMAIL} ({time.perf_counter() - started:.1f} s)"
    )


# Expenses of the claim submitted to the LabFab de Rennes, still to validate:
# (kind, label, amount in cents, days ago, supplier).
CURRENT_EXPENSES = (
    (ExpenseKind.MATERIAL, "Filament PETG, 4 bobines", 9_600, 12, "Filaments d'Armor"),
    (ExpenseKind.SHIPPING, "Envoi des visières à l'EHPAD", 1_890, 6, "La Poste"),
)


def _invoice_pdf(supplier: str, label: str, amount_cents: int, day: datetime.date) -> bytes:
    from weasyprint import HTML  # imported here: heavy, and only the demo writes PDFs

    euros = f"{amount_cents // 100},{amount_cents % 100:02d} €"
    return HTML(
        string=(
            f"<h1>Facture</h1><p>{supplier}</p><p>Date : {day:%d/%m/%Y}</p>"
            f"<table><tr><th>Désignation</th><th>Montant TTC</th></tr>"
            f"<tr><td>{label}</td><td>{euros}</td></tr></table>"
        )
    ).write_pdf()


def _receipts(claims: list[Claim], today: datetime.date) -> int:
    """The submitted claim the treasurer reviews comes with expenses and their receipts."""
    claim = next(
        (
            c
            for c in claims
            if c.status == ClaimStatus.SUBMITTED and c.relay and c.relay.slug == "labfab-rennes"
        ),
        None,
    )
    if claim is None:
        return 0
    for kind, label, amount, days_ago, supplier in CURRENT_EXPENSES:
        day = today - datetime.timedelta(days=days_ago)
        expense = Expense(
            claim=claim,
            kind=kind,
            label=label,
            amount_cents=amount,
            spent_on=day,
            receipt_kind="application/pdf",
        )
        name = expense.receipt.field.generate_filename(expense, f"facture-{slugify(label)}.pdf")
        if default_storage.exists(name):  # a demo built before on an emptied database
            default_storage.delete(name)
        expense.receipt.save(
            name.rpartition("/")[2],
            ContentFile(_invoice_pdf(supplier, label, amount, day)),
            save=False,
        )
        expense.save()
    return len(CURRENT_EXPENSES)


def _upcoming_envelope(campaign, funder, other, today) -> str:
    """An envelope opening next week, with no claim on it yet, opened by the funder
    through the real service (its ledger entry chained after the others)."""
    from kenlabour.funding.services.money import create_envelope

    funder_user = User.objects.filter(email=FUNDER_EMAIL).first()
    if funder_user is None:
        return "aucune"
    envelope = create_envelope(
        funder_user,
        funder=funder,
        campaign=campaign,
        name=f"Matière première des makers — {campaign.name}",
        total_cents=2_000_000,
        cap_cents=100_000,
        opens_on=today + datetime.timedelta(days=7),
        closes_on=today + datetime.timedelta(days=60),
        decision_reference=f"CP-{today:%Y}-{today:%m}-0142",
        convention_date=today,
        conflict_relay=other,
    )
    return envelope.name


def _current(campaign, funder, other, today):
    funder_user = User.objects.filter(email=FUNDER_EMAIL).first()
    treasurer = User.objects.filter(email=TREASURER_EMAIL).first()
    second = User.objects.filter(email=SECOND_TREASURER[0]).first()
    payer = User.objects.filter(email=THIRD_TREASURER[0]).first()  # never an approver
    funder_pk = funder_user.pk if funder_user else None
    producers = {
        a.slug: a
        for a in Actor.objects.filter(slug__in=[slug for slug, *_ in CURRENT_CLAIMS])
        .select_related("user")
        .order_by("slug")
    }
    deliveries = defaultdict(list)
    for delivery in (
        Delivery.objects.filter(
            need__campaign=campaign,
            producer__in=producers.values(),
            status__in=[DeliveryStatus.CONFIRMED, DeliveryStatus.DISCREPANCY],
            confirmed_units__gt=0,
        )
        .select_related("need")
        .order_by("pk")
    ):
        deliveries[delivery.producer_id].append(delivery)
    opens = min(campaign.starts_on, today - datetime.timedelta(days=10))
    rates = {item.pk: item.unit_cost_cents for item in campaign.item_types.order_by("pk")}
    planned = []
    for slug, status, days_ago in CURRENT_CLAIMS:
        producer = producers.get(slug)
        if producer is None or not deliveries[producer.pk]:
            continue
        filed = today - datetime.timedelta(days=days_ago)
        relay = relay_for(producer, filed).relay if status != ClaimStatus.DRAFT else None
        if status != ClaimStatus.DRAFT and relay is None:
            continue
        if relay is not None and is_conflicted(relay, producer):
            relay = other  # the envelope's relay for relays' own claims
        if relay is not None and is_conflicted(relay, producer):
            continue
        planned.append((producer, status, filed, relay))
    asks = {
        producer.pk: sum(
            d.confirmed_units * rates.get(d.need.item_type_id, 0) for d in deliveries[producer.pk]
        )
        for producer, *_ in planned
    }
    first_round = [p for p, status, *_ in planned if status in ClaimStatus.granted()]
    approved = [p for p, status, *_ in planned if status == ClaimStatus.APPROVED]
    under_review = [
        p
        for p, status, *_ in planned
        if status not in (*ClaimStatus.granted(), ClaimStatus.APPROVED)
    ]
    eligible = lambda ps: sum(min(asks[p.pk], CURRENT_CAP_CENTS) for p in ps)  # noqa: E731
    # Room for the first round and the approved claims in full, and for about half of what
    # the claims under review ask: the next round serves the approved claims and a few new
    # ones in full; once the relays have approved the others, a round shares what is left
    # pro rata.
    total = eligible(first_round) + eligible(approved) + eligible(under_review) // 2
    total = max(50_000, -(-total // 50_000) * 50_000)  # up to a multiple of 500 €
    envelope = Envelope.objects.create(
        funder=funder,
        campaign=campaign,
        name=f"Compensation des makers — {campaign.name}",
        slug=CURRENT_SLUG,
        total_cents=total,
        cap_cents=CURRENT_CAP_CENTS,
        opens_on=opens,
        closes_on=today + datetime.timedelta(days=45),
        decision_reference=f"CP-{today:%Y}-{today:%m}-0127",
        convention_date=opens,
        conflict_relay=other,
        double_approval_above_cents=CURRENT_DOUBLE_APPROVAL_CENTS,
        payout_confirmation_above_cents=CURRENT_PAYOUT_CONFIRMATION_CENTS,
        created_by=funder_user,
    )
    Rate.objects.bulk_create(
        Rate(envelope=envelope, item_type_id=pk, cents_per_unit=cents)
        for pk, cents in rates.items()
    )
    payloads = [
        (
            LedgerKind.ENVELOPE_OPENED,
            {**_envelope_record(envelope), "by": funder_pk},
        )
    ]
    claims, lines, transitions = [], [], []
    for producer, status, filed, relay in planned:
        claim = Claim.objects.create(
            envelope=envelope,
            claimant=producer,
            relay=relay,
            status=status,
            units_cents=asks[producer.pk],
            created_by=producer.user,
            submitted_on=filed if status != ClaimStatus.DRAFT else None,
        )
        claim.filed = filed
        claims.append(claim)
        live = status != ClaimStatus.REJECTED
        lines += [
            ClaimLine(
                claim=claim,
                delivery=d,
                units=d.confirmed_units,
                cents_per_unit=rates.get(d.need.item_type_id, 0),
                live=live,
            )
            for d in deliveries[producer.pk]
        ]
        reviewer = treasurer if relay is not None and relay.slug == "labfab-rennes" else None
        reviewed = filed + datetime.timedelta(days=1)
        steps = [("", ClaimStatus.DRAFT, claim.created_by, filed, "")]
        if status != ClaimStatus.DRAFT:
            steps.append((ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, claim.created_by, filed, ""))
        if status == ClaimStatus.CHANGES_REQUESTED:
            steps.append((ClaimStatus.SUBMITTED, status, reviewer, reviewed, CHANGES_REASON))
        if status == ClaimStatus.REJECTED:
            steps.append((ClaimStatus.SUBMITTED, status, reviewer, reviewed, CURRENT_REJECTION))
        if status in (ClaimStatus.APPROVED, *ClaimStatus.granted()):
            approval = {
                "claim": claim.pk,
                "envelope": envelope.slug,
                "claimant": producer.pk,
                "relay": relay.pk,
                "units_cents": claim.units_cents,
                "expenses_cents": 0,
                "asked_cents": claim.asked_cents,
                "by": reviewer.pk if reviewer else None,
            }
            before = ClaimStatus.SUBMITTED
            if claim.asked_cents > CURRENT_DOUBLE_APPROVAL_CENTS:  # two approvals
                steps.append((before, ClaimStatus.FIRST_APPROVED, reviewer, reviewed, ""))
                payloads.append((LedgerKind.FIRST_APPROVAL, approval))
                first_by = approval["by"]
                reviewer = second if reviewer is not None else None
                approval = approval | {
                    "by": reviewer.pk if reviewer else None,
                    "first_by": first_by,
                }
                before = ClaimStatus.FIRST_APPROVED
            steps.append((before, ClaimStatus.APPROVED, reviewer, reviewed, ""))
            payloads.append((LedgerKind.CLAIM_APPROVED, approval))
        for n, (before, after, by, day, reason) in enumerate(steps):
            transitions.append(
                Transition(
                    claim=claim,
                    from_status=before,
                    to_status=after,
                    by=by,
                    reason=reason,
                    at=_at(day, 9 + n),
                )
            )
    ClaimLine.objects.bulk_create(lines)

    # The first round, three days ago, on the claims approved by then.
    round_day = today - datetime.timedelta(days=3)
    first = [c for c in claims if c.status in ClaimStatus.granted()]
    result = allocation.allocate_round(
        [allocation.Claim(c.pk, c.claimant_id, c.asked_cents) for c in first],
        envelope.total_cents,
        default_cap=envelope.cap_cents,
    )
    transfers = []
    for claim in first:
        claim.allocated_cents = result.shares[claim.pk]
        transitions.append(
            Transition(
                claim=claim,
                from_status=ClaimStatus.APPROVED,
                to_status=ClaimStatus.SCHEDULED,
                by=funder_user,
                at=_at(round_day, 11),
                reason_code=ReasonCode.ALLOCATION,
            )
        )
        payloads.append(
            (
                LedgerKind.ALLOCATION,
                {**ledger_records.claim_record(claim, envelope.slug), "by": funder_pk},
            )
        )
    by_relay = defaultdict(int)
    for claim in first:
        by_relay[claim.relay_id] += claim.allocated_cents
    for relay_id in sorted(by_relay):
        day = round_day + datetime.timedelta(days=1)
        transfers.append(
            Transfer(
                kind=TransferKind.FUNDER_TO_RELAY,
                envelope=envelope,
                relay_id=relay_id,
                amount_cents=by_relay[relay_id],
                date=day,
                bank_reference=f"RB-{day:%Y%m%d}-{relay_id}",
                key=f"envelope:{envelope.pk}:relay:{relay_id}:RB-{day:%Y%m%d}-{relay_id}",
                created_by=funder_user,
            )
        )
    paid_day = today - datetime.timedelta(days=1)
    for claim in first:
        reference = f"VIR-{paid_day:%Y%m%d}-{claim.pk:05d}"
        by = payer if claim.relay.slug == "labfab-rennes" else None
        if claim.status not in (ClaimStatus.PAID, ClaimStatus.PAYOUT_RECORDED):
            continue
        # Recorded and paid, or recorded only, waiting for a second person to confirm it.
        transitions.append(
            Transition(
                claim=claim,
                from_status=ClaimStatus.SCHEDULED,
                to_status=claim.status,
                by=by,
                at=_at(paid_day, 15),
                reason_code=ReasonCode.PAYOUT,
                reason_data={"reference": reference, "date": paid_day.isoformat()},
            )
        )
        if claim.status != ClaimStatus.PAID:
            continue
        transfers.append(
            Transfer(
                kind=TransferKind.RELAY_TO_CLAIMANT,
                envelope=envelope,
                relay_id=claim.relay_id,
                claim=claim,
                amount_cents=claim.allocated_cents,
                date=paid_day,
                bank_reference=reference,
                key=f"claim:{claim.pk}:payout",
                created_by=by,
            )
        )
    Claim.objects.bulk_update(first, ["allocated_cents"])
    _write_transitions(transitions)
    Transfer.objects.bulk_create(transfers)
    for transfer in sorted(transfers, key=lambda t: (t.date, t.key)):
        payloads.append(
            (LedgerKind.TRANSFER, *ledger_records.transfer_record(transfer, envelope.slug))
        )
    Envelope.objects.filter(pk=envelope.pk).update(allocated_at=_at(round_day, 11))
    return envelope, claims, _ledger(payloads)

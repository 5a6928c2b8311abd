"""Reads of the claims room: which relay a claim goes to, what a producer may still claim,
the claims of a claimant's people and of a relay. Query counts are constant, whatever the
number of claims, lines or expenses."""

import datetime
from typing import NamedTuple

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kenlabour.funding.enums import ClaimStatus
from kenlabour.funding.models import Claim, ClaimLine, Coverage, Envelope, Expense, Transition
from kenlabour.mobilisation.enums import DeliveryStatus
from kenlabour.mobilisation.models import Delivery
from kenlabour.network.models import Actor
from kenlabour.network.selectors.actors import administered_actors
from kenlabour.territories.models import Commune, Departement

# Deliveries a claim may rest on: what the recipient confirmed receiving (in full or not).
CLAIMABLE_DELIVERY = (DeliveryStatus.CONFIRMED, DeliveryStatus.DISCREPANCY)


# --- which relay -----------------------------------------------------------------------


def is_conflicted(relay: Actor, claimant: Actor) -> bool:
    """Whether `relay` may not review a claim of `claimant`: the claimant is the relay
    itself, or one of its people (a person who is a member of the relay in the directory,
    or holds a role on it), or an actor administered by someone who holds a role on the
    relay (its treasurer filing for their own fablab, say)."""
    from django.contrib.contenttypes.models import ContentType

    from kenlabour.accounts.enums import Role
    from kenlabour.accounts.models import RoleAssignment
    from kenlabour.network.models import Membership

    if relay is None or claimant is None:
        return False
    if relay.pk == claimant.pk:
        return True
    if Membership.objects.filter(person=claimant, group=relay).exists():
        return True
    actor_type = ContentType.objects.get_for_model(Actor)
    relay_people = RoleAssignment.objects.filter(scope_type=actor_type, scope_id=relay.pk).values(
        "user_id"
    )
    if (
        claimant.user_id
        and RoleAssignment.objects.filter(
            scope_type=actor_type, scope_id=relay.pk, user_id=claimant.user_id
        ).exists()
    ):
        return True
    return RoleAssignment.objects.filter(
        scope_type=actor_type,
        scope_id=claimant.pk,
        role=Role.ORGANISATION_ADMIN,
        user_id__in=relay_people,
    ).exists()


class RelayFor(NamedTuple):
    """The relay a claim goes to, or None and why (a sentence for the claimant)."""

    relay: Actor | None
    reason: str = ""


def claimant_departements(actor: Actor) -> list[Departement]:
    """Where an actor acts: the département of its commune; for a place-less collective,
    its area of action's départements, else those of its area's EPCIs and communes."""
    if not actor.place_less:
        code = actor.departement_id or (actor.commune.departement_id if actor.commune else None)
        return list(Departement.objects.filter(code=code)) if code else []
    chosen = list(actor.area_departements.order_by("code"))
    if chosen:
        return chosen
    communes = Commune.objects.filter(
        Q(epci__in=actor.area_epcis.all()) | Q(pk__in=actor.area_communes.all())
    )
    return list(
        Departement.objects.filter(code__in=communes.values("departement")).order_by("code")
    )


def coverages_on(date: datetime.date) -> QuerySet[Coverage]:
    """The coverage rows valid on `date` (both ends included)."""
    return Coverage.objects.filter(valid_from__lte=date).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=date)
    )


def relay_for(actor: Actor, date: datetime.date) -> RelayFor:
    """The relay whose coverage includes the claimant's département on `date`. None, with
    the reason, when the claimant has no territory, when no relay covers it, or when several
    do (a place-less collective acting across relays): the claim cannot be routed."""
    departements = claimant_departements(actor)
    on = date_format(date, "j F Y")
    if not departements:
        if actor.place_less:
            reason = _(
                "%(name)s n'a pas de zone d'action dans l'annuaire : impossible de savoir quel "
                "relais reçoit sa demande. Indiquez sa zone d'action sur sa page du réseau."
            )
        else:
            reason = _(
                "%(name)s n'a pas de commune dans l'annuaire : impossible de savoir quel relais "
                "reçoit sa demande. Indiquez sa commune sur sa page du réseau."
            )
        return RelayFor(None, reason % {"name": actor.name})
    rows = (
        coverages_on(date)
        .filter(departement__in=departements)
        .select_related("relay")
        .order_by("relay__name", "relay_id")
    )
    relays = list({row.relay_id: row.relay for row in rows}.values())
    names = ", ".join(f"{d.name} ({d.code})" for d in departements)
    if not relays:
        return RelayFor(
            None,
            _(
                "Aucun relais ne couvre %(territory)s au %(date)s : la demande ne peut pas "
                "être transmise. Les administrateurs de la plateforme configurent les relais."
            )
            % {"territory": names, "date": on},
        )
    if len(relays) > 1:
        return RelayFor(
            None,
            _(
                "Plusieurs relais couvrent la zone d'action de %(name)s (%(territory)s) au "
                "%(date)s : %(relays)s. Une demande ne va qu'à un relais : restreignez la zone "
                "d'action sur la page du réseau, ou demandez aux administrateurs de la "
                "plateforme."
            )
            % {
                "name": actor.name,
                "territory": names,
                "date": on,
                "relays": ", ".join(relay.name for relay in relays),
            },
        )
    return RelayFor(relays[0])


# --- what a claimant may claim ---------------------------------------------------------


def claimable_deliveries(actor: Actor, envelope: Envelope) -> QuerySet[Delivery]:
    """The claimant's deliveries in the envelope's campaign that the recipient confirmed
    (at the units received), not already in a live claim line."""
    return (
        Delivery.objects.filter(
            producer=actor,
            need__campaign_id=envelope.campaign_id,
            status__in=CLAIMABLE_DELIVERY,
            confirmed_units__gt=0,
        )
        .exclude(claim_lines__live=True)
        .select_related("need__item_type", "need__commune")
        .order_by("declared_on", "pk")
    )


def open_envelopes(today: datetime.date | None = None) -> list[Envelope]:
    """Envelopes taking claims today."""
    today = today or timezone.localdate()
    return list(
        Envelope.objects.filter(opens_on__lte=today, closes_on__gte=today)
        .select_related("funder", "campaign")
        .order_by("closes_on", "name")
    )


def acting_actors(user) -> list[Actor]:
    """The actors `user` files claims for: their person page and the organisations and
    collectives they administer."""
    return administered_actors(user)


def _with_counts(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    return claims.select_related("envelope", "claimant", "relay").annotate(
        line_count=Count("lines", filter=Q(lines__live=True), distinct=True),
        expense_count=Count("expenses", distinct=True),
    )


def claims_of_actors(actors: list[Actor]) -> list[Claim]:
    """The claims of these actors, newest first, with their envelope, relay and counts."""
    if not actors:
        return []
    return list(
        _with_counts(Claim.objects.filter(claimant__in=actors)).order_by("-created_at", "-pk")
    )


# Claims a relay's treasurer sees first: those waiting for their review.
_REVIEW_ORDER = {
    ClaimStatus.SUBMITTED: 0,
    ClaimStatus.RESUBMITTED: 0,
    ClaimStatus.FIRST_APPROVED: 0,
    ClaimStatus.CHANGES_REQUESTED: 1,
    ClaimStatus.APPROVED: 2,
    ClaimStatus.SCHEDULED: 3,
    ClaimStatus.PAYOUT_RECORDED: 1,
    ClaimStatus.PAID: 4,
    ClaimStatus.REJECTED: 5,
    ClaimStatus.CANCELLED: 6,
}


# The relay's examined claims, a page at a time (those waiting for it are all listed).
RELAY_OTHERS_PAGE_SIZE = 25


def claims_of_relay(relay: Actor, status: str = "") -> list[Claim]:
    """The claims that went to a relay (drafts never do): to review first, then the oldest
    submitted first."""
    claims = Claim.objects.filter(relay=relay)
    if status:
        claims = claims.filter(status=status)
    rows = list(_with_counts(claims).order_by("submitted_on", "pk"))
    rows.sort(key=lambda claim: _REVIEW_ORDER.get(claim.status, 9))
    return rows


def claim_detail(pk: int) -> Claim:
    """A claim with all its page shows (five queries). Raises Claim.DoesNotExist."""
    return (
        Claim.objects.select_related(
            "envelope__funder", "envelope__campaign", "claimant__user", "relay"
        )
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ClaimLine.objects.select_related(
                    "delivery__need__item_type", "delivery__need__commune"
                ).order_by("-live", "delivery__declared_on", "pk"),
            ),
            Prefetch("expenses", queryset=Expense.objects.order_by("spent_on", "pk")),
            Prefetch("transitions", queryset=Transition.objects.select_related("by")),
        )
        .get(pk=pk)
    )


def actor_emails(actor: Actor) -> list[str]:
    """Whom to tell about an actor's claims: the person's account, else the organisation's
    administrators, else the actor's contact address."""
    from django.contrib.contenttypes.models import ContentType

    from kenlabour.accounts.enums import Role
    from kenlabour.accounts.models import User

    if actor.user_id is not None and actor.user.email:
        return [actor.user.email]
    admins = User.objects.filter(
        role_assignments__role=Role.ORGANISATION_ADMIN,
        role_assignments__scope_type=ContentType.objects.get_for_model(Actor),
        role_assignments__scope_id=actor.pk,
        is_active=True,
    ).exclude(email="")
    emails = sorted(set(admins.values_list("email", flat=True)))
    if emails:
        return emails
    return [actor.email] if actor.email else []


def treasurer_relays(user) -> list[Actor]:
    """The relays `user` is the treasurer of (one query)."""
    from django.contrib.contenttypes.models import ContentType

    from kenlabour.accounts.enums import Role
    from kenlabour.accounts.models import RoleAssignment

    if not getattr(user, "is_authenticated", False):
        return []
    scoped = RoleAssignment.objects.filter(
        user=user,
        role=Role.RELAY_TREASURER,
        scope_type=ContentType.objects.get_for_model(Actor),
    ).values("scope_id")
    return list(Actor.objects.filter(pk__in=scoped).order_by("name", "pk"))


# --- separation of duties ------------------------------------------------------------------


class Duties:
    """Who did what on a claim, read from its transitions: who submitted it, who approved
    it (first and second), who recorded its payout. The rules in `funding.perms` ask it."""

    SUBMITTED = (ClaimStatus.SUBMITTED, ClaimStatus.RESUBMITTED)
    APPROVED = (ClaimStatus.FIRST_APPROVED, ClaimStatus.APPROVED)

    def __init__(self, claim: Claim):
        self.transitions = sorted(claim.transitions.all(), key=lambda t: (t.at, t.pk))
        self.created_by_id = claim.created_by_id
        self.status = claim.status

    def _last(self, status: str) -> Transition | None:
        return next((t for t in reversed(self.transitions) if t.to_status == status), None)

    def submitted_by(self, user) -> bool:
        pk = getattr(user, "pk", None)
        return pk is not None and (
            self.created_by_id == pk
            or any(t.by_id == pk for t in self.transitions if t.to_status in self.SUBMITTED)
        )

    @property
    def first_approval(self) -> Transition | None:
        """The approval a claim waiting for its second one rests on."""
        if self.status != ClaimStatus.FIRST_APPROVED:
            return None
        return self._last(ClaimStatus.FIRST_APPROVED)

    def first_approver_is(self, user) -> bool:
        first = self.first_approval
        return first is not None and first.by_id == getattr(user, "pk", None)

    def approved_by(self, user) -> bool:
        pk = getattr(user, "pk", None)
        return pk is not None and any(
            t.by_id == pk for t in self.transitions if t.to_status in self.APPROVED
        )

    @property
    def recorded_payout(self) -> Transition | None:
        """The recorded payout a claim waits a second person's confirmation for."""
        if self.status != ClaimStatus.PAYOUT_RECORDED:
            return None
        return self._last(ClaimStatus.PAYOUT_RECORDED)

    def payout_recorder_is(self, user) -> bool:
        recorded = self.recorded_payout
        return recorded is not None and recorded.by_id == getattr(user, "pk", None)


def duties(claim: Claim) -> Duties:
    """The claim's duties, read once per claim object (its transitions, prefetched or not)."""
    cached = getattr(claim, "_duties", None)
    if cached is None or cached.status != claim.status:
        cached = Duties(claim)
        claim._duties = cached
    return cached


def duty_refusal(user, claim: Claim, action: str) -> str:
    """Why `user`, a treasurer of the claim's relay, may not review, pay or confirm the
    payout of `claim`, in words (empty when the separation of duties does not stand in the
    way, or for anyone else, who has no business there)."""
    from kenlabour.funding.perms import (
        claims_for,
        relay_is_claimants_own,
        treasurer_of_claims_relay,
    )

    if not treasurer_of_claims_relay(user, claim):
        return ""
    of = duties(claim)
    if claims_for(user, claim) or of.submitted_by(user):
        return _(
            "Vous avez déposé cette demande, ou vous agissez pour son bénéficiaire : une autre "
            "personne l'examine et la paie."
        )
    if relay_is_claimants_own(user, claim):
        return _(
            "Cette demande est celle du relais ou de l'une de ses personnes : un autre "
            "relais l'examine."
        )
    if action == "review" and of.first_approver_is(user):
        return _(
            "Vous avez donné la première validation : la seconde vient d'une autre "
            "personne du relais."
        )
    if action == "pay" and of.approved_by(user):
        return _(
            "Vous avez examiné cette demande : une autre personne du relais en enregistre "
            "le paiement."
        )
    if action == "confirm" and of.payout_recorder_is(user):
        return _("Vous avez enregistré ce virement : une autre personne du relais le confirme.")
    return ""


def needs_second_approval(claim: Claim, validated_expenses_cents: int) -> bool:
    """Whether the amount retained (units + validated expenses) is above the envelope's
    threshold for a second approval."""
    threshold = claim.envelope.double_approval_above_cents
    return threshold is not None and claim.units_cents + validated_expenses_cents > threshold


def needs_payout_confirmation(claim: Claim) -> bool:
    threshold = claim.envelope.payout_confirmation_above_cents
    return threshold is not None and (claim.allocated_cents or 0) > threshold


def duplicate_receipts(claim: Claim) -> dict[int, list[tuple[Expense, str]]]:
    """For each expense of the claim, the expenses of other claims that look like the same
    receipt: the same file (its SHA-256), or the same amount, date and issuer. Flagged to
    the reviewer, never refused silently. One query."""
    expenses = list(claim.expenses.all())
    if not expenses:
        return {}
    digests = {e.receipt_sha256 for e in expenses if e.receipt_sha256}
    keys = {(e.amount_cents, e.spent_on) for e in expenses if e.issuer.strip()}
    match = Q(receipt_sha256__in=digests) if digests else Q(pk__in=[])
    for amount, day in keys:
        match |= Q(amount_cents=amount, spent_on=day)
    others = list(
        Expense.objects.filter(match)
        .exclude(claim=claim)
        .exclude(claim__status=ClaimStatus.CANCELLED)
        .select_related("claim__claimant")
        .order_by("claim_id", "pk")
    )
    found: dict[int, list[tuple[Expense, str]]] = {}
    for expense in expenses:
        issuer = " ".join(expense.issuer.lower().split())
        for other in others:
            if expense.receipt_sha256 and other.receipt_sha256 == expense.receipt_sha256:
                why = _("même fichier")
            elif (
                issuer
                and other.amount_cents == expense.amount_cents
                and other.spent_on == expense.spent_on
                and " ".join(other.issuer.lower().split()) == issuer
            ):
                why = _("même montant, même date, même émetteur")
            else:
                continue
            found.setdefault(expense.pk, []).append((other, why))
    return found

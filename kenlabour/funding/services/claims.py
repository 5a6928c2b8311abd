"""State changes of the claims room: a claimant files a claim (lines on confirmed
deliveries, expenses with receipts) and submits it; the relay's treasurer reviews it.

Every change is atomic and locks the claim row first (`select_for_update`), so that two
clicks or two people never both apply a transition; every transition writes a Transition
row (from, to, who, why). A refusal raises ValidationError with a French message and
leaves nothing written.
"""

import datetime
import hashlib
import uuid
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kenlabour.accounts.perms import can, strictly
from kenlabour.funding import notifications
from kenlabour.funding.bounds import MIN_DATE, cents_in_range
from kenlabour.funding.enums import (
    CLAIMANT_TRANSITIONS,
    TREASURER_TRANSITIONS,
    ClaimStatus,
    ExpenseKind,
    LedgerKind,
    ReasonCode,
)
from kenlabour.funding.models import Claim, ClaimLine, Envelope, Expense, Rate, Transition
from kenlabour.funding.selectors.claims import (
    claimable_deliveries,
    duties,
    duty_refusal,
    is_conflicted,
    needs_second_approval,
    relay_for,
)
from kenlabour.funding.services import ledger
from kenlabour.lab import filetypes
from kenlabour.mobilisation.models import Delivery
from kenlabour.network.models import Actor

# Receipts: a PDF or an image, recognised from the content; at most 10 MiB.
RECEIPT_KINDS = (filetypes.PDF, filetypes.PNG, filetypes.JPEG, filetypes.WEBP, filetypes.GIF)
MAX_RECEIPT_SIZE = 10 * 1024 * 1024

# What the claimant may still change: a draft, or a claim the relay sent back.
EDITABLE = {ClaimStatus.DRAFT, ClaimStatus.CHANGES_REQUESTED}

# Review decisions, as the treasurer's form names them.
APPROVE, REJECT, REQUEST_CHANGES = "approve", "reject", "changes"
DECISIONS = {
    APPROVE: ClaimStatus.APPROVED,
    REJECT: ClaimStatus.REJECTED,
    REQUEST_CHANGES: ClaimStatus.CHANGES_REQUESTED,
}

# Error codes views may look at.
ALREADY_DONE = "already_done"


def _day(date: datetime.date) -> str:
    return date_format(date, "j F Y")


def _locked(claim: Claim) -> Claim:
    """The claim's row, locked until the end of the transaction, as it is now."""
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("envelope", "claimant", "relay")
        .get(pk=claim.pk)
    )


def _move(
    claim: Claim,
    to: ClaimStatus,
    user,
    allowed: set,
    reason: str = "",
    reason_code: str = "",
    session: str = "",
) -> Transition:
    """Change the status (the row is locked) and write the Transition."""
    pair = (ClaimStatus(claim.status), to)
    if pair not in allowed:
        raise ValidationError(
            _("Cette demande est « %(status)s » : elle ne peut pas passer à « %(to)s ».")
            % {"status": claim.get_status_display(), "to": to.label},
            code="illegal",
        )
    from_status = claim.status
    claim.status = to
    return Transition.objects.create(
        claim=claim,
        from_status=from_status,
        to_status=to,
        by=user,
        reason=reason,
        reason_code=reason_code,
        session=session,
    )


def _notify(claim: Claim, kind: str, site_url: str) -> None:
    """E-mail about the change once it is committed (never for a change rolled back)."""
    notifications.claim_changed(claim, kind, site_url)


def _recount_units(claim: Claim) -> None:
    total = claim.lines.filter(live=True).aggregate(total=Sum(F("units") * F("cents_per_unit")))[
        "total"
    ]
    claim.units_cents = total or 0


def _check_window(envelope: Envelope, today: datetime.date, doing: str) -> None:
    if today < envelope.opens_on:
        raise ValidationError(
            _("Les demandes sur « %(envelope)s » ouvrent le %(date)s : %(doing)s plus tard.")
            % {"envelope": envelope.name, "date": _day(envelope.opens_on), "doing": doing},
            code="not_open",
        )
    if today > envelope.closes_on:
        raise ValidationError(
            _(
                "Les demandes sur « %(envelope)s » sont closes depuis le %(date)s : "
                "%(doing)s n'est plus possible."
            )
            % {"envelope": envelope.name, "date": _day(envelope.closes_on), "doing": doing},
            code="closed",
        )


def _already_claimed_message(deliveries: list[Delivery]) -> str:
    names = ", ".join(
        _("%(requester)s (livrée le %(date)s)")
        % {
            "requester": d.need.requester_name,
            "date": _day(d.declared_on) if d.declared_on else "?",
        }
        for d in deliveries
    )
    return _(
        "Production déjà demandée : la livraison à %(deliveries)s figure déjà dans une autre "
        "demande. Une livraison ne se compense qu'une fois."
    ) % {"deliveries": names}


# --- the claimant -----------------------------------------------------------------------


@transaction.atomic
def create_claim(
    user,
    envelope: Envelope,
    claimant: Actor,
    deliveries: list[Delivery] | None = None,
    note: str = "",
    today: datetime.date | None = None,
) -> Claim:
    """A draft claim of `claimant` on `envelope`, resting on `deliveries` (by default every
    delivery it may claim), each at the envelope's rate for its item (the item's unit cost
    when the funder set none), counted at the units the recipient confirmed."""
    if not can(user, "funding.claim_for", claimant):
        raise PermissionDenied(_("Vous ne déposez pas de demande pour cet acteur."))
    _check_window(envelope, today or timezone.localdate(), _("créer une demande"))
    claimable = {d.pk: d for d in claimable_deliveries(claimant, envelope)}
    if deliveries is None:
        chosen = list(claimable.values())
    else:
        chosen = list({d.pk: d for d in deliveries}.values())
        taken = [d for d in chosen if d.pk not in claimable and d.claim_lines.filter(live=True)]
        if taken:
            raise ValidationError({"deliveries": _already_claimed_message(taken)}, code="claimed")
        foreign = [d for d in chosen if d.pk not in claimable]
        if foreign:
            raise ValidationError(
                {
                    "deliveries": _(
                        "Une demande ne repose que sur les livraisons de %(name)s pour cette "
                        "mobilisation, dont l'établissement a confirmé la réception."
                    )
                    % {"name": claimant.name}
                },
                code="not_claimable",
            )
        chosen = [claimable[d.pk] for d in chosen]
    rates = dict(
        Rate.objects.filter(envelope=envelope).values_list("item_type_id", "cents_per_unit")
    )
    claim = Claim.objects.create(
        envelope=envelope, claimant=claimant, created_by=user, note=note.strip()
    )
    lines = [
        ClaimLine(
            claim=claim,
            delivery=delivery,
            units=delivery.confirmed_units,
            cents_per_unit=rates.get(
                delivery.need.item_type_id, delivery.need.item_type.unit_cost_cents
            ),
        )
        for delivery in chosen
    ]
    try:
        # A concurrent claim on the same delivery: the unique constraint refuses it.
        with transaction.atomic():
            ClaimLine.objects.bulk_create(lines)
    except IntegrityError:
        raise ValidationError(
            {"deliveries": _already_claimed_message(chosen)}, code="claimed"
        ) from None
    claim.units_cents = sum(line.amount_cents for line in lines)
    claim.save(update_fields=["units_cents"])
    Transition.objects.create(claim=claim, from_status="", to_status=ClaimStatus.DRAFT, by=user)
    return claim


def _editable(user, claim: Claim, doing: str) -> Claim:
    if not can(user, "funding.edit_claim", claim):
        raise PermissionDenied(_("Vous ne modifiez pas cette demande."))
    claim = _locked(claim)
    if claim.status not in EDITABLE:
        raise ValidationError(
            _("Cette demande est « %(status)s » : %(doing)s n'est plus possible.")
            % {"status": claim.get_status_display(), "doing": doing},
            code="not_editable",
        )
    return claim


def check_receipt(receipt: UploadedFile) -> filetypes.Kind:
    """What the receipt is, from its content: a PDF or an image of at most 10 MiB.
    Raises ValidationError (at the `receipt` field) with why otherwise."""
    if receipt is None:
        raise ValidationError({"receipt": _("Joignez le justificatif (PDF ou image).")})
    if receipt.size > MAX_RECEIPT_SIZE:
        raise ValidationError(
            {
                "receipt": _(
                    "Ce fichier fait %(size)s Mio : un justificatif fait au plus %(max)s Mio. "
                    "Réduisez-le (photo moins définie, PDF compressé)."
                )
                % {"size": f"{receipt.size / 1024 / 1024:.1f}".replace(".", ","), "max": 10}
            },
            code="too_big",
        )
    if receipt.size == 0:
        raise ValidationError({"receipt": _("Ce fichier est vide.")}, code="empty")
    stream = receipt.open("rb") if hasattr(receipt, "open") else receipt
    stream.seek(0)
    head = stream.read(filetypes.HEAD_SIZE)
    stream.seek(0)
    if filetypes.is_executable(head):
        raise ValidationError(
            {
                "receipt": _(
                    "Ce fichier est un programme, pas un justificatif, quel que soit son nom "
                    "(« %(name)s ») : il est refusé. Joignez un PDF ou une photo du "
                    "justificatif."
                )
                % {"name": receipt.name}
            },
            code="executable",
        )
    kind = filetypes.sniff(stream)
    if kind not in RECEIPT_KINDS:
        raise ValidationError(
            {
                "receipt": _(
                    "Le contenu de « %(name)s » n'est ni un PDF ni une image (PNG, JPEG, WebP, "
                    "GIF), quel que soit son nom : joignez un PDF ou une photo du justificatif."
                )
                % {"name": receipt.name}
            },
            code="not_receipt",
        )
    return kind


@transaction.atomic
def add_expense(
    user,
    claim: Claim,
    *,
    kind: str,
    label: str,
    amount_cents: int,
    spent_on: datetime.date,
    receipt: UploadedFile,
    issuer: str = "",
) -> Expense:
    """An expense with its receipt, on a claim the claimant may still change. The receipt
    is stored under a random name with the extension of what it really is."""
    claim = _editable(user, claim, _("ajouter une dépense"))
    errors = {}
    if kind not in ExpenseKind.values:
        errors["kind"] = _("Choisissez la nature de la dépense.")
    if not (label or "").strip():
        errors["label"] = _("Indiquez ce qui a été acheté.")
    if amount_cents is None or amount_cents <= 0:
        errors["amount"] = _("Le montant d'une dépense est positif.")
    else:
        try:
            cents_in_range(amount_cents)
        except ValidationError as error:
            errors["amount"] = error.messages[0]
    if spent_on is None:
        errors["spent_on"] = _("Indiquez la date de la dépense.")
    elif spent_on < MIN_DATE:
        errors["spent_on"] = _("Indiquez une date de dépense à partir du %(date)s.") % {
            "date": _day(MIN_DATE)
        }
    elif spent_on > timezone.localdate():
        errors["spent_on"] = _("La date de la dépense ne peut pas être dans le futur.")
    if errors:
        raise ValidationError(errors)
    receipt_kind = check_receipt(receipt)
    receipt.name = f"{uuid.uuid4().hex}.{receipt_kind.extension}"
    digest = hashlib.sha256()
    for chunk in receipt.chunks():
        digest.update(chunk)
    receipt.seek(0)
    return Expense.objects.create(
        claim=claim,
        kind=kind,
        label=label.strip(),
        issuer=" ".join((issuer or "").split())[:200],
        receipt_sha256=digest.hexdigest(),
        amount_cents=amount_cents,
        spent_on=spent_on,
        receipt=receipt,
        receipt_kind=receipt_kind.mime,
    )


@transaction.atomic
def remove_expense(user, claim: Claim, expense: Expense) -> None:
    """Take back an expense of a claim the claimant may still change (and its file)."""
    claim = _editable(user, claim, _("retirer une dépense"))
    if expense.claim_id != claim.pk:
        raise PermissionDenied
    storage, name = expense.receipt.storage, expense.receipt.name
    expense.delete()
    transaction.on_commit(partial(storage.delete, name))


@transaction.atomic
def remove_line(user, claim: Claim, line: ClaimLine) -> None:
    """Take a delivery out of a claim the claimant may still change."""
    claim = _editable(user, claim, _("retirer une livraison"))
    if line.claim_id != claim.pk:
        raise PermissionDenied
    line.delete()
    _recount_units(claim)
    claim.save(update_fields=["units_cents"])


def _neutral_relay(claim: Claim, relay: Actor) -> tuple[Actor, str]:
    """The relay that reviews the claim: the one covering the claimant's territory, unless
    the claimant is that relay or one of its people; then the envelope's other relay
    (`Envelope.conflict_relay`), itself free of any tie with the claimant. Refused when
    the envelope names none (nobody reviews their own claim)."""
    if not is_conflicted(relay, claim.claimant):
        return relay, ""
    other = claim.envelope.conflict_relay
    if other is not None and not is_conflicted(other, claim.claimant):
        return other, ReasonCode.CONFLICT
    raise ValidationError(
        _(
            "%(relay)s ne peut pas instruire une demande de %(name)s : c'est le relais "
            "lui-même ou l'une de ses personnes, et l'enveloppe ne désigne pas d'autre relais "
            "pour ces demandes. Demandez à %(funder)s d'en désigner un."
        )
        % {
            "relay": relay.name,
            "name": claim.claimant.name,
            "funder": claim.envelope.funder.name,
        },
        code="conflict",
    )


@transaction.atomic
def submit(
    user,
    claim: Claim,
    today: datetime.date | None = None,
    site_url: str = "",
    session: str = "",
) -> Claim:
    """Send a draft (or a claim sent back for changes) to the relay that covers the
    claimant's territory today, within the envelope's dates."""
    if not can(user, "funding.edit_claim", claim):
        raise PermissionDenied(_("Vous ne déposez pas cette demande."))
    claim = _locked(claim)
    today = today or timezone.localdate()
    to = {
        ClaimStatus.DRAFT: ClaimStatus.SUBMITTED,
        ClaimStatus.CHANGES_REQUESTED: ClaimStatus.RESUBMITTED,
    }.get(claim.status)
    if to is None:
        raise ValidationError(
            _("Cette demande est « %(status)s » : elle ne se dépose pas à nouveau.")
            % {"status": claim.get_status_display()},
            code=ALREADY_DONE,
        )
    _check_window(claim.envelope, today, _("déposer une demande"))
    if not claim.lines.filter(live=True).exists() and not claim.expenses.exists():
        raise ValidationError(
            _(
                "Cette demande ne contient ni livraison ni dépense : ajoutez au moins une "
                "livraison confirmée ou une dépense justifiée avant de la déposer."
            ),
            code="empty",
        )
    relay, reason = relay_for(claim.claimant, today)
    if relay is None:
        raise ValidationError(reason, code="no_relay")
    relay, reason_code = _neutral_relay(claim, relay)
    _move(claim, to, user, CLAIMANT_TRANSITIONS, reason_code=reason_code, session=session)
    claim.relay = relay
    claim.submitted_on = today
    _recount_units(claim)
    claim.save(update_fields=["status", "relay", "submitted_on", "units_cents"])
    _notify(claim, str(to), site_url)
    return claim


@transaction.atomic
def cancel(user, claim: Claim, reason: str = "") -> Claim:
    """The claimant withdraws a claim before its approval; its deliveries become claimable
    again."""
    if not can(user, "funding.edit_claim", claim):
        raise PermissionDenied(_("Vous n'annulez pas cette demande."))
    claim = _locked(claim)
    if claim.status == ClaimStatus.CANCELLED:
        raise ValidationError(_("Cette demande est déjà annulée."), code=ALREADY_DONE)
    if (ClaimStatus(claim.status), ClaimStatus.CANCELLED) not in CLAIMANT_TRANSITIONS:
        raise ValidationError(
            _("Cette demande est « %(status)s » : elle ne s'annule plus.")
            % {"status": claim.get_status_display()},
            code="illegal",
        )
    _move(claim, ClaimStatus.CANCELLED, user, CLAIMANT_TRANSITIONS, reason.strip())
    claim.save(update_fields=["status"])
    claim.lines.update(live=False)
    return claim


# --- the relay's treasurer -----------------------------------------------------------------


def _refused(user, claim: Claim, action: str, default: str) -> PermissionDenied:
    return PermissionDenied(duty_refusal(user, claim, action) or default)


@transaction.atomic
def review(
    user,
    claim: Claim,
    decision: str,
    *,
    reason: str = "",
    validated_expenses=(),
    site_url: str = "",
    session: str = "",
) -> Claim:
    """The treasurer of the claim's relay approves it (with the expenses they validate),
    rejects it or asks for changes (both with a reason the claimant reads). The claimant
    is told by e-mail. Approving twice approves once.

    Above the envelope's threshold (`Envelope.double_approval_above_cents`), an approval
    is a first one: the claim waits for a second approval by another person of the relay,
    on the same expenses, who may also reject it or ask for changes. Nobody reviews a
    claim they submitted or act for; each approval is chained in the ledger with who gave
    it and from which session."""
    only = _("Seul le trésorier du relais de cette demande l'examine.")
    if not strictly(user, "funding.review_claim", claim):
        raise _refused(user, claim, "review", only)
    claim = _locked(claim)
    if not strictly(user, "funding.review_claim", claim):  # the relay and steps, as now
        raise _refused(user, claim, "review", only)
    to = DECISIONS.get(decision)
    if to is None:
        raise ValidationError({"decision": _("Choisissez une décision.")})
    if claim.status not in ClaimStatus.to_review():
        raise ValidationError(
            _("Cette demande est déjà examinée : elle est « %(status)s ».")
            % {"status": claim.get_status_display()},
            code=ALREADY_DONE,
        )
    reason = (reason or "").strip()
    if to != ClaimStatus.APPROVED and not reason:
        raise ValidationError(
            {
                "reason": _(
                    "Indiquez le motif : il est envoyé au bénéficiaire, qui le lit sur sa demande."
                )
            },
            code="reason",
        )
    expenses = list(claim.expenses.all())
    ids = {int(pk) for pk in validated_expenses}
    if ids - {e.pk for e in expenses}:
        raise ValidationError(
            {"validated_expenses": _("Ces dépenses ne sont pas celles de la demande.")}
        )
    second = claim.status == ClaimStatus.FIRST_APPROVED
    first = duties(claim).first_approval if second else None
    if second and to == ClaimStatus.APPROVED and ids != {e.pk for e in expenses if e.validated}:
        raise ValidationError(
            {
                "validated_expenses": _(
                    "La seconde validation porte sur les dépenses validées la première fois. "
                    "Pour en changer, demandez des modifications au bénéficiaire."
                )
            },
            code="not_same",
        )
    fields = ["status"]
    if to == ClaimStatus.APPROVED and not second:
        for expense in expenses:
            expense.validated = expense.pk in ids
        Expense.objects.bulk_update(expenses, ["validated"])
        claim.expenses_cents = sum(e.amount_cents for e in expenses if e.validated)
        _recount_units(claim)
        fields += ["expenses_cents", "units_cents"]
        if needs_second_approval(claim, claim.expenses_cents):
            to = ClaimStatus.FIRST_APPROVED
    _move(claim, to, user, TREASURER_TRANSITIONS, reason, session=session)
    claim.save(update_fields=fields)
    if to == ClaimStatus.REJECTED:
        claim.lines.update(live=False)
    if to in (ClaimStatus.FIRST_APPROVED, ClaimStatus.APPROVED):
        payload = {
            "claim": claim.pk,
            "envelope": claim.envelope.slug,
            "claimant": claim.claimant_id,
            "relay": claim.relay_id,
            "units_cents": claim.units_cents,
            "expenses_cents": claim.expenses_cents,
            "asked_cents": claim.asked_cents,
            "by": user.pk,
        }
        if session:
            payload["session"] = session
        if first is not None:
            payload["first_by"] = first.by_id
            if first.session:
                payload["first_session"] = first.session
        kind = LedgerKind.FIRST_APPROVAL if to == ClaimStatus.FIRST_APPROVED else None
        ledger.append(kind or LedgerKind.CLAIM_APPROVED, payload)
    _notify(claim, "second_approval" if to == ClaimStatus.FIRST_APPROVED else decision, site_url)
    return claim

"""State changes of the money room: a funder opens an envelope, runs its allocation and
sends money to the relays; a relay's treasurer pays a scheduled claim; a platform
administrator reconfigures which relay covers which département.

Every change is atomic, checks who asks, and writes the ledger (services.ledger) in the
same transaction: a refusal raises ValidationError (French, by field when it is about one)
or PermissionDenied and leaves nothing written.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kenlabour.accounts.perms import can, strictly
from kenlabour.funding import allocation, ledger_records, notifications
from kenlabour.funding.bounds import MAX_RATE_CENTS, cents_in_range, date_in_range
from kenlabour.funding.enums import ClaimStatus, LedgerKind, ReasonCode, TransferKind
from kenlabour.funding.models import Claim, Coverage, Envelope, Rate, Transfer, Transition
from kenlabour.funding.selectors.claims import duties, duty_refusal, needs_payout_confirmation
from kenlabour.funding.services import ledger
from kenlabour.funding.templatetags.funding_claims import format_euros
from kenlabour.mobilisation.models import Campaign, ItemType
from kenlabour.network.models import Actor
from kenlabour.territories.models import Departement


def _day(date: datetime.date) -> str:
    return date_format(date, "j F Y")


def may_manage(user, envelope: Envelope) -> bool:
    """The envelope's funder (its people, or a platform-wide funder) or a platform admin."""
    return strictly(user, "funding.manage_envelope", envelope)


def _bounded(errors: dict, field: str, value, validator) -> None:
    """Add the validator's French message at `field` when `value` is out of range."""
    if field in errors or value is None:
        return
    try:
        validator(value)
    except ValidationError as error:
        errors[field] = error.messages[0]


def _unique_envelope_slug(name: str) -> str:
    base = slugify(name)[:200] or "enveloppe"
    candidate, n = base, 1
    while Envelope.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


# --- envelopes ------------------------------------------------------------------------------


def _envelope_errors(
    total_cents, cap_cents, opens_on, closes_on, convention_date, conflict_relay, funder
) -> dict:
    """What is wrong with an envelope's figures, by field (French messages)."""
    errors = {}
    if not total_cents or total_cents <= 0:
        errors["total"] = _("Le montant de l'enveloppe doit être supérieur à zéro.")
    _bounded(errors, "total", total_cents, cents_in_range)
    if cap_cents is not None and cap_cents <= 0:
        errors["cap"] = _("Le plafond, s'il y en a un, doit être supérieur à zéro.")
    elif cap_cents is not None and total_cents and cap_cents > total_cents:
        errors["cap"] = _("Le plafond par bénéficiaire ne peut pas dépasser l'enveloppe.")
    _bounded(errors, "cap", cap_cents, cents_in_range)
    for field, day in (
        ("opens_on", opens_on),
        ("closes_on", closes_on),
        ("convention_date", convention_date),
    ):
        if day is None:
            errors[field] = _("Indiquez la date.")
        _bounded(errors, field, day, date_in_range)
    if opens_on and closes_on and closes_on < opens_on and "closes_on" not in errors:
        errors["closes_on"] = _("La clôture ne peut pas précéder l'ouverture (le %(date)s).") % {
            "date": _day(opens_on)
        }
    if conflict_relay is not None and conflict_relay.pk == getattr(funder, "pk", None):
        errors["conflict_relay"] = _("Choisissez un relais, pas le financeur lui-même.")
    return errors


def _rate_errors(errors: dict, rates: dict, items: list) -> None:
    unknown = set(rates) - {item.pk for item in items}
    if unknown:
        errors["campaign"] = _("Les taux portent sur des objets d'une autre campagne.")
    for item_pk, cents in rates.items():
        if cents is not None and cents < 0:
            errors[f"rate_{item_pk}"] = _("Un taux ne peut pas être négatif.")
        elif cents is not None and cents > MAX_RATE_CENTS:
            errors[f"rate_{item_pk}"] = _("Un taux ne dépasse pas %(max)s par unité.") % {
                "max": format_euros(MAX_RATE_CENTS)
            }


def _who(user, session: str) -> dict:
    """Who made a ledger entry, and from which sign-in session when known."""
    return {"by": user.pk, **({"session": session} if session else {})}


def _threshold_errors(errors: dict, double_approval: int | None, confirmation: int | None):
    for field, value in (
        ("double_approval_above", double_approval),
        ("payout_confirmation_above", confirmation),
    ):
        _bounded(errors, field, value, cents_in_range)


def _envelope_payload(envelope: Envelope) -> dict:
    """What the ledger keeps of an envelope (every column that sets its rule or appears on
    the public pages, and its rates), for its opening and its corrections."""
    rates = envelope.rates.values_list("item_type", "cents_per_unit")
    return ledger_records.envelope_record(envelope, rates)


def may_change(envelope: Envelope) -> bool:
    """An envelope is edited or withdrawn only while nothing rests on it: no claim (not even
    a draft) and no transfer."""
    return not envelope.claims.exists() and not envelope.transfers.exists()


def _unchanged_or_refused(user, envelope: Envelope, doing: str) -> Envelope:
    if not may_manage(user, envelope) or not strictly(
        user, "funding.create_envelope", envelope.funder
    ):
        raise PermissionDenied(_("Seules les personnes du financeur modifient ses enveloppes."))
    envelope = Envelope.objects.select_for_update().select_related("funder").get(pk=envelope.pk)
    if not may_change(envelope):
        raise ValidationError(
            _(
                "Des demandes ou des virements reposent déjà sur cette enveloppe : %(doing)s "
                "n'est plus possible."
            )
            % {"doing": doing},
            code="in_use",
        )
    return envelope


@transaction.atomic
def update_envelope(
    user,
    envelope: Envelope,
    *,
    name: str,
    total_cents: int,
    opens_on: datetime.date,
    closes_on: datetime.date,
    decision_reference: str,
    convention_date: datetime.date,
    cap_cents: int | None = None,
    rates: dict[int, int] | None = None,
    conflict_relay: Actor | None = None,
    double_approval_above_cents: int | None = None,
    payout_confirmation_above_cents: int | None = None,
    session: str = "",
) -> Envelope:
    """Correct an envelope before any claim or transfer rests on it; the ledger keeps the
    opening entry and records the new figures as a correction."""
    envelope = _unchanged_or_refused(user, envelope, _("la modifier"))
    errors = _envelope_errors(
        total_cents,
        cap_cents,
        opens_on,
        closes_on,
        convention_date,
        conflict_relay,
        envelope.funder,
    )
    items = list(ItemType.objects.filter(campaign=envelope.campaign_id).order_by("pk"))
    rates = rates or {}
    _rate_errors(errors, rates, items)
    _threshold_errors(errors, double_approval_above_cents, payout_confirmation_above_cents)
    if errors:
        raise ValidationError(errors)
    envelope.name = name
    envelope.total_cents = total_cents
    envelope.cap_cents = cap_cents
    envelope.opens_on = opens_on
    envelope.closes_on = closes_on
    envelope.decision_reference = decision_reference
    envelope.convention_date = convention_date
    envelope.conflict_relay = conflict_relay
    envelope.double_approval_above_cents = double_approval_above_cents
    envelope.payout_confirmation_above_cents = payout_confirmation_above_cents
    envelope.save()
    for item in items:
        if rates.get(item.pk) is not None:
            Rate.objects.update_or_create(
                envelope=envelope, item_type=item, defaults={"cents_per_unit": rates[item.pk]}
            )
    ledger.append(
        LedgerKind.CORRECTION,
        {"corrects": "envelope", **_envelope_payload(envelope), **_who(user, session)},
    )
    return envelope


@transaction.atomic
def withdraw_envelope(user, envelope: Envelope, session: str = "") -> None:
    """Withdraw an envelope before any claim or transfer rests on it: it is deleted with its
    rates; the ledger keeps its opening and records the withdrawal."""
    envelope = _unchanged_or_refused(user, envelope, _("la retirer"))
    pk, slug, funder_id, total = (
        envelope.pk,
        envelope.slug,
        envelope.funder_id,
        envelope.total_cents,
    )
    envelope.rates.all().delete()
    envelope.delete()
    ledger.append(
        LedgerKind.CORRECTION,
        {
            "corrects": "envelope",
            "withdrawn": True,
            "id": pk,
            "envelope": slug,
            "funder": funder_id,
            "total_cents": total,
            **_who(user, session),
        },
    )


@transaction.atomic
def create_envelope(
    user,
    *,
    funder: Actor,
    campaign: Campaign,
    name: str,
    total_cents: int,
    opens_on: datetime.date,
    closes_on: datetime.date,
    decision_reference: str,
    convention_date: datetime.date,
    cap_cents: int | None = None,
    rates: dict[int, int] | None = None,
    conflict_relay: Actor | None = None,
    double_approval_above_cents: int | None = None,
    payout_confirmation_above_cents: int | None = None,
    session: str = "",
) -> Envelope:
    """A new envelope of `funder` for `campaign`, with a rate per item type of the campaign
    (`rates`: item type id → cents per unit; by default the item's unit cost). Only the
    funder's own people open one in its name (no account is above that rule)."""
    if not strictly(user, "funding.create_envelope", funder):
        raise PermissionDenied(_("Seules les personnes du financeur ouvrent ses enveloppes."))
    errors = _envelope_errors(
        total_cents, cap_cents, opens_on, closes_on, convention_date, conflict_relay, funder
    )
    items = list(ItemType.objects.filter(campaign=campaign).order_by("pk"))
    rates = rates or {}
    _rate_errors(errors, rates, items)
    _threshold_errors(errors, double_approval_above_cents, payout_confirmation_above_cents)
    if errors:
        raise ValidationError(errors)
    envelope = Envelope.objects.create(
        funder=funder,
        campaign=campaign,
        name=name,
        slug=_unique_envelope_slug(name),
        total_cents=total_cents,
        cap_cents=cap_cents,
        opens_on=opens_on,
        closes_on=closes_on,
        decision_reference=decision_reference,
        convention_date=convention_date,
        conflict_relay=conflict_relay,
        double_approval_above_cents=double_approval_above_cents,
        payout_confirmation_above_cents=payout_confirmation_above_cents,
        created_by=user,
    )
    Rate.objects.bulk_create(
        Rate(
            envelope=envelope,
            item_type=item,
            cents_per_unit=item.unit_cost_cents if rates.get(item.pk) is None else rates[item.pk],
        )
        for item in items
    )
    ledger.append(
        LedgerKind.ENVELOPE_OPENED, {**_envelope_payload(envelope), **_who(user, session)}
    )
    return envelope


# --- allocation -----------------------------------------------------------------------------


class AllocationRun:
    """What a round did: the pure module's round and how many claims it scheduled or left
    without a share (the envelope already wholly shared)."""

    def __init__(self, result: allocation.Round, scheduled: int, unfunded: int):
        self.result = result
        self.scheduled = scheduled
        self.unfunded = unfunded


def remaining_cents(envelope: Envelope) -> int:
    """What no round has granted yet: the envelope less the shares of the claims scheduled
    or paid."""
    granted = (
        envelope.claims.filter(status__in=ClaimStatus.granted()).aggregate(
            total=Sum("allocated_cents")
        )["total"]
        or 0
    )
    return max(0, envelope.total_cents - granted)


@transaction.atomic
def allocate(user, envelope: Envelope, session: str = "") -> AllocationRun:
    """A round of allocation, at any time, open envelope or closed: the APPROVED claims
    share what the earlier rounds left, pro rata to what each asks (validated units +
    validated expenses), each claimant's cap counting what it already got, exact to the
    cent (kenlabour.funding.allocation.allocate_round). The shares of claims SCHEDULED or
    PAID are floors: never lowered, never recomputed. A claim with a share becomes
    SCHEDULED; one left with nothing (the envelope wholly shared) stays APPROVED, its
    share recorded as zero."""
    if not may_manage(user, envelope):
        raise PermissionDenied(_("Seul le financeur de l'enveloppe en calcule la répartition."))
    envelope = Envelope.objects.select_for_update().get(pk=envelope.pk)
    rows = list(
        Claim.objects.select_for_update()
        .filter(
            envelope=envelope,
            status__in=[ClaimStatus.APPROVED, *ClaimStatus.granted()],
        )
        .order_by("pk")
    )
    claims = [c for c in rows if c.status == ClaimStatus.APPROVED]
    if not claims:
        raise ValidationError(
            _("Aucune nouvelle demande approuvée : il n'y a rien à répartir."), code="nothing"
        )
    granted = [
        allocation.Granted(c.pk, c.claimant_id, c.allocated_cents or 0)
        for c in rows
        if c.status != ClaimStatus.APPROVED
    ]
    pure = [allocation.Claim(c.pk, c.claimant_id, c.asked_cents) for c in claims]
    result = allocation.allocate_round(
        pure, envelope.total_cents, granted, default_cap=envelope.cap_cents
    )
    # Never write a result that breaks a guarantee: InvariantError rolls everything back.
    allocation.check(result.allocation, pure, result.remaining_cents, caps=result.caps)
    scheduled = unfunded = 0
    for claim in claims:
        share = result.shares[claim.pk]
        claim.allocated_cents = share
        if not share:
            claim.save(update_fields=["allocated_cents"])
            unfunded += 1
            continue
        Transition.objects.create(
            claim=claim,
            from_status=ClaimStatus.APPROVED,
            to_status=ClaimStatus.SCHEDULED,
            by=user,
            reason_code=ReasonCode.ALLOCATION,
            session=session,
        )
        claim.status = ClaimStatus.SCHEDULED
        claim.save(update_fields=["status", "allocated_cents"])
        ledger.append(
            LedgerKind.ALLOCATION,
            {**ledger_records.claim_record(claim, envelope.slug), **_who(user, session)},
        )
        scheduled += 1
    envelope.allocated_at = timezone.now()
    envelope.save(update_fields=["allocated_at"])
    return AllocationRun(result, scheduled, unfunded)


# --- transfers ------------------------------------------------------------------------------


def _append_transfer(transfer: Transfer) -> None:
    """The transfer's entry: every column of the row, its bank reference private."""
    public, private = ledger_records.transfer_record(transfer, transfer.envelope.slug)
    ledger.append(LedgerKind.TRANSFER, public, private)


@transaction.atomic
def add_transfer(
    user,
    envelope: Envelope,
    *,
    relay: Actor,
    amount_cents: int,
    date: datetime.date,
    bank_reference: str,
    today: datetime.date | None = None,
    session: str = "",
) -> Transfer:
    """Money the funder sent a relay from the envelope (never more than the envelope in
    all); the same bank reference twice for a relay is the same transfer, refused."""
    if not may_manage(user, envelope):
        raise PermissionDenied(_("Seul le financeur de l'enveloppe enregistre ses virements."))
    envelope = Envelope.objects.select_for_update().get(pk=envelope.pk)
    bank_reference = (bank_reference or "").strip()
    errors = {}
    if not amount_cents or amount_cents <= 0:
        errors["amount"] = _("Le montant du virement doit être supérieur à zéro.")
    _bounded(errors, "amount", amount_cents, cents_in_range)
    if not date:
        errors["date"] = _("Indiquez la date du virement.")
    _bounded(errors, "date", date, date_in_range)
    if "date" not in errors and date > (today or timezone.localdate()):
        errors["date"] = _("Un virement s'enregistre une fois fait : la date est dans le futur.")
    if not bank_reference:
        errors["bank_reference"] = _("Indiquez la référence bancaire du virement.")
    key = f"envelope:{envelope.pk}:relay:{relay.pk}:{bank_reference}"
    if bank_reference and Transfer.objects.filter(key=key).exists():
        errors["bank_reference"] = _(
            "Un virement de référence « %(reference)s » à ce relais est déjà enregistré."
        ) % {"reference": bank_reference}
    if not errors:
        sent = (
            Transfer.objects.filter(envelope=envelope, kind=TransferKind.FUNDER_TO_RELAY).aggregate(
                total=Sum("amount_cents")
            )["total"]
            or 0
        )
        if sent + amount_cents > envelope.total_cents:
            errors["amount"] = _(
                "Ce virement dépasserait l'enveloppe : %(sent)s déjà versés aux relais sur "
                "%(total)s, il reste %(left)s."
            ) % {
                "sent": format_euros(sent),
                "total": format_euros(envelope.total_cents),
                "left": format_euros(envelope.total_cents - sent),
            }
    if errors:
        raise ValidationError(errors)
    transfer = Transfer.objects.create(
        kind=TransferKind.FUNDER_TO_RELAY,
        envelope=envelope,
        relay=relay,
        amount_cents=amount_cents,
        date=date,
        bank_reference=bank_reference,
        key=key,
        created_by=user,
        session=session,
    )
    _append_transfer(transfer)
    return transfer


def payout_key(claim: Claim) -> str:
    return f"claim:{claim.pk}:payout"


def _locked_claim(claim: Claim) -> Claim:
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("envelope", "relay", "claimant")
        .get(pk=claim.pk)
    )


def _refused(user, claim: Claim, action: str, default: str) -> PermissionDenied:
    return PermissionDenied(duty_refusal(user, claim, action) or default)


def _payout(
    claim: Claim,
    *,
    by,
    session: str,
    date,
    reference: str,
    confirmed_by=None,
    confirmed_session="",
    site_url="",
) -> Transfer:
    """Write the payout of a claim: its transfer, its step to PAID, its ledger entry."""
    transfer = Transfer.objects.create(
        kind=TransferKind.RELAY_TO_CLAIMANT,
        envelope=claim.envelope,
        relay=claim.relay,
        claim=claim,
        amount_cents=claim.allocated_cents,
        date=date,
        bank_reference=reference,
        key=payout_key(claim),
        created_by=by,
        session=session,
        confirmed_by=confirmed_by,
        confirmed_session=confirmed_session,
    )
    Transition.objects.create(
        claim=claim,
        from_status=claim.status,
        to_status=ClaimStatus.PAID,
        by=confirmed_by or by,
        reason_code=ReasonCode.PAYOUT,
        reason_data={"reference": reference, "date": date.isoformat()},
        session=confirmed_session or session,
    )
    claim.status = ClaimStatus.PAID
    claim.save(update_fields=["status"])
    _append_transfer(transfer)
    notifications.claim_changed(claim, "paid", site_url)
    return transfer


@transaction.atomic
def pay_claim(
    user,
    claim: Claim,
    *,
    date: datetime.date,
    bank_reference: str,
    today: datetime.date | None = None,
    site_url: str = "",
    session: str = "",
) -> tuple[Transfer | None, bool]:
    """Record the relay's payout of a SCHEDULED claim: (the transfer, True). Idempotent: the
    claim's row is locked first, so a second click or a concurrent request waits, then finds
    the claim PAID and gets (the existing transfer, False), writing nothing.

    Separation of duties: only a treasurer of the claim's relay who neither submitted nor
    approved the claim pays it. Above the envelope's threshold
    (`Envelope.payout_confirmation_above_cents`), the payout is recorded, not written:
    (None, True), the claim waits for another person's confirmation (`confirm_payout`)."""
    locked = _locked_claim(claim)
    if not strictly(user, "funding.pay_claim", locked):
        raise _refused(user, locked, "pay", _("Seul le trésorier du relais de la demande la paie."))
    if locked.status == ClaimStatus.PAID:
        return Transfer.objects.get(key=payout_key(locked)), False
    if locked.status == ClaimStatus.PAYOUT_RECORDED:
        raise ValidationError(
            _(
                "Ce virement est déjà enregistré : il attend la confirmation d'une seconde "
                "personne du relais."
            ),
            code="already_done",
        )
    if locked.status != ClaimStatus.SCHEDULED:
        raise ValidationError(
            _(
                "Cette demande est « %(status)s » : seule une demande dont le paiement est "
                "programmé par la répartition se paie."
            )
            % {"status": locked.get_status_display()},
            code="not_scheduled",
        )
    if not locked.allocated_cents:
        raise ValidationError(
            _("La part attribuée à cette demande est nulle : il n'y a rien à verser."),
            code="nothing",
        )
    bank_reference = (bank_reference or "").strip()
    errors = {}
    if not date:
        errors["date"] = _("Indiquez la date du virement.")
    _bounded(errors, "date", date, date_in_range)
    if "date" not in errors and date > (today or timezone.localdate()):
        errors["date"] = _("Un virement s'enregistre une fois fait : la date est dans le futur.")
    if not bank_reference:
        errors["bank_reference"] = _("Indiquez la référence bancaire du virement.")
    if errors:
        raise ValidationError(errors)
    if needs_payout_confirmation(locked):
        Transition.objects.create(
            claim=locked,
            from_status=ClaimStatus.SCHEDULED,
            to_status=ClaimStatus.PAYOUT_RECORDED,
            by=user,
            reason_code=ReasonCode.PAYOUT,
            reason_data={"reference": bank_reference, "date": date.isoformat()},
            session=session,
        )
        locked.status = ClaimStatus.PAYOUT_RECORDED
        locked.save(update_fields=["status"])
        notifications.claim_changed(locked, "payout_recorded", site_url)
        return None, True
    transfer = _payout(
        locked, by=user, session=session, date=date, reference=bank_reference, site_url=site_url
    )
    return transfer, True


def _recorded(claim: Claim) -> Transition:
    recorded = duties(claim).recorded_payout
    if recorded is None:
        raise ValidationError(
            _("Cette demande est « %(status)s » : aucun virement n'attend de confirmation.")
            % {"status": claim.get_status_display()},
            code="already_done",
        )
    return recorded


@transaction.atomic
def confirm_payout(user, claim: Claim, *, site_url: str = "", session: str = "") -> Transfer:
    """A second person of the relay confirms the payout another recorded: the transfer is
    written, with both names, and chained in the ledger; the claim is PAID."""
    locked = _locked_claim(claim)
    only = _("Seul un autre trésorier du relais de la demande confirme ce virement.")
    if not strictly(user, "funding.confirm_payout", locked):
        raise _refused(user, locked, "confirm", only)
    recorded = _recorded(locked)
    return _payout(
        locked,
        by=recorded.by,
        session=recorded.session,
        date=datetime.date.fromisoformat(recorded.reason_data["date"]),
        reference=recorded.reason_data["reference"],
        confirmed_by=user,
        confirmed_session=session,
        site_url=site_url,
    )


@transaction.atomic
def refuse_payout(user, claim: Claim, *, reason: str, session: str = "") -> Claim:
    """The second person finds the recorded payout wrong (a bank reference, a date): the
    claim goes back to SCHEDULED, with the reason, and nothing enters the ledger."""
    locked = _locked_claim(claim)
    only = _("Seul un autre trésorier du relais de la demande confirme ce virement.")
    if not strictly(user, "funding.confirm_payout", locked):
        raise _refused(user, locked, "confirm", only)
    _recorded(locked)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Indiquez ce qui ne va pas : la personne qui l'a enregistré le lit.")}
        )
    Transition.objects.create(
        claim=locked,
        from_status=ClaimStatus.PAYOUT_RECORDED,
        to_status=ClaimStatus.SCHEDULED,
        by=user,
        reason=reason[:2000],
        session=session,
    )
    locked.status = ClaimStatus.SCHEDULED
    locked.save(update_fields=["status"])
    return locked


# --- coverage -------------------------------------------------------------------------------


@transaction.atomic
def add_coverage(
    user,
    *,
    relay: Actor,
    departement: Departement,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
) -> Coverage:
    """`relay` covers `departement` from `valid_from` (until `valid_until`, or for good).
    The relay that covered it until then, with no end date, stops the day before; past rows
    are kept (history). Refused when another coverage of the département overlaps."""
    if not can(user, "funding.configure_coverage"):
        raise PermissionDenied(_("Seuls les administrateurs configurent les relais."))
    errors = {}
    if valid_from is None:
        errors["valid_from"] = _("Indiquez la date de début.")
    _bounded(errors, "valid_from", valid_from, date_in_range)
    _bounded(errors, "valid_until", valid_until, date_in_range)
    if errors:
        raise ValidationError(errors)
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError(
            {
                "valid_until": _("La fin ne peut pas précéder le début (le %(date)s).")
                % {"date": _day(valid_from)}
            }
        )
    rows = list(
        Coverage.objects.select_for_update()
        .filter(departement=departement)
        .select_related("relay")
        .order_by("valid_from")
    )
    day_before = valid_from - datetime.timedelta(days=1)
    to_close = [c for c in rows if c.valid_until is None and c.valid_from < valid_from]
    for row in to_close:
        row.valid_until = day_before
    end = valid_until or datetime.date.max
    for row in rows:
        row_end = row.valid_until or datetime.date.max
        if row.valid_from <= end and valid_from <= row_end:
            raise ValidationError(
                {
                    "valid_from": _(
                        "%(relay)s couvre déjà %(departement)s du %(start)s %(end)s : les "
                        "périodes se chevauchent."
                    )
                    % {
                        "relay": row.relay.name,
                        "departement": departement.name,
                        "start": _day(row.valid_from),
                        "end": _("au %(date)s") % {"date": _day(row.valid_until)}
                        if row.valid_until
                        else _("sans date de fin"),
                    }
                }
            )
    for row in to_close:
        row.save(update_fields=["valid_until"])
    return Coverage.objects.create(
        relay=relay,
        departement=departement,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=user,
    )

"""Needs: a carers' organisation submits one without an account and follows it by its
secret link, where it confirms the deliveries it received; coordinators verify needs
(validate or cancel) and record what was done about each delivery discrepancy.

A refusal the person can act upon is a ValidationError with a French message, by field
when there is one; a missing right is PermissionDenied. A refusal changes nothing.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kenlabour.accounts.perms import can
from kenlabour.mobilisation import bounds, notifications
from kenlabour.mobilisation.bounds import MAX_QUANTITY  # noqa: F401 (for the callers)
from kenlabour.mobilisation.enums import DeliveryStatus, NeedStatus, RequesterKind, Urgency
from kenlabour.mobilisation.models import Campaign, Delivery, ItemType, Need
from kenlabour.mobilisation.services.lifecycle import place_need, refresh_need_status
from kenlabour.network.enums import ActorKind, ModerationStatus, OrganisationKind
from kenlabour.network.models import Actor
from kenlabour.network.services.actors import place_actor, search_text_of, unique_slug

# What the public form fills; the rest (status, token, territory) is the service's.
NEED_FIELDS = (
    "item_type",
    "quantity",
    "requester_name",
    "requester_kind",
    "contact_name",
    "contact_email",
    "contact_phone",
    "commune",
    "address",
    "deadline",
    "urgency",
    "note",
)
REQUIRED_TEXT = ("requester_name", "contact_name", "contact_email")


def closed_reason(campaign: Campaign, today: datetime.date | None = None) -> str:
    """Why the campaign takes no need now, or "" when it does."""
    today = today or timezone.localdate()
    if campaign.ends_on is not None and campaign.ends_on < today:
        return _(
            "La mobilisation « %(name)s » est terminée depuis le %(date)s : elle ne reçoit "
            "plus de besoins."
        ) % {"name": campaign.name, "date": campaign.ends_on.strftime("%d/%m/%Y")}
    if not campaign.accepts_needs:
        return _(
            "La mobilisation « %(name)s » ne reçoit pas de besoins en ce moment : "
            "l'équipe de coordination a fermé le formulaire."
        ) % {"name": campaign.name}
    return ""


def need_problems(campaign: Campaign, fields: dict, today: datetime.date) -> dict[str, str]:
    """The rules a submitted need must follow, with the message each breach gets (by
    field)."""
    problems = {}
    item_type = fields.get("item_type")
    if not isinstance(item_type, ItemType) or item_type.campaign_id != campaign.pk:
        problems["item_type"] = _("Choisissez un des articles de cette mobilisation.")
    quantity = fields.get("quantity")
    if not isinstance(quantity, int):
        problems["quantity"] = _("La quantité doit être un nombre entier positif, au moins 1.")
    elif message := bounds.problem(bounds.NEED_QUANTITY, quantity):
        problems["quantity"] = message
    deadline = fields.get("deadline")
    if not isinstance(deadline, datetime.date):
        problems["deadline"] = _("Indiquez la date limite de livraison.")
    elif message := bounds.problem([bounds.day_in_bounds], deadline):
        problems["deadline"] = message
    elif deadline < today:
        problems["deadline"] = _(
            "La date limite (%(date)s) est déjà passée : indiquez une date à partir d'aujourd'hui."
        ) % {"date": deadline.strftime("%d/%m/%Y")}
    if fields.get("commune") is None:
        problems["commune"] = _("Indiquez la commune de livraison.")
    if fields.get("requester_kind") not in RequesterKind.values:
        problems["requester_kind"] = _("Choisissez le type d'établissement.")
    if fields.get("urgency", Urgency.NORMAL) not in Urgency.values:
        problems["urgency"] = _("Choisissez le degré d'urgence.")
    for name in REQUIRED_TEXT:
        if not str(fields.get(name) or "").strip():
            problems[name] = _("Ce champ est obligatoire.")
    return problems


@transaction.atomic
def submit_need(
    campaign: Campaign, *, fields: dict, site_url: str, today: datetime.date | None = None
) -> Need:
    """A carers' organisation submits a need (no account): it waits for a coordinator's
    verification before it counts. The requester receives the link to follow it."""
    today = today or timezone.localdate()
    # Read afresh, not locked: a matching run locks the campaign for a while, and a
    # carers' organisation must not wait for it.
    campaign = Campaign.objects.get(pk=campaign.pk)
    reason = closed_reason(campaign, today)
    if reason:
        raise ValidationError(reason, code="closed")
    unknown = set(fields) - set(NEED_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of a submitted need: {sorted(unknown)}")
    problems = need_problems(campaign, fields, today)
    if problems:
        raise ValidationError(problems)
    values = {
        name: value.strip() if isinstance(value, str) else value for name, value in fields.items()
    }
    values["contact_email"] = values["contact_email"].lower()
    need = Need(campaign=campaign, status=NeedStatus.SUBMITTED, **values)
    place_need(need)
    need.save()
    notifications.need_submitted(need, site_url)
    return need


# --- coordinators: verification -------------------------------------------------------


def _require_coordinator(user, campaign: Campaign) -> None:
    if not can(user, "mobilisation.coordinate", campaign):
        raise PermissionDenied(
            _("Seule l'équipe de coordination de cette mobilisation vérifie les besoins.")
        )


def _locked_need(user, need: Need) -> Need:
    locked = Need.objects.select_for_update().select_related("campaign", "commune").get(pk=need.pk)
    _require_coordinator(user, locked.campaign)
    return locked


def _new_care_organisation(user, need: Need) -> Actor:
    """The establishment, entered in the directory from its need: its name and commune
    only. The contact's e-mail address and the delivery address are not published: the
    requester gave them to be reached about the need, not for a public page."""
    duplicate = (
        Actor.objects.filter(
            kind=ActorKind.ORGANISATION,
            name__iexact=need.requester_name.strip(),
            commune_id=need.commune_id,
        )
        .exclude(status=ModerationStatus.REJECTED)
        .first()
    )
    if duplicate is not None:
        raise ValidationError(
            {
                "organisation": _(
                    "« %(name)s » (%(commune)s) est déjà dans l'annuaire : rattachez le "
                    "besoin à cette organisation plutôt que d'en créer une seconde."
                )
                % {"name": duplicate.name, "commune": need.commune.name}
            }
        )
    actor = Actor(
        kind=ActorKind.ORGANISATION,
        organisation_kind=OrganisationKind.CARE,
        name=need.requester_name.strip(),
        commune=need.commune,
        status=ModerationStatus.PUBLISHED,
        created_by=user,
    )
    actor.slug = unique_slug(actor.name)
    place_actor(actor)
    actor.search_text = search_text_of(actor)
    actor.save()
    return actor


@transaction.atomic
def validate_need(user, need: Need, *, site_url: str, organisation: Actor | None = None) -> Need:
    """A coordinator vouches for a submitted need: it counts and goes to matching. The need
    is linked to its establishment in the directory: `organisation` when given (a published
    organisation), else a new published organisation made from the need."""
    need = _locked_need(user, need)
    if need.status != NeedStatus.SUBMITTED:
        raise ValidationError(
            _("Ce besoin est déjà « %(status)s » : seul un besoin déposé, à vérifier, se valide.")
            % {"status": need.get_status_display()},
            code="not_submitted",
        )
    if organisation is None:
        organisation = _new_care_organisation(user, need)
    elif not (
        organisation.kind == ActorKind.ORGANISATION
        and organisation.status == ModerationStatus.PUBLISHED
    ):
        raise ValidationError(
            {"organisation": _("Rattachez le besoin à une organisation publiée de l'annuaire.")}
        )
    need.requester = organisation
    need.status = NeedStatus.VALIDATED
    need.status_note = ""
    need.validated_at = timezone.now()
    need.validated_by = user
    need.save(update_fields=["requester", "status", "status_note", "validated_at", "validated_by"])
    notifications.need_validated(need, site_url)
    return need


def _cancel(need: Need, note: str) -> None:
    """Cancel the need and its deliveries still only planned. Refused once a delivery was
    declared: what was brought stays in the figures, and the need with it."""
    if need.status in (NeedStatus.CANCELLED, NeedStatus.DELIVERED):
        raise ValidationError(
            _("Ce besoin est déjà « %(status)s » : il ne s'annule plus.")
            % {"status": need.get_status_display()},
            code="closed",
        )
    if need.deliveries.exclude(
        status__in=(DeliveryStatus.PLANNED, DeliveryStatus.CANCELLED)
    ).exists():
        raise ValidationError(
            _(
                "Des producteurs ont déjà livré une partie de ce besoin : il ne s'annule "
                "plus. Les livraisons prévues restantes se règlent avec eux."
            ),
            code="delivered",
        )
    need.deliveries.filter(status=DeliveryStatus.PLANNED).update(status=DeliveryStatus.CANCELLED)
    need.status = NeedStatus.CANCELLED
    need.status_note = note
    need.save(update_fields=["status", "status_note"])


@transaction.atomic
def cancel_need(user, need: Need, *, reason: str, site_url: str) -> Need:
    """A coordinator cancels a need (a duplicate, a request out of scope…), saying why:
    the requester reads the reason in the e-mail and on the need's page."""
    need = _locked_need(user, need)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Indiquez le motif de l'annulation : il est envoyé au demandeur.")}
        )
    _cancel(need, reason)
    notifications.need_cancelled(need, site_url)
    return need


@transaction.atomic
def withdraw_need(token: str, *, reason: str = "") -> Need:
    """The requester withdraws the need with its secret link (found elsewhere, no longer
    needed), while nothing was delivered yet."""
    need = Need.objects.select_for_update().get(token=token)
    reason = (reason or "").strip()
    note = _("Retiré par l'établissement.")
    _cancel(need, f"{note} {reason}" if reason else note)
    return need


# --- the requester: deliveries received -------------------------------------------------


def confirmation_problems(
    delivery: Delivery, *, received_units: int | None, name: str, note: str = ""
) -> dict[str, str]:
    """What is wrong, by field, with confirming `received_units` of a declared delivery
    (read only: the page asks before its confirmation step, the service again when
    writing)."""
    problems = {}
    declared = delivery.declared_units
    if not isinstance(received_units, int):
        problems["received_units"] = _(
            "Indiquez le nombre d'unités reçues : un nombre entier, 0 si rien n'est arrivé."
        )
    elif message := bounds.problem(bounds.RECEIVED_UNITS, received_units):
        problems["received_units"] = message
    elif received_units > declared:
        problems["received_units"] = _(
            "Vous indiquez %(received)s unités reçues, mais le producteur en a déclaré "
            "%(declared)s : on ne peut pas confirmer plus que ce qui a été livré. Si vous "
            "avez reçu davantage, indiquez %(declared)s et précisez-le dans la note."
        ) % {"received": received_units, "declared": declared}
    name, note = (name or "").strip(), (note or "").strip()
    if not name:
        problems["name"] = _("Indiquez votre nom : il est gardé avec la confirmation.")
    if not problems and received_units < declared and not note:
        problems["note"] = ngettext(
            "Vous n'avez pas reçu l'unité déclarée : expliquez l'écart en quelques mots "
            "(colis perdu, article abîmé…) pour l'équipe de coordination.",
            "Vous avez reçu moins que les %(declared)s unités déclarées : expliquez l'écart "
            "en quelques mots (colis incomplet, articles abîmés…) pour l'équipe de "
            "coordination.",
            declared,
        ) % {"declared": declared}
    return problems


@transaction.atomic
def confirm_delivery(
    token: str,
    delivery_pk: int,
    *,
    received_units: int,
    name: str,
    note: str = "",
    site_url: str,
) -> Delivery:
    """The requester confirms, with the need's secret link, the units it received from a
    declared delivery. As many as declared: confirmed. Fewer: a discrepancy, flagged to
    coordinators with the requester's note; the two figures are both kept. More than
    declared is refused. Raises Delivery.DoesNotExist for a delivery of another need.
    The producer hears of it by e-mail, and so do coordinators of a discrepancy."""
    delivery = (
        Delivery.objects.select_for_update()
        .select_related("need")
        .get(pk=delivery_pk, need__token=token)
    )
    if delivery.status != DeliveryStatus.DECLARED:
        if delivery.status in (DeliveryStatus.CONFIRMED, DeliveryStatus.DISCREPANCY):
            message = _("Cette livraison est déjà confirmée : rien n'a changé.")
        else:
            message = _(
                "Cette livraison n'a pas encore été déclarée par son producteur : "
                "elle se confirme une fois livrée."
            )
        raise ValidationError(message, code="not_declared")
    problems = confirmation_problems(delivery, received_units=received_units, name=name, note=note)
    name, note = (name or "").strip(), (note or "").strip()
    declared = delivery.declared_units
    if problems:
        raise ValidationError(problems)
    delivery.confirmed_units = received_units
    delivery.confirmed_at = timezone.now()
    delivery.confirmed_by_name = name
    delivery.discrepancy_note = note if received_units < declared else ""
    delivery.status = (
        DeliveryStatus.CONFIRMED if received_units == declared else DeliveryStatus.DISCREPANCY
    )
    delivery.save(
        update_fields=[
            "confirmed_units",
            "confirmed_at",
            "confirmed_by_name",
            "discrepancy_note",
            "status",
        ]
    )
    refresh_need_status(Need.objects.select_for_update().get(pk=delivery.need_id))
    notifications.delivery_received(delivery, site_url)
    return delivery


# --- coordinators: discrepancies -------------------------------------------------------


@transaction.atomic
def resolve_discrepancy(user, delivery: Delivery, *, note: str) -> Delivery:
    """A coordinator records what was done about a discrepancy (the producer called, a
    second parcel sent…). The declared and received figures are left as they are."""
    delivery = (
        Delivery.objects.select_for_update().select_related("need__campaign").get(pk=delivery.pk)
    )
    _require_coordinator(user, delivery.need.campaign)
    if delivery.status != DeliveryStatus.DISCREPANCY:
        raise ValidationError(_("Cette livraison ne signale pas d'écart."), code="no_discrepancy")
    if delivery.resolved_at is not None:
        raise ValidationError(_("Cet écart est déjà traité : rien n'a changé."), code="resolved")
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"note": _("Indiquez la suite donnée à l'écart : elle reste dans l'historique.")}
        )
    delivery.resolution_note = note
    delivery.resolved_at = timezone.now()
    delivery.save(update_fields=["resolution_note", "resolved_at"])
    return delivery

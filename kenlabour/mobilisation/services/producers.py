"""State changes of the producers' room: capacities, delivery declarations, production
declarations, material requests and donations.

Every function takes the acting user first, checks that they act for the producer
(perm "mobilisation.act_for_producer"), refuses bad input with French messages
(ValidationError, by field) and changes nothing when it refuses.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kenlabour.accounts.perms import can
from kenlabour.mobilisation import bounds, notifications
from kenlabour.mobilisation.bounds import (  # noqa: F401 (the services' limits, for their callers)
    MAX_KM,
    MAX_MATERIAL_QUANTITY,
    MAX_PRODUCTION,
    MAX_STOCK,
    MAX_UNITS_PER_DAY,
)
from kenlabour.mobilisation.enums import (
    DeliveryStatus,
    MaterialDirection,
    MaterialKind,
    MaterialStatus,
)
from kenlabour.mobilisation.models import (
    Campaign,
    Capacity,
    Delivery,
    ItemType,
    MaterialOffer,
    Production,
)
from kenlabour.mobilisation.services.lifecycle import refresh_need_status
from kenlabour.network.enums import LinkSourceKind
from kenlabour.network.models import Actor
from kenlabour.network.services.graph import record_cooperation

DUPLICATE_CAPACITY = "duplicate_capacity"


def _act_for(user, actor: Actor | None) -> None:
    if actor is None or not can(user, "mobilisation.act_for_producer", actor):
        raise PermissionDenied(
            _("Vous ne déclarez que pour vous-même et pour les acteurs que vous administrez.")
        )


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


# --- capacities -----------------------------------------------------------------------


def capacity_problems(
    *, units_per_day, stock, available_from, available_until, max_km
) -> dict[str, str]:
    """What is wrong, by field, with these figures of a capacity (read only: the form asks
    to tell every problem at once, the service again when writing)."""
    errors: dict[str, str] = {}
    if units_per_day is None:
        errors["units_per_day"] = _("Indiquez un nombre d'unités par jour, 0 ou plus.")
    elif message := bounds.problem(bounds.UNITS_PER_DAY, units_per_day):
        errors["units_per_day"] = message
    if stock is None:
        errors["stock"] = _("Indiquez le stock disponible, 0 ou plus.")
    elif message := bounds.problem(bounds.STOCK, stock):
        errors["stock"] = message
    if not errors and units_per_day == 0 and stock == 0:
        errors["units_per_day"] = _(
            "Avec 0 unité par jour et 0 en stock, il n'y a rien à proposer : indiquez ce "
            "que vous pouvez fabriquer chaque jour ou ce que vous avez en stock."
        )
    if available_from is None:
        errors["available_from"] = _("Indiquez à partir de quand vous êtes disponible.")
    elif message := bounds.problem([bounds.day_in_bounds], available_from):
        errors["available_from"] = message
    if available_until is None:
        errors["available_until"] = _("Indiquez jusqu'à quand vous êtes disponible.")
    elif message := bounds.problem([bounds.day_in_bounds], available_until):
        errors["available_until"] = message
    elif available_from is not None and available_until < available_from:
        errors["available_until"] = _(
            "La fin de la disponibilité (%(end)s) est avant son début (%(start)s)."
        ) % {"end": _date(available_until), "start": _date(available_from)}
    if max_km is None:
        errors["max_km"] = _(
            "Indiquez jusqu'à combien de kilomètres vous pouvez livrer (1 ou plus)."
        )
    elif message := bounds.problem(bounds.MAX_DISTANCE, max_km):
        errors["max_km"] = message
    return errors


def active_capacity(campaign: Campaign, item_type: ItemType, producer: Actor) -> Capacity | None:
    return Capacity.objects.filter(
        campaign=campaign, item_type=item_type, producer=producer, active=True
    ).first()


def _duplicate_error(existing: Capacity) -> ValidationError:
    return ValidationError(
        {
            "item_type": ValidationError(
                _(
                    "%(producer)s a déjà une capacité active pour « %(item)s » : modifiez-la "
                    "au lieu d'en ajouter une autre."
                )
                % {"producer": existing.producer.name, "item": existing.item_type.name},
                code=DUPLICATE_CAPACITY,
                params={"pk": existing.pk},
            )
        }
    )


@transaction.atomic
def add_capacity(
    user,
    campaign: Campaign,
    *,
    producer: Actor,
    item_type: ItemType,
    units_per_day: int,
    stock: int,
    available_from: datetime.date,
    available_until: datetime.date,
    max_km: int,
    note: str = "",
) -> Capacity:
    """Declare what `producer` can make of one item. One active capacity per campaign, item
    and producer: a second one is refused (edit the first)."""
    _act_for(user, producer)
    errors = capacity_problems(
        units_per_day=units_per_day,
        stock=stock,
        available_from=available_from,
        available_until=available_until,
        max_km=max_km,
    )
    if item_type is None or item_type.campaign_id != campaign.pk:
        errors["item_type"] = _("Choisissez un article de cette mobilisation.")
    if errors:
        raise ValidationError(errors)
    existing = active_capacity(campaign, item_type, producer)
    if existing is not None:
        raise _duplicate_error(existing)
    try:
        with transaction.atomic():
            return Capacity.objects.create(
                campaign=campaign,
                item_type=item_type,
                producer=producer,
                units_per_day=units_per_day,
                stock=stock,
                available_from=available_from,
                available_until=available_until,
                max_km=max_km,
                note=note.strip(),
                declared_by=user,
            )
    except IntegrityError:  # declared at the same moment from another page
        raise _duplicate_error(active_capacity(campaign, item_type, producer)) from None


@transaction.atomic
def update_capacity(
    user,
    capacity: Capacity,
    *,
    units_per_day: int,
    stock: int,
    available_from: datetime.date,
    available_until: datetime.date,
    max_km: int,
    note: str = "",
    active: bool = True,
) -> Capacity:
    """Change a capacity's figures, or deactivate it (matching then ignores it). Its item
    and producer stay: another item is another capacity."""
    capacity = (
        Capacity.objects.select_for_update()
        .select_related("producer", "item_type")
        .get(pk=capacity.pk)
    )
    _act_for(user, capacity.producer)
    errors = capacity_problems(
        units_per_day=units_per_day,
        stock=stock,
        available_from=available_from,
        available_until=available_until,
        max_km=max_km,
    )
    if errors:
        raise ValidationError(errors)
    if active and not capacity.active:
        existing = active_capacity(capacity.campaign, capacity.item_type, capacity.producer)
        if existing is not None:
            raise _duplicate_error(existing)
    capacity.units_per_day = units_per_day
    capacity.stock = stock
    capacity.available_from = available_from
    capacity.available_until = available_until
    capacity.max_km = max_km
    capacity.note = note.strip()
    capacity.active = active
    capacity.declared_by = user
    capacity.save()
    return capacity


# --- deliveries ------------------------------------------------------------------------


def declaration_problems(
    delivery: Delivery,
    *,
    units: int | None,
    declared_on: datetime.date | None,
    today: datetime.date | None = None,
) -> dict[str, str]:
    """What is wrong, by field, with declaring `units` delivered on `declared_on` (read
    only: the page asks before its confirmation step, the service again when writing)."""
    errors: dict[str, str] = {}
    today = today or timezone.localdate()
    if units is None:
        errors["units"] = _("Indiquez le nombre d'unités livrées (1 ou plus).")
    elif message := bounds.problem(bounds.DECLARED_UNITS, units):
        errors["units"] = message
    elif units > delivery.planned_units:
        errors["units"] = _(
            "%(units)s unités, c'est plus que les %(planned)s prévues pour cette livraison : "
            "déclarez au plus %(planned)s. Si vous avez livré davantage, prévenez l'équipe "
            "de coordination de la mobilisation."
        ) % {"units": units, "planned": delivery.planned_units}
    campaign = delivery.need.campaign
    if declared_on is None:
        errors["declared_on"] = _("Indiquez la date de la livraison.")
    elif message := bounds.problem([bounds.day_in_bounds], declared_on):
        errors["declared_on"] = message
    elif declared_on > today:
        errors["declared_on"] = _(
            "La date de livraison (%(date)s) est dans le futur : déclarez la livraison une "
            "fois faite."
        ) % {"date": _date(declared_on)}
    elif declared_on < campaign.starts_on:
        errors["declared_on"] = _(
            "La date de livraison (%(date)s) est avant le début de la mobilisation (%(start)s)."
        ) % {"date": _date(declared_on), "start": _date(campaign.starts_on)}
    return errors


@transaction.atomic
def declare_delivery(
    user,
    delivery: Delivery,
    *,
    units: int,
    declared_on: datetime.date,
    site_url: str,
    today: datetime.date | None = None,
) -> Delivery:
    """The producer says they delivered `units` on `declared_on`. The recipient is told by
    e-mail and confirms what they received (needs' room). Feeds the acquaintance graph
    when the need is linked to a network actor."""
    today = today or timezone.localdate()
    delivery = (
        Delivery.objects.select_for_update()
        .select_related("need__campaign", "need__item_type", "producer")
        .get(pk=delivery.pk)
    )
    _act_for(user, delivery.producer)
    if delivery.status == DeliveryStatus.CANCELLED:
        raise ValidationError(_("Cette livraison a été annulée : il n'y a rien à déclarer."))
    if delivery.status != DeliveryStatus.PLANNED:
        raise ValidationError(
            _("Cette livraison est déjà déclarée (%(units)s unités le %(date)s) : rien n'a changé.")
            % {"units": delivery.declared_units, "date": _date(delivery.declared_on)}
        )
    errors = declaration_problems(delivery, units=units, declared_on=declared_on, today=today)
    if errors:
        raise ValidationError(errors)
    delivery.status = DeliveryStatus.DECLARED
    delivery.declared_units = units
    delivery.declared_on = declared_on
    delivery.declared_by = user
    delivery.save(update_fields=["status", "declared_units", "declared_on", "declared_by"])
    need, campaign = delivery.need, delivery.need.campaign
    refresh_need_status(need)
    if need.requester_id and need.requester_id != delivery.producer_id:
        record_cooperation(
            [delivery.producer_id, need.requester_id],
            kind=LinkSourceKind.DELIVERY,
            reference=f"delivery:{delivery.pk}",
            date=declared_on,
            label=f"{need.item_type.name} — {campaign.name}",
        )
    notifications.delivery_declared(delivery, site_url)
    return delivery


# --- production ------------------------------------------------------------------------


def production_problems(
    campaign: Campaign,
    *,
    item_type: ItemType | None,
    date: datetime.date | None,
    units: int | None,
    today: datetime.date | None = None,
) -> dict[str, str]:
    """What is wrong, by field, with declaring `units` made on `date` (read only: the form
    asks to tell every problem at once, the service again when writing)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if item_type is None or item_type.campaign_id != campaign.pk:
        errors["item_type"] = _("Choisissez un article de cette mobilisation.")
    if units is None:
        errors["units"] = _("Indiquez le nombre d'unités produites (1 ou plus).")
    elif message := bounds.problem(bounds.PRODUCTION_UNITS, units):
        errors["units"] = message
    if date is None:
        errors["date"] = _("Indiquez le jour de la production.")
    elif message := bounds.problem([bounds.day_in_bounds], date):
        errors["date"] = message
    elif date > today:
        errors["date"] = _("Le %(date)s est dans le futur : déclarez ce qui est déjà fait.") % {
            "date": _date(date)
        }
    elif date < campaign.starts_on:
        errors["date"] = _("Le %(date)s est avant le début de la mobilisation (%(start)s).") % {
            "date": _date(date),
            "start": _date(campaign.starts_on),
        }
    elif campaign.ends_on and date > campaign.ends_on:
        errors["date"] = _("Le %(date)s est après la fin de la mobilisation (%(end)s).") % {
            "date": _date(date),
            "end": _date(campaign.ends_on),
        }
    return errors


@transaction.atomic
def declare_production(
    user,
    campaign: Campaign,
    *,
    producer: Actor,
    item_type: ItemType,
    date: datetime.date,
    units: int,
    today: datetime.date | None = None,
) -> Production:
    """Units made on a day: they count in the campaign's figures."""
    _act_for(user, producer)
    errors = production_problems(campaign, item_type=item_type, date=date, units=units, today=today)
    if errors:
        raise ValidationError(errors)
    return Production.objects.create(
        campaign=campaign,
        item_type=item_type,
        producer=producer,
        date=date,
        units=units,
        declared_by=user,
    )


# --- material requests and donations -----------------------------------------------------


@transaction.atomic
def add_material(
    user,
    campaign: Campaign,
    *,
    actor: Actor,
    direction: str,
    material: str,
    quantity: int,
    unit: str,
    note: str = "",
) -> MaterialOffer:
    """A request for material, or a donation of it, listed publicly while open."""
    _act_for(user, actor)
    errors: dict[str, str] = {}
    if direction not in MaterialDirection.values:
        errors["direction"] = _("Choisissez « demande » ou « don ».")
    if material not in MaterialKind.values:
        errors["material"] = _("Choisissez une matière de la liste.")
    if quantity is None:
        errors["quantity"] = _("Indiquez une quantité (1 ou plus).")
    elif message := bounds.problem(bounds.MATERIAL_QUANTITY, quantity):
        errors["quantity"] = message
    unit = (unit or "").strip()
    if not unit:
        errors["unit"] = _("Indiquez l'unité : bobines, mètres, kg…")
    if errors:
        raise ValidationError(errors)
    return MaterialOffer.objects.create(
        campaign=campaign,
        actor=actor,
        direction=direction,
        material=material,
        quantity=quantity,
        unit=unit[:30],
        note=(note or "").strip(),
        created_by=user,
    )


@transaction.atomic
def close_material(user, offer: MaterialOffer, *, status: str) -> MaterialOffer:
    """Mark one's own open request or donation as fulfilled or withdrawn: it leaves the
    public list."""
    offer = MaterialOffer.objects.select_for_update().select_related("actor").get(pk=offer.pk)
    _act_for(user, offer.actor)
    if status not in (MaterialStatus.FULFILLED, MaterialStatus.WITHDRAWN):
        raise ValidationError(_("Choisissez « satisfaite » ou « retirée »."))
    if offer.status != MaterialStatus.OPEN:
        raise ValidationError(
            _("Cette annonce est déjà « %(status)s » : rien n'a changé.")
            % {"status": offer.get_status_display().lower()}
        )
    offer.status = status
    offer.save(update_fields=["status"])
    return offer

"""Reads of the producers' room: a producer's page, what they can still make (for matching),
their production, and the material requests and donations. Query counts are constant,
whatever the number of actors, capacities or deliveries."""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from kenlabour.mobilisation.enums import DeliveryStatus, MaterialStatus
from kenlabour.mobilisation.models import (
    Campaign,
    Capacity,
    Delivery,
    ItemType,
    MaterialOffer,
    Production,
)
from kenlabour.network.models import Actor
from kenlabour.network.selectors.actors import administered_actors

# Deliveries a producer sees on their page: to make, then made (cancelled ones aside).
DELIVERY_DONE = (DeliveryStatus.DECLARED, DeliveryStatus.CONFIRMED, DeliveryStatus.DISCREPANCY)
RECENT_PRODUCTIONS = 10


def acting_actors(user) -> list[Actor]:
    """The actors `user` declares for: their person page and the organisations and
    collectives they administer (two queries)."""
    return administered_actors(user)


def campaign_items(campaign: Campaign):
    return ItemType.objects.filter(campaign=campaign).order_by("position", "name")


# --- the producer's page ---------------------------------------------------------------


@dataclass
class ProductionTotal:
    item_name: str
    units: int


@dataclass
class ProducerSection:
    """What one actor has to do and has done in a campaign."""

    actor: Actor
    capacities: list[Capacity] = field(default_factory=list)
    to_deliver: list[Delivery] = field(default_factory=list)
    delivered: list[Delivery] = field(default_factory=list)
    production_totals: list[ProductionTotal] = field(default_factory=list)
    productions: list[Production] = field(default_factory=list)
    materials: list[MaterialOffer] = field(default_factory=list)

    @property
    def placed(self) -> bool:
        """Whether matching can place the actor: it needs coordinates (a commune)."""
        return self.actor.latitude is not None and self.actor.longitude is not None

    @property
    def units_to_deliver(self) -> int:
        return sum(delivery.planned_units for delivery in self.to_deliver)


def producer_sections(campaign: Campaign, actors: list[Actor]) -> list[ProducerSection]:
    """One section per actor, in the order given. Five queries, whatever the numbers."""
    sections = {actor.pk: ProducerSection(actor=actor) for actor in actors}
    if not sections:
        return []
    ids = list(sections)
    for capacity in (
        Capacity.objects.filter(campaign=campaign, producer_id__in=ids, active=True)
        .select_related("item_type")
        .order_by("item_type__position", "item_type__name", "pk")
    ):
        sections[capacity.producer_id].capacities.append(capacity)

    deliveries = (
        Delivery.objects.filter(need__campaign=campaign, producer_id__in=ids)
        .filter(Q(status=DeliveryStatus.PLANNED) | Q(status__in=DELIVERY_DONE))
        .select_related("need__commune", "need__item_type")
        .order_by("-need__urgency", "need__deadline", "need__requester_name", "pk")
    )
    for delivery in deliveries:
        section = sections[delivery.producer_id]
        if delivery.status == DeliveryStatus.PLANNED:
            section.to_deliver.append(delivery)
        else:
            section.delivered.append(delivery)
    for section in sections.values():
        section.delivered.sort(key=lambda d: (d.declared_on or datetime.date.min, d.pk))
        section.delivered.reverse()

    totals = (
        Production.objects.filter(campaign=campaign, producer_id__in=ids)
        .values("producer_id", "item_type__name", "item_type__position")
        .annotate(units=Sum("units"))
        .order_by("producer_id", "item_type__position", "item_type__name")
    )
    for row in totals:
        sections[row["producer_id"]].production_totals.append(
            ProductionTotal(item_name=row["item_type__name"], units=row["units"])
        )
    recent = (
        Production.objects.filter(campaign=campaign, producer_id__in=ids)
        .select_related("item_type")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("producer_id"),
                order_by=[F("date").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=RECENT_PRODUCTIONS)
        .order_by("producer_id", "-date", "-pk")
    )
    for production in recent:
        sections[production.producer_id].productions.append(production)

    for offer in MaterialOffer.objects.filter(campaign=campaign, actor_id__in=ids).order_by(
        "status", "-created_at", "-pk"
    ):
        sections[offer.actor_id].materials.append(offer)
    return [sections[actor.pk] for actor in actors]


def recent_productions(campaign: Campaign, actors: list[Actor], limit: int = 20):
    """The latest declarations of these actors in the campaign (one query)."""
    return list(
        Production.objects.filter(campaign=campaign, producer__in=[a.pk for a in actors])
        .select_related("producer", "item_type")
        .order_by("-date", "-pk")[:limit]
    )


# --- what producers can still make, for matching -------------------------------------------


@dataclass(frozen=True)
class RemainingCapacity:
    """What one active capacity can still serve. `remaining` is never negative."""

    capacity_id: int
    producer_id: int
    producer_name: str
    item_type_id: int
    latitude: float | None
    longitude: float | None
    max_km: int
    remaining: int
    # How it was computed, for coordinators' pages and tests.
    stock: int = 0
    units_per_day: int = 0
    days_left: int = 0
    planned: int = 0


def days_left(available_from: datetime.date, available_until: datetime.date, today) -> int:
    """Days of production left in the window, from max(today, available_from) to
    available_until inclusive; 0 when the window is over."""
    start = max(today, available_from)
    return max(0, (available_until - start).days + 1)


def remaining_units(
    *, stock: int, units_per_day: int, available_from, available_until, today, planned: int
) -> int:
    """Stock plus what the days left will make, minus what is already planned and not yet
    declared. A window that is over offers nothing, stock included: the producer said
    they are not available any more."""
    days = days_left(available_from, available_until, today)
    if days == 0:
        return 0
    return max(0, stock + units_per_day * days - planned)


def remaining_capacities(
    campaign: Campaign, item_type=None, departement=None, today: datetime.date | None = None
) -> list[RemainingCapacity]:
    """For each active capacity of the campaign (of one item type, of producers placed in
    one département, when given): what it can still serve. One query.

    `item_type` and `departement` are instances or primary keys. The planned units are
    those of the producer's PLANNED deliveries for the item in the campaign (declared,
    confirmed and cancelled ones no longer weigh on the capacity)."""
    today = today or timezone.localdate()
    planned = (
        Delivery.objects.filter(
            status=DeliveryStatus.PLANNED,
            producer_id=OuterRef("producer_id"),
            need__campaign_id=OuterRef("campaign_id"),
            need__item_type_id=OuterRef("item_type_id"),
        )
        .order_by()
        .values("producer_id")
        .annotate(total=Sum("planned_units"))
        .values("total")
    )
    capacities = Capacity.objects.filter(campaign=campaign, active=True)
    if item_type is not None:
        capacities = capacities.filter(item_type=item_type)
    if departement is not None:
        capacities = capacities.filter(producer__departement=departement)
    rows = capacities.annotate(
        planned=Coalesce(Subquery(planned, output_field=IntegerField()), 0)
    ).values_list(
        "pk",
        "producer_id",
        "producer__name",
        "item_type_id",
        "producer__latitude",
        "producer__longitude",
        "max_km",
        "stock",
        "units_per_day",
        "available_from",
        "available_until",
        "planned",
    )
    result = []
    for (
        pk,
        producer_id,
        name,
        item_type_id,
        latitude,
        longitude,
        max_km,
        stock,
        per_day,
        start,
        end,
        planned_units,
    ) in rows.order_by("pk"):
        result.append(
            RemainingCapacity(
                capacity_id=pk,
                producer_id=producer_id,
                producer_name=name,
                item_type_id=item_type_id,
                latitude=latitude,
                longitude=longitude,
                max_km=max_km,
                remaining=remaining_units(
                    stock=stock,
                    units_per_day=per_day,
                    available_from=start,
                    available_until=end,
                    today=today,
                    planned=planned_units,
                ),
                stock=stock,
                units_per_day=per_day,
                days_left=days_left(start, end, today),
                planned=planned_units,
            )
        )
    return result


# --- material requests and donations ------------------------------------------------------


def open_materials(campaign: Campaign, *, material: str = "", direction: str = ""):
    """Open requests and donations of the campaign, newest first, with their actor and its
    commune (a queryset: the page paginates it)."""
    offers = (
        MaterialOffer.objects.filter(campaign=campaign, status=MaterialStatus.OPEN)
        .select_related("actor__commune")
        .order_by("-created_at", "-pk")
    )
    if material:
        offers = offers.filter(material=material)
    if direction:
        offers = offers.filter(direction=direction)
    return offers

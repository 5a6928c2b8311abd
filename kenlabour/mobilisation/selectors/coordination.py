"""Reads for matching runs: the needs still to serve, a run's proposal and its summary."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, F, FloatField, IntegerField, Q, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import ngettext

from kenlabour.mobilisation import matching
from kenlabour.mobilisation.enums import DeliveryStatus, NeedStatus, RunStatus
from kenlabour.mobilisation.models import Assignment, Campaign, MatchingRun, Need

# What a live delivery already takes from a need: what was brought once declared (the
# recipient's figure once confirmed), else what was planned.
_LIVE = ~Q(deliveries__status=DeliveryStatus.CANCELLED)
_PROMISED = Case(
    When(deliveries__confirmed_units__isnull=False, then=F("deliveries__confirmed_units")),
    When(deliveries__declared_units__isnull=False, then=F("deliveries__declared_units")),
    default=F("deliveries__planned_units"),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class NeedToServe:
    id: int
    item_type_id: int
    requester_name: str
    remaining: int
    as_input: matching.NeedIn


def needs_to_serve(
    campaign: Campaign,
    *,
    departement=None,
    need_ids: list[int] | None = None,
    today: datetime.date | None = None,
) -> list[NeedToServe]:
    """Validated needs (matched or partly delivered included) with units still unpromised,
    weighted by urgency and deadline. One query."""
    today = today or timezone.localdate()
    needs = Need.objects.filter(campaign=campaign, status__in=NeedStatus.open_for_matching())
    if departement is not None:
        needs = needs.filter(departement=departement)
    if need_ids is not None:
        needs = needs.filter(pk__in=need_ids)
    rows = (
        needs.annotate(promised=Coalesce(Sum(_PROMISED, filter=_LIVE), 0))
        .values_list(
            "pk",
            "item_type_id",
            "requester_name",
            "quantity",
            "promised",
            "urgency",
            "deadline",
            "commune__latitude",
            "commune__longitude",
        )
        .order_by("pk")
    )
    served = []
    for pk, item_type_id, name, quantity, promised, urgency, deadline, lat, lon in rows:
        remaining = quantity - promised
        if remaining <= 0:
            continue
        weight = matching.priority_weight(urgency, deadline, today)
        served.append(
            NeedToServe(
                pk,
                item_type_id,
                name,
                remaining,
                matching.NeedIn(
                    id=pk, quantity=remaining, weight=weight, latitude=lat, longitude=lon
                ),
            )
        )
    return served


def runs_of(campaign: Campaign, limit: int = 10):
    return (
        MatchingRun.objects.filter(campaign=campaign)
        .select_related("departement", "created_by")
        .annotate(units=Coalesce(Sum("assignments__units"), 0))
        .order_by("-created_at", "-pk")[:limit]
    )


def run_for_page(pk: int) -> MatchingRun:
    return (
        MatchingRun.objects.select_related("campaign", "departement", "created_by", "decided_by")
        .annotate(
            units=Coalesce(Sum("assignments__units"), 0),
            lines=Count("assignments"),
            unit_km=Coalesce(
                Sum(F("assignments__units") * F("assignments__km"), output_field=FloatField()),
                0.0,
                output_field=FloatField(),
            ),
        )
        .get(pk=pk)
    )


def proposal_lines(run: MatchingRun):
    """The lines of a run, with what the page shows of the need and the producer."""
    return (
        Assignment.objects.filter(run=run)
        .select_related(
            "producer__commune", "need__commune", "need__item_type", "need__departement"
        )
        .order_by("producer__name", "producer_id", "need__deadline", "need_id")
    )


def unserved_needs(run: MatchingRun) -> list[tuple[Need, int, str]]:
    """The needs the run could not (fully) serve, with the missing units and the reason."""
    ids = [int(pk) for pk in run.unserved]
    needs = Need.objects.filter(pk__in=ids).select_related("commune", "item_type")
    return [
        (need, run.unserved[str(need.pk)]["units"], run.unserved[str(need.pk)]["reason"])
        for need in sorted(needs, key=lambda n: (-n.urgency, n.deadline, n.pk))
    ]


def proposal_is_open(run: MatchingRun) -> bool:
    return run.status == RunStatus.PROPOSED


def departements_of(campaign: Campaign):
    """The départements where the campaign has needs: the territories a run may target."""
    from kenlabour.territories.models import Departement

    codes = Need.objects.filter(campaign=campaign).values("departement")
    return Departement.objects.filter(code__in=codes).order_by("code")


def map_lines(lines) -> list[dict]:
    """The lines of one page of a proposal, for the map: from the producer to the need."""
    data = []
    for line in lines:
        producer, need = line.producer, line.need
        if producer.latitude is None or need.commune is None:
            continue
        data.append(
            {
                "from": [producer.latitude, producer.longitude],
                "to": [need.commune.latitude, need.commune.longitude],
                "label": ngettext(
                    "%(producer)s → %(need)s (%(commune)s) : %(units)s unité",
                    "%(producer)s → %(need)s (%(commune)s) : %(units)s unités",
                    line.units,
                )
                % {
                    "producer": producer.name,
                    "need": need.requester_name,
                    "commune": need.commune.name,
                    "units": line.units,
                },
            }
        )
    return data

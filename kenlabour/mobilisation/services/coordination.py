"""Matching runs: the coordinator runs the optimal matching for a campaign (and a
territory), adjusts the proposal, then confirms it (deliveries are planned) or discards it."""

import datetime
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kenlabour.accounts.perms import can
from kenlabour.mobilisation import bounds, matching
from kenlabour.mobilisation.enums import DeliveryStatus, NeedStatus, RunStatus
from kenlabour.mobilisation.models import Assignment, Campaign, Delivery, MatchingRun, Need
from kenlabour.mobilisation.selectors.coordination import needs_to_serve
from kenlabour.mobilisation.selectors.producers import remaining_capacities

# Why a need was left (partly) unserved, as the run page says it.
NO_POSITION = "no_position"
NO_PRODUCER_IN_RANGE = "no_producer_in_range"
CAPACITY_EXHAUSTED = "capacity_exhausted"


def _require_coordinator(user, campaign: Campaign) -> None:
    if not can(user, "mobilisation.coordinate", campaign):
        raise PermissionDenied(
            _("Seule l'équipe de coordination de la mobilisation peut apparier.")
        )


def _reasons(result: matching.Matching) -> dict[str, dict]:
    """For each need left (partly) unserved: the units and why, in one word."""
    no_position = set(result.needs_without_position)
    out_of_reach = set(result.needs_out_of_reach)
    unserved = {}
    for need_id, missing in result.unserved.items():
        if need_id in no_position:
            reason = NO_POSITION
        elif need_id in out_of_reach:
            reason = NO_PRODUCER_IN_RANGE
        else:
            reason = CAPACITY_EXHAUSTED
        unserved[str(need_id)] = {"units": missing, "reason": reason}
    return unserved


@transaction.atomic
def run_matching(
    user, campaign: Campaign, *, departement=None, today: datetime.date | None = None
) -> MatchingRun:
    """Match the campaign's validated needs still to serve (in `departement` when given)
    with the producers' remaining capacities, item type by item type, and record the
    proposal. A new run replaces the campaign's proposals not yet decided."""
    _require_coordinator(user, campaign)
    Campaign.objects.select_for_update().get(pk=campaign.pk)  # one run at a time
    today = today or timezone.localdate()
    MatchingRun.objects.filter(campaign=campaign, status=RunStatus.PROPOSED).update(
        status=RunStatus.DISCARDED, decided_at=timezone.now(), decided_by=user
    )
    needs = needs_to_serve(campaign, departement=departement, today=today)
    capacities = remaining_capacities(campaign, departement=None, today=today)
    run = MatchingRun.objects.create(campaign=campaign, departement=departement, created_by=user)
    started = time.perf_counter()
    assignments, unserved = [], {}
    greedy_units, greedy_km, producers_considered = 0, 0.0, set()
    for item_type_id in sorted({need.item_type_id for need in needs}):
        need_inputs = [need.as_input for need in needs if need.item_type_id == item_type_id]
        by_capacity = {
            c.capacity_id: c
            for c in capacities
            if c.item_type_id == item_type_id and c.remaining > 0
        }
        producer_inputs = [
            matching.ProducerIn(
                id=c.capacity_id,
                capacity=c.remaining,
                max_km=float(c.max_km),
                latitude=c.latitude,
                longitude=c.longitude,
            )
            for c in by_capacity.values()
        ]
        producers_considered.update(c.producer_id for c in by_capacity.values())
        result = matching.match(need_inputs, producer_inputs)
        baseline = matching.greedy(need_inputs, producer_inputs)
        greedy_units += baseline.units
        greedy_km += baseline.unit_km
        unserved.update(_reasons(result))
        assignments += [
            Assignment(
                run=run,
                need_id=line.need_id,
                producer_id=by_capacity[line.producer_id].producer_id,
                units=line.units,
                km=round(line.km, 1),
            )
            for line in result.assignments
        ]
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    run.seconds = time.perf_counter() - started
    run.needs_considered = len(needs)
    run.producers_considered = len(producers_considered)
    run.units_requested = sum(need.remaining for need in needs)
    run.greedy_units = greedy_units
    run.greedy_unit_km = round(greedy_km, 1)
    run.unserved = unserved
    run.save()
    return run


def _locked_proposal(user, run: MatchingRun) -> MatchingRun:
    run = MatchingRun.objects.select_for_update().select_related("campaign").get(pk=run.pk)
    _require_coordinator(user, run.campaign)
    if run.status != RunStatus.PROPOSED:
        raise ValidationError(
            _("Cet appariement a déjà été %(status)s : il ne peut plus changer.")
            % {"status": run.get_status_display().lower()}
        )
    return run


@transaction.atomic
def adjust(user, run: MatchingRun, assignment_id: int, units: int) -> MatchingRun:
    """Change the units of one line of a proposal; 0 removes the line. A line may only
    shrink: more than the matching proposed could exceed a capacity or a need."""
    run = _locked_proposal(user, run)
    try:
        line = run.assignments.get(pk=assignment_id)
    except Assignment.DoesNotExist:
        raise ValidationError(_("Cette ligne n'appartient pas à cet appariement.")) from None
    if message := bounds.problem(bounds.ADJUSTED_UNITS, units):
        raise ValidationError({"units": message})
    if units > line.units:
        raise ValidationError(
            {
                "units": _(
                    "Au plus %(units)s unités : l'appariement a tenu compte des capacités et "
                    "des besoins ; pour davantage, relancez-le."
                )
                % {"units": line.units}
            }
        )
    if units == 0:
        line.delete()
    else:
        line.units = units
        line.save(update_fields=["units"])
    return run


@transaction.atomic
def confirm(user, run: MatchingRun) -> MatchingRun:
    """Plan one delivery per line of the proposal; producers then see them on their page.
    Refused, with nothing changed, when needs were served in the meantime."""
    run = _locked_proposal(user, run)
    lines = list(run.assignments.select_related("need"))
    needs = {line.need_id: line.need for line in lines}
    Need.objects.select_for_update().filter(pk__in=needs).exists()
    still_to_serve = {
        need.id: need.remaining
        for need in needs_to_serve(run.campaign, need_ids=list(needs), today=None)
    }
    proposed = dict(
        run.assignments.values("need").annotate(units=Sum("units")).values_list("need", "units")
    )
    changed = [
        needs[need_id].requester_name
        for need_id, units in proposed.items()
        if units > still_to_serve.get(need_id, 0)
    ]
    if changed:
        raise ValidationError(
            _("Depuis cet appariement, ces besoins ont changé : %(needs)s. Relancez l'appariement.")
            % {"needs": ", ".join(sorted(changed))}
        )
    Delivery.objects.bulk_create(
        [
            Delivery(
                need_id=line.need_id,
                producer_id=line.producer_id,
                assignment=line,
                planned_units=line.units,
                km=line.km,
                status=DeliveryStatus.PLANNED,
            )
            for line in lines
        ],
        batch_size=1000,
    )
    # Planned deliveries turn a validated need into a matched one; needs already matched or
    # partly delivered keep their status (what refresh_need_status would conclude).
    Need.objects.filter(pk__in=needs, status=NeedStatus.VALIDATED).update(status=NeedStatus.MATCHED)
    run.status = RunStatus.CONFIRMED
    run.decided_at = timezone.now()
    run.decided_by = user
    run.save(update_fields=["status", "decided_at", "decided_by"])
    return run


@transaction.atomic
def discard(user, run: MatchingRun) -> MatchingRun:
    run = _locked_proposal(user, run)
    run.status = RunStatus.DISCARDED
    run.decided_at = timezone.now()
    run.decided_by = user
    run.save(update_fields=["status", "decided_at", "decided_by"])
    return run

"""Experiments: create or change one, move it through its phases."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kenlabour.accounts.perms import can
from kenlabour.lab import phases
from kenlabour.lab.enums import Phase
from kenlabour.lab.models import Experiment, PhaseChange
from kenlabour.lab.services.dates import check_day

EXPERIMENT_FIELDS = (
    "lab",
    "title",
    "problem",
    "reframed_problem",
    "summary",
    "private_notes",
    "started_on",
    "published",
)
EXPERIMENT_RELATIONS = ("themes", "publics", "departements", "communes", "partners")


def _unique_experiment_slug(title: str) -> str:
    base = slugify(title)[:200] or "experimentation"
    slug, n = base, 1
    while Experiment.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def save_experiment(user, fields: dict, experiment=None):
    """Create an experiment (its history starts with the problem, on its start date, and
    its author joins its team) or change one. `fields` holds EXPERIMENT_FIELDS and the
    related sets EXPERIMENT_RELATIONS."""
    check_day(fields.get("started_on"), "started_on")
    if experiment is None:
        if not can(user, "lab.create_experiment", fields.get("lab")):
            raise PermissionDenied(
                _("Seuls les animateurs du laboratoire créent ses expérimentations.")
            )
        experiment = Experiment(slug=_unique_experiment_slug(fields["title"]))
        created = True
    else:
        allowed = can(user, "lab.edit_experiment", experiment) and can(
            user, "lab.create_experiment", fields.get("lab", experiment.lab)
        )
        if not allowed:
            raise PermissionDenied(
                _("Seuls les animateurs du laboratoire modifient ses expérimentations.")
            )
        created = False
        first_change = experiment.phase_changes.order_by("date", "pk").first()
        later = experiment.phase_changes.filter(date__lt=fields["started_on"]).exclude(
            pk=getattr(first_change, "pk", None)
        )
        if later.exists():
            raise ValidationError(
                {"started_on": _("Des changements d'étape sont antérieurs à cette date.")}
            )
    for name in EXPERIMENT_FIELDS:
        if name in fields:
            setattr(experiment, name, fields[name])
    experiment.search_text = " ".join(
        (experiment.title, experiment.problem, experiment.reframed_problem)
    )
    experiment.save()
    for name in EXPERIMENT_RELATIONS:
        if name in fields:
            getattr(experiment, name).set(fields[name])
    if created:
        experiment.team.add(user)
        PhaseChange.objects.create(
            experiment=experiment, phase=Phase.PROBLEM, date=experiment.started_on, by=user
        )
    else:
        experiment.phase_changes.filter(phase=Phase.PROBLEM, date__gt=experiment.started_on).update(
            date=experiment.started_on
        )
    return experiment


@transaction.atomic
def change_phase(
    user,
    experiment,
    *,
    phase: str,
    date: datetime.date,
    note: str = "",
    incubator: str = "",
    resulting_service: str = "",
    stop_reason: str = "",
):
    """Move an experiment to its next phase, dated. The move must be allowed from the
    current phase (see phases.py); handing over to the incubator names which incubator
    and the service that resulted; stopping says why."""
    if not can(user, "lab.edit_experiment", experiment):
        raise PermissionDenied(
            _("Seuls les animateurs du laboratoire font avancer ses expérimentations.")
        )
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if not phases.may_move(experiment.phase, phase):
        raise ValidationError(
            {
                "phase": _(
                    "Une expérimentation « %(current)s » ne peut pas passer à « %(target)s »."
                )
                % {
                    "current": Phase(experiment.phase).label,
                    "target": Phase(phase).label if phase in Phase.values else phase,
                }
            }
        )
    errors = {}
    last = experiment.phase_changes.order_by("-date", "-pk").first()
    check_day(date)
    if date < experiment.started_on:
        errors["date"] = _("La date est antérieure au début de l'expérimentation.")
    elif last is not None and date < last.date:
        errors["date"] = _("La date est antérieure à la dernière étape (%(date)s).") % {
            "date": last.date.strftime("%d/%m/%Y")
        }
    elif date > timezone.localdate():
        errors["date"] = _("La date ne peut pas être dans le futur.")
    if phase == Phase.INCUBATOR:
        if not incubator.strip():
            errors["incubator"] = _("Nommez l'incubateur à qui l'expérimentation est confiée.")
        if not resulting_service.strip():
            errors["resulting_service"] = _("Nommez le service qui en est né.")
    if phase == Phase.STOPPED and not stop_reason.strip():
        errors["stop_reason"] = _("Dites pourquoi l'expérimentation est arrêtée.")
    if errors:
        raise ValidationError(errors)
    experiment.phase = phase
    if phase == Phase.INCUBATOR:
        experiment.incubator = incubator.strip()
        experiment.resulting_service = resulting_service.strip()
        experiment.handed_over_on = date
    if phase == Phase.STOPPED:
        experiment.stop_reason = stop_reason.strip()
    experiment.save()
    PhaseChange.objects.create(experiment=experiment, phase=phase, date=date, note=note, by=user)
    return experiment

"""The follow-up of an experiment: hypotheses, indicators and their measurements,
results, recommendations and what became of them."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenlabour.accounts.perms import can
from kenlabour.lab.enums import FollowUp, HypothesisStatus, Phase
from kenlabour.lab.models import (
    Experiment,
    Hypothesis,
    Indicator,
    Measurement,
    Recommendation,
    Result,
)
from kenlabour.lab.services.dates import check_day
from kenlabour.network.enums import ActorKind, ModerationStatus


def _editable_experiment(user, experiment, refusal: str, stopped_refusal: str = ""):
    """The experiment, locked and read afresh, once the user may change it. With
    `stopped_refusal`, a stopped experiment refuses the change with that message."""
    if not can(user, "lab.edit_experiment", experiment):
        raise PermissionDenied(refusal)
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if stopped_refusal and experiment.phase == Phase.STOPPED:
        raise ValidationError(stopped_refusal)
    return experiment


def _check_date(experiment, date: datetime.date) -> None:
    check_day(date)
    if date < experiment.started_on:
        raise ValidationError(
            {
                "date": _("La date est antérieure au début de l'expérimentation (%(date)s).")
                % {"date": experiment.started_on.strftime("%d/%m/%Y")}
            }
        )
    if date > timezone.localdate():
        raise ValidationError({"date": _("La date ne peut pas être dans le futur.")})


@transaction.atomic
def add_hypothesis(user, experiment, *, text: str):
    """An hypothesis the experiment will check, open until confirmed or refuted."""
    experiment = _editable_experiment(
        user,
        experiment,
        _("Seuls les animateurs du laboratoire ajoutent des hypothèses."),
        _("Cette expérimentation est arrêtée : on n'y ajoute plus d'hypothèses."),
    )
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Écrivez l'hypothèse.")})
    if experiment.hypotheses.filter(text__iexact=text).exists():
        raise ValidationError({"text": _("Cette hypothèse est déjà notée : rien n'a changé.")})
    return Hypothesis.objects.create(experiment=experiment, text=text)


@transaction.atomic
def set_hypothesis_status(user, hypothesis, *, status: str):
    """Confirm or refute an hypothesis (or reopen it), whatever the experiment's phase:
    a stopped experiment still says what it learnt."""
    _editable_experiment(
        user,
        hypothesis.experiment,
        _("Seuls les animateurs du laboratoire changent le statut des hypothèses."),
    )
    hypothesis = Hypothesis.objects.get(pk=hypothesis.pk)
    if status not in HypothesisStatus.values:
        raise ValidationError({"status": _("Choisissez un statut de la liste.")})
    if status == hypothesis.status:
        raise ValidationError(
            {
                "status": _("L'hypothèse est déjà « %(status)s » : rien n'a changé.")
                % {"status": HypothesisStatus(status).label}
            }
        )
    hypothesis.status = status
    hypothesis.save(update_fields=["status"])
    return hypothesis


def indicator_problems(fields: dict) -> dict[str, str]:
    """The invariants of an indicator, with the message each breach gets (by field)."""
    problems = {}
    if not (fields.get("name") or "").strip():
        problems["name"] = _("Nommez l'indicateur.")
    baseline, target = fields.get("baseline"), fields.get("target")
    if baseline is not None and target is not None and baseline == target:
        problems["target"] = _(
            "La cible est égale à la valeur de départ : l'indicateur ne mesurerait aucun "
            "progrès. Indiquez la valeur visée."
        )
    return problems


@transaction.atomic
def add_indicator(user, experiment, *, name: str, baseline, target, unit: str = ""):
    """What the experiment measures: a value at the start and the value aimed at (the
    target may be below the baseline: fewer renunciations, shorter delays)."""
    experiment = _editable_experiment(
        user,
        experiment,
        _("Seuls les animateurs du laboratoire ajoutent des indicateurs."),
        _("Cette expérimentation est arrêtée : on n'y ajoute plus d'indicateurs."),
    )
    problems = indicator_problems({"name": name, "baseline": baseline, "target": target})
    if problems:
        raise ValidationError(problems)
    name = name.strip()
    if experiment.indicators.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("Cette expérimentation a déjà un indicateur de ce nom.")})
    return Indicator.objects.create(
        experiment=experiment, name=name, unit=unit.strip(), baseline=baseline, target=target
    )


@transaction.atomic
def add_measurement(user, indicator, *, date: datetime.date, value):
    """A dated value of an indicator. Refused on a stopped experiment, before the
    experiment started, in the future, or twice on the same day."""
    experiment = indicator.experiment
    if not can(user, "lab.edit_experiment", experiment):
        raise PermissionDenied(_("Seuls les animateurs du laboratoire ajoutent des mesures."))
    if experiment.phase == Phase.STOPPED:
        raise ValidationError(
            _("Cette expérimentation est arrêtée : on n'y ajoute plus de mesures.")
        )
    check_day(date)
    if date < experiment.started_on:
        raise ValidationError(
            {
                "date": _("La date est antérieure au début de l'expérimentation (%(date)s).")
                % {"date": experiment.started_on.strftime("%d/%m/%Y")}
            }
        )
    if date > timezone.localdate():
        raise ValidationError({"date": _("La date ne peut pas être dans le futur.")})
    if Measurement.objects.filter(indicator=indicator, date=date).exists():
        raise ValidationError({"date": _("Une mesure de cet indicateur existe déjà à cette date.")})
    return Measurement.objects.create(indicator=indicator, date=date, value=value)


@transaction.atomic
def add_result(user, experiment, *, text: str, date: datetime.date):
    """A dated finding of the experiment: neither before it started nor in the future."""
    experiment = _editable_experiment(
        user,
        experiment,
        _("Seuls les animateurs du laboratoire ajoutent des résultats."),
        _("Cette expérimentation est arrêtée : on n'y ajoute plus de résultats."),
    )
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Décrivez le résultat.")})
    _check_date(experiment, date)
    return Result.objects.create(experiment=experiment, text=text, date=date)


@transaction.atomic
def add_recommendation(user, experiment, *, addressed_to, text: str):
    """A recommendation addressed to a published organisation of the network; its
    follow-up starts at "sent"."""
    experiment = _editable_experiment(
        user,
        experiment,
        _("Seuls les animateurs du laboratoire adressent des préconisations."),
        _("Cette expérimentation est arrêtée : on n'y ajoute plus de préconisations."),
    )
    if (
        addressed_to is None
        or addressed_to.kind != ActorKind.ORGANISATION
        or addressed_to.status != ModerationStatus.PUBLISHED
    ):
        raise ValidationError(
            {"addressed_to": _("Adressez la préconisation à une organisation de l'annuaire.")}
        )
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Écrivez la préconisation.")})
    return Recommendation.objects.create(
        experiment=experiment, addressed_to=addressed_to, text=text
    )


@transaction.atomic
def record_follow_up(user, recommendation, *, follow_up: str, note: str = ""):
    """What the organisation did with a recommendation (retained, implemented, declined),
    with a public note; at any phase: a recommendation lives on after the experiment."""
    _editable_experiment(
        user,
        recommendation.experiment,
        _("Seuls les animateurs du laboratoire notent la suite des préconisations."),
    )
    recommendation = Recommendation.objects.get(pk=recommendation.pk)
    if follow_up not in FollowUp.values:
        raise ValidationError({"follow_up": _("Choisissez une suite de la liste.")})
    note = note.strip()
    if follow_up == recommendation.follow_up and note == recommendation.follow_up_note:
        raise ValidationError(_("La suite et les précisions sont les mêmes : rien n'a changé."))
    recommendation.follow_up = follow_up
    recommendation.follow_up_note = note
    recommendation.save(update_fields=["follow_up", "follow_up_note"])
    return recommendation

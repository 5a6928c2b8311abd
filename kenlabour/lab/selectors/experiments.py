"""Experiments: which ones a user sees, the list, the page of one experiment (its
history, indicators and their progress, links and suggestions), and the edit form's."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.utils.formats import date_format
from django.utils.translation import gettext

from kenlabour.accounts.enums import Role
from kenlabour.accounts.perms import can, holds, is_platform_admin
from kenlabour.lab import phases
from kenlabour.lab.enums import LinkStatus, Phase
from kenlabour.lab.models import (
    Experiment,
    Hypothesis,
    Indicator,
    Interconnection,
    Measurement,
    PhaseChange,
    Recommendation,
    Result,
    Workshop,
)
from kenlabour.lab.selectors.interconnections import (
    RelatedExperiment,
    facet_prefetches,
    suggestions_for,
)
from kenlabour.lab.selectors.labs import labs_facilitated_by
from kenlabour.web.search import with_keywords

EXPERIMENTS_PAGE_SIZE = 20


def visible_experiments(user):
    """Published experiments for everyone; unpublished ones for their lab's facilitators
    and their team."""
    if is_platform_admin(user) or holds(user, Role.LAB_FACILITATOR):
        return Experiment.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Experiment.objects.filter(published=True)
    return Experiment.objects.filter(
        Q(published=True) | Q(lab__in=labs_facilitated_by(user).values("pk")) | Q(team=user)
    ).distinct()


def experiment_list(
    user, *, lab=None, theme=None, phase: str = "", public=None, departement=None, text=""
):
    """The experiments the user may see, latest first, filtered by lab, theme, phase,
    public, territory (a département: the experiments held there or in one of its
    communes) and keywords (title, presentation, problem; accents and case ignored)."""
    experiments = visible_experiments(user)
    if lab is not None:
        experiments = experiments.filter(lab=lab)
    if theme is not None:
        experiments = experiments.filter(themes=theme)
    if phase:
        experiments = experiments.filter(phase=phase)
    if public is not None:
        experiments = experiments.filter(publics=public)
    if departement is not None:
        experiments = experiments.filter(
            Q(
                pk__in=Experiment.departements.through.objects.filter(
                    departement=departement
                ).values("experiment_id")
            )
            | Q(
                pk__in=Experiment.communes.through.objects.filter(
                    commune__departement=departement
                ).values("experiment_id")
            )
        )
    experiments = with_keywords(
        experiments, ("title", "summary", "problem", "reframed_problem", "lab__name"), text
    )
    return (
        experiments.select_related("lab")
        .prefetch_related("themes", "publics")
        .order_by("-started_on", "title", "pk")
    )


@dataclass
class IndicatorView:
    indicator: object  # Indicator
    measurements: list
    progress: str


def progress_in_words(baseline, target, measurements) -> str:
    """Where the latest measurement stands between the baseline and the target."""
    unit_free = {"baseline": baseline, "target": target}
    if not measurements:
        return gettext("Pas encore de mesure (départ %(baseline)s, cible %(target)s).") % unit_free
    last = measurements[-1]
    values = {
        **unit_free,
        "value": last.value,
        "date": date_format(last.date, "DATE_FORMAT"),
    }
    if target == baseline:
        reached = last.value == target
    else:
        share = (last.value - baseline) / (target - baseline)
        reached = share >= 1
        values["percent"] = round(float(share) * 100)
    if reached:
        return gettext("Cible atteinte : %(value)s le %(date)s (cible %(target)s).") % values
    if values.get("percent", 0) <= 0:
        return (
            gettext(
                "Pas de progrès vers la cible : %(value)s le %(date)s, pour un départ à "
                "%(baseline)s et une cible de %(target)s."
            )
            % values
        )
    return (
        gettext(
            "%(percent)s %% du chemin parcouru : %(value)s le %(date)s, entre un départ à "
            "%(baseline)s et une cible de %(target)s."
        )
        % values
    )


@dataclass
class ExperimentPage:
    experiment: object  # Experiment
    can_edit: bool
    can_see_notes: bool
    can_decide: bool
    history: list
    indicators: list[IndicatorView]
    linked: list[RelatedExperiment]
    suggestions: list[RelatedExperiment]
    next_phases: list


def experiment_for_edit(user, slug: str):
    """The experiment a facilitator changes (PermissionDenied for others, None if absent)."""
    experiment = (
        Experiment.objects.select_related("lab")
        .prefetch_related("themes", "publics", "departements", "partners", "indicators")
        .filter(slug=slug)
        .first()
    )
    if experiment is not None and not can(user, "lab.edit_experiment", experiment):
        raise PermissionDenied
    return experiment


def experiment_page(user, slug: str) -> ExperimentPage | None:
    """Everything the page of one experiment shows, in a fixed number of queries; None
    when it does not exist or the user may not see it."""
    experiment = (
        Experiment.objects.select_related("lab")
        .prefetch_related(
            *facet_prefetches(),
            "team",
            Prefetch("phase_changes", queryset=PhaseChange.objects.select_related("by")),
            Prefetch("hypotheses", queryset=Hypothesis.objects.order_by("pk")),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("pk").prefetch_related(
                    Prefetch("measurements", queryset=Measurement.objects.order_by("date"))
                ),
            ),
            Prefetch("results", queryset=Result.objects.order_by("date", "pk")),
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.select_related("addressed_to").order_by("pk"),
            ),
            Prefetch("workshops", queryset=Workshop.objects.filter(published=True)),
        )
        .filter(slug=slug)
        .first()
    )
    if experiment is None or not can(user, "lab.see_experiment", experiment):
        return None
    accepted = Interconnection.objects.filter(
        Q(experiment_a=experiment) | Q(experiment_b=experiment), status=LinkStatus.ACCEPTED
    ).select_related("experiment_a__lab", "experiment_b__lab")
    linked = []
    for link in accepted:
        other = link.experiment_b if link.experiment_a_id == experiment.pk else link.experiment_a
        if other.published or can(user, "lab.see_experiment", other):
            linked.append(RelatedExperiment(other, link.reasons))
    indicators = []
    for indicator in experiment.indicators.all():
        rows = list(indicator.measurements.all())
        indicators.append(
            IndicatorView(
                indicator, rows, progress_in_words(indicator.baseline, indicator.target, rows)
            )
        )
    can_decide = can(user, "lab.decide_interconnection", experiment)
    return ExperimentPage(
        experiment=experiment,
        can_edit=can(user, "lab.edit_experiment", experiment),
        can_see_notes=can(user, "lab.see_private_notes", experiment),
        can_decide=can_decide,
        history=list(experiment.phase_changes.all()),
        indicators=indicators,
        linked=linked,
        suggestions=suggestions_for(user, experiment),
        next_phases=[Phase(p) for p in phases.next_phases(experiment.phase)],
    )


def experiment_by_slug(user, slug: str):
    """The experiment the user may see, or None."""
    experiment = Experiment.objects.select_related("lab").filter(slug=slug).first()
    if experiment is None or not can(user, "lab.see_experiment", experiment):
        return None
    return experiment

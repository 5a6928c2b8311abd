"""A series of workshops and the attendance of its cohort."""

from dataclasses import dataclass

from kenlabour.lab import cohort
from kenlabour.lab.models import Attendance, Series, Workshop
from kenlabour.lab.selectors.workshops import visible_workshops


@dataclass
class SeriesPage:
    series: Series
    workshops: list[tuple[Workshop, int]]  # each session with its distinct participants
    figures: cohort.CohortFigures


def series_page(user, slug: str) -> SeriesPage:
    series = Series.objects.select_related("lab").get(slug=slug)
    workshops = list(
        visible_workshops(user)
        .filter(series=series)
        .select_related("commune")
        .order_by("starts_at", "pk")
    )
    rows = Attendance.objects.filter(workshop__in=[w.pk for w in workshops]).values_list(
        "workshop_id", "person_id", "registration__email", "name"
    )
    figures = cohort.cohort_figures(
        [w.pk for w in workshops],
        [(wid, cohort.identity(person, email, name)) for wid, person, email, name in rows],
    )
    return SeriesPage(
        series=series,
        workshops=[(w, figures.per_session[w.pk]) for w in workshops],
        figures=figures,
    )

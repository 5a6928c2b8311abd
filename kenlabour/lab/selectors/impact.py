"""The impact dashboard and its exports: the plain rows the pure `lab/impact.py`
computes the figures from, the figures and charts of a selection, the export rows,
and what the dashboard's filters offer."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from kenlabour.lab import charts, impact
from kenlabour.lab.enums import ParticipantKind
from kenlabour.lab.models import Attendance, Experiment, Lab, PhaseChange, Series, Theme, Workshop
from kenlabour.network.enums import OrganisationKind
from kenlabour.territories.geo import normalise
from kenlabour.territories.models import Departement

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class ImpactFilters:
    """What the impact dashboard is asked about; every filter is optional."""

    lab: Lab | None = None
    year: int | None = None
    theme: Theme | None = None
    departement: Departement | None = None
    series: Series | None = None


@dataclass(frozen=True)
class ImpactReport:
    filters: ImpactFilters
    impact: impact.Impact
    as_of: datetime.date
    period_chart: charts.BarChart  # workshops per month (a year) or per year
    kinds_chart: charts.BarChart  # participations by kind


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _person_key(person_id, email, name) -> str:
    """Who came, as a key that is never shown: the network actor, else the e-mail of the
    registration, else the name as written (case and accents folded)."""
    if person_id is not None:
        return f"acteur:{person_id}"
    if email:
        return f"courriel:{email.strip().lower()}"
    return f"nom:{normalise(name)}"


def _organisation_key(organisation_id, organisation_name: str):
    """An organisation of the directory by its id; one typed freely by its name, so that
    « CAF d'Ille-et-Vilaine » counts once however often it came."""
    if organisation_id is not None:
        return organisation_id
    return f"~{' '.join(organisation_name.lower().split())}" if organisation_name else None


def _directorate_key(directorate_id, organisation_key, directorate_name: str):
    if directorate_id is not None:
        return directorate_id
    if directorate_name and organisation_key is not None:
        return f"~{organisation_key}|{' '.join(directorate_name.lower().split())}"
    return None


def impact_rows(filters: ImpactFilters, as_of: datetime.date):
    """The plain rows the impact is computed from, in a constant number of queries (four,
    five with a theme): the workshops of the lab(s) from the period's start to a year
    after its end (the later ones serve as returns), their themes when a theme is
    chosen, their attendance, and the dated milestones of the experiments' partner
    directorates."""
    selection = impact.Selection(
        lab=filters.lab.pk if filters.lab else None,
        start=datetime.date(filters.year, 1, 1) if filters.year else None,
        end=datetime.date(filters.year, 12, 31) if filters.year else None,
        theme=filters.theme.pk if filters.theme else None,
        departement=filters.departement.pk if filters.departement else None,
        series=filters.series.pk if filters.series else None,
    )
    last_day = as_of
    if selection.end is not None:
        last_day = min(as_of, selection.end + datetime.timedelta(days=impact.RETURN_WINDOW_DAYS))
    # A cancelled workshop was never held: it counts for nothing.
    workshops = Workshop.objects.filter(
        starts_at__lt=_local_midnight(last_day) + ONE_DAY, cancelled_at__isnull=True
    )
    experiments = Experiment.objects.filter(started_on__lte=last_day)
    phase_changes = PhaseChange.objects.filter(date__lte=last_day)
    if selection.start is not None:
        workshops = workshops.filter(starts_at__gte=_local_midnight(selection.start))
        experiments = experiments.filter(started_on__gte=selection.start)
        phase_changes = phase_changes.filter(date__gte=selection.start)
    if selection.lab is not None:
        workshops = workshops.filter(lab_id=selection.lab)
        experiments = experiments.filter(lab_id=selection.lab)
        phase_changes = phase_changes.filter(experiment__lab_id=selection.lab)

    themes_of: dict[int, set[int]] = {}
    if selection.theme is not None:
        for workshop_id, theme_id in Workshop.themes.through.objects.filter(
            workshop__in=workshops
        ).values_list("workshop_id", "theme_id"):
            themes_of.setdefault(workshop_id, set()).add(theme_id)
    workshop_rows = [
        impact.WorkshopRow(
            id=pk,
            date=timezone.localtime(starts_at).date(),
            lab=lab_id,
            themes=frozenset(themes_of.get(pk, ())),
            departement=departement,
            series=series_id,
        )
        for pk, starts_at, lab_id, series_id, departement in workshops.values_list(
            "pk", "starts_at", "lab_id", "series_id", "commune__departement_id"
        )
    ]
    administrations = OrganisationKind.administrations()
    attendance_rows = [
        impact.AttendanceRow(
            workshop=workshop_id,
            kind=kind,
            person=_person_key(person_id, email, name),
            organisation=_organisation_key(organisation_id, organisation_name),
            administration=organisation_kind in administrations,
            directorate=_directorate_key(
                directorate_id,
                _organisation_key(organisation_id, organisation_name),
                directorate_name,
            ),
        )
        for (
            workshop_id,
            kind,
            person_id,
            email,
            name,
            organisation_id,
            organisation_kind,
            directorate_id,
            organisation_name,
            directorate_name,
        ) in Attendance.objects.filter(workshop__in=workshops).values_list(
            "workshop_id",
            "kind",
            "person_id",
            "registration__email",
            "name",
            "organisation_id",
            "organisation__organisation_kind",
            "directorate_id",
            "organisation_name",
            "directorate_name",
        )
    ]
    partner_rows = [
        impact.PartnerRow(experiment=pk, lab=lab_id, directorate=directorate_id, date=day)
        for pk, lab_id, directorate_id, day in experiments.filter(
            partner_directorates__isnull=False
        ).values_list("pk", "lab_id", "partner_directorates", "started_on")
    ]
    partner_rows += [
        impact.PartnerRow(experiment=pk, lab=lab_id, directorate=directorate_id, date=day)
        for pk, lab_id, directorate_id, day in phase_changes.filter(
            experiment__partner_directorates__isnull=False
        ).values_list(
            "experiment_id", "experiment__lab_id", "experiment__partner_directorates", "date"
        )
    ]
    return selection, workshop_rows, attendance_rows, partner_rows


def impact_report(filters: ImpactFilters, as_of: datetime.date | None = None) -> ImpactReport:
    """The impact dashboard: figures and charts computed from attendance (figures only;
    nobody is named)."""
    as_of = as_of or timezone.localdate()
    selection, workshops, attendances, partners = impact_rows(filters, as_of)
    figures = impact.compute(selection, workshops, attendances, partners, as_of=as_of)
    if filters.year:
        period = [
            (date_format(datetime.date(filters.year, month, 1), "F"), count)
            for month, count in impact.months_of(filters.year, figures.workshops_by_month)
        ]
    else:
        period = [
            (str(year), count) for year, count in impact.years_between(figures.workshops_by_year)
        ]
    kinds = [
        (str(ParticipantKind(kind).label), figures.participations_by_kind[kind])
        for kind in impact.KINDS
    ]
    return ImpactReport(
        filters=filters,
        impact=figures,
        as_of=as_of,
        period_chart=charts.horizontal_bars(period),
        kinds_chart=charts.horizontal_bars(kinds),
    )


def _percent(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


def impact_export_rows(report: ImpactReport) -> list[tuple[str, str, object]]:
    """The dashboard as (section, indicator, value) rows, for the CSV and XLSX exports:
    the filters, the figures, then the data of each chart."""
    filters, figures = report.filters, report.impact
    everything = gettext("tous")
    rows: list[tuple[str, str, object]] = [
        (
            gettext("Sélection"),
            gettext("Laboratoire"),
            filters.lab.name if filters.lab else everything,
        ),
        (gettext("Sélection"), gettext("Année"), filters.year or everything),
        (
            gettext("Sélection"),
            gettext("Thème"),
            filters.theme.name if filters.theme else everything,
        ),
        (
            gettext("Sélection"),
            gettext("Département"),
            f"{filters.departement.name} ({filters.departement.code})"
            if filters.departement
            else everything,
        ),
    ]
    if filters.series:
        rows.append((gettext("Sélection"), gettext("Série"), filters.series.title))
    rows.append((gettext("Sélection"), gettext("Calculé le"), report.as_of.isoformat()))
    key = gettext("Chiffres clés")
    rows += [
        (key, gettext("Ateliers tenus"), figures.workshops),
        (key, gettext("Participations de professionnels"), figures.professional_participations),
        (key, gettext("Professionnels distincts (personnes)"), figures.distinct_professionals),
        (key, gettext("Usagères et usagers impliqués"), figures.citizens),
        (key, gettext("Organisations impliquées"), figures.organisations),
        (key, gettext("Directions impliquées"), figures.directorates),
        (key, gettext("Ateliers décloisonnés"), figures.cross_silo_workshops),
        (key, gettext("Indice de décloisonnement (%)"), _percent(figures.cross_silo_index)),
        (key, gettext("Directions revenues dans les 12 mois"), figures.returning_directorates),
        (key, gettext("Directions dont les 12 mois sont écoulés"), figures.observable_directorates),
        (
            key,
            gettext("Directions dont les 12 mois ne sont pas écoulés"),
            figures.pending_directorates,
        ),
        (key, gettext("Taux de retour (%)"), _percent(figures.return_rate)),
    ]
    period = gettext("Ateliers par mois") if filters.year else gettext("Ateliers par année")
    rows += [(period, bar.label, bar.value) for bar in report.period_chart.bars]
    kinds = gettext("Participations par type de participant")
    rows += [(kinds, bar.label, bar.value) for bar in report.kinds_chart.bars]
    return rows


def impact_years() -> list[int]:
    """The years with workshops, latest first: what the dashboard's year filter offers."""
    return [moment.year for moment in Workshop.objects.datetimes("starts_at", "year", order="DESC")]


def departements_with_workshops():
    """The départements where workshops took place: the dashboard's territory filter."""
    return Departement.objects.filter(
        code__in=Workshop.objects.filter(commune__isnull=False).values("commune__departement_id")
    ).order_by("code")

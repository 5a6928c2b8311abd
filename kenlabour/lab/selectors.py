"""Every read of the lab that a page, an export or the API needs."""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from kenlabour.accounts.enums import Role
from kenlabour.accounts.perms import can, holds, is_platform_admin
from kenlabour.lab import charts, cohort, impact
from kenlabour.lab import ical as icalendar_files
from kenlabour.lab.enums import ParticipantKind, RegistrationStatus
from kenlabour.lab.models import (
    Attendance,
    Experiment,
    Lab,
    Method,
    PhaseChange,
    Registration,
    Series,
    Theme,
    Workshop,
)
from kenlabour.network.enums import ActorKind, ModerationStatus, OrganisationKind, ProfileKind
from kenlabour.network.models import Actor, Directorate, Profile
from kenlabour.territories.geo import normalise
from kenlabour.territories.models import Commune, Departement
from kenlabour.territories.selectors import communes_within

ONE_DAY = datetime.timedelta(days=1)


# --- impact dashboard and exports (impact helper) ------------------------------------


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


# --- workshops, registration, attendance, series, methods, calendars (workshops helper)

WORKSHOPS_PAGE_SIZE = 20
# The lab's calendar feed holds the workshops from this long ago onwards.
CALENDAR_PAST = datetime.timedelta(days=365)

# The "came as" a sign-in sheet proposes, from the person's network profile.
CAME_AS_OF_PROFILE = {
    ProfileKind.PUBLIC_AGENT: ParticipantKind.PUBLIC_AGENT,
    ProfileKind.MAKER: ParticipantKind.MAKER,
    ProfileKind.SEAMSTRESS: ParticipantKind.MAKER,
    ProfileKind.CITIZEN: ParticipantKind.CITIZEN,
    ProfileKind.ELECTED: ParticipantKind.ELECTED,
    ProfileKind.OTHER: ParticipantKind.OTHER,
}


def _visible_workshops(user):
    workshops = Workshop.objects.all()
    if not can(user, "lab.see_unpublished_workshops"):
        workshops = workshops.filter(published=True)
    return workshops


def labs():
    return Lab.objects.order_by("name")


def themes():
    return Theme.objects.order_by("name")


def facilitator_users():
    """People holding the lab facilitator role, platform-wide or on a lab."""
    from kenlabour.accounts.models import User

    return (
        User.objects.filter(role_assignments__role=Role.LAB_FACILITATOR)
        .distinct()
        .order_by("display_name", "email")
    )


def labs_facilitated_by(user):
    """The labs where the user may create workshops."""
    if not getattr(user, "is_authenticated", False):
        return Lab.objects.none()
    if holds(user, Role.LAB_FACILITATOR) or is_platform_admin(user):
        return Lab.objects.order_by("name")
    lab_type = ContentType.objects.get_for_model(Lab)
    scoped = user.role_assignments.filter(role=Role.LAB_FACILITATOR, scope_type=lab_type).values(
        "scope_id"
    )
    return Lab.objects.filter(pk__in=scoped).order_by("name")


def workshop_list(
    user,
    *,
    past: bool = False,
    lab: Lab | None = None,
    theme: Theme | None = None,
    near: tuple[Commune, int] | None = None,
):
    """Upcoming (soonest first, ongoing included) or past (latest first) workshops, with
    their confirmed seats counted in the same query; `near` (a commune, a radius in km) keeps
    those held within that distance."""
    now = timezone.now()
    workshops = (
        _visible_workshops(user)
        .select_related("lab", "commune", "method")
        .prefetch_related("themes")
        .annotate(
            confirmed=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
            )
        )
    )
    if lab is not None:
        workshops = workshops.filter(lab=lab)
    if theme is not None:
        workshops = workshops.filter(themes=theme)
    if near is not None:
        commune, radius_km = near
        around = communes_within(commune, radius_km, include_self=True)
        workshops = workshops.filter(commune__in=[other.code for other in around])
    if past:
        return workshops.filter(ends_at__lt=now).order_by("-starts_at", "pk")
    return workshops.filter(ends_at__gte=now).order_by("starts_at", "pk")


def waiting_position(registration: Registration) -> int | None:
    """1 for the first in line; None when the registration is not waiting."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    ahead = Registration.objects.filter(
        workshop_id=registration.workshop_id, status=RegistrationStatus.WAITING
    ).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


@dataclass
class WorkshopPage:
    workshop: Workshop
    confirmed: int
    waiting: int
    seats_left: int
    closed_reason: str
    can_edit: bool
    my_registration: Registration | None
    my_position: int | None
    # For the workshop's facilitators: who registered, in order, with their place in line.
    registrations: list[tuple[Registration, int | None]]
    can_cancel: bool = False


def workshop_page(user, slug: str) -> WorkshopPage:
    """A workshop as its page shows it, in a constant number of queries. Raises
    Workshop.DoesNotExist for a workshop the user may not see."""
    from kenlabour.lab.services import registration_closed_reason

    workshop = (
        _visible_workshops(user)
        .select_related("lab", "commune__departement", "method", "experiment", "series")
        .prefetch_related("themes", "facilitators", "files")
        .get(slug=slug)
    )
    # One query for the counts, the visitor's own registration, and the list the
    # facilitators see (the waiting list in order).
    active = list(
        Registration.objects.filter(workshop=workshop)
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by("created_at", "pk")
    )
    can_edit = can(user, "lab.edit_workshop", workshop)
    registrations, positions, waiting = [], {}, 0
    for registration in active:
        if registration.status == RegistrationStatus.WAITING:
            waiting += 1
            positions[registration.pk] = waiting
        registrations.append((registration, positions.get(registration.pk)))
    confirmed = len(active) - waiting
    my_registration = None
    if user.is_authenticated:
        my_registration = next(
            (r for r in active if r.user_id == user.pk or r.email == user.email.lower()), None
        )
    return WorkshopPage(
        workshop=workshop,
        confirmed=confirmed,
        waiting=waiting,
        seats_left=max(workshop.capacity - confirmed, 0),
        closed_reason=registration_closed_reason(workshop, timezone.now()),
        can_edit=can_edit,
        can_cancel=can_edit and workshop.cancelled_at is None and workshop.ends_at > timezone.now(),
        my_registration=my_registration,
        my_position=positions.get(my_registration.pk) if my_registration else None,
        registrations=registrations if can_edit else [],
    )


def workshop_for_edit(user, slug: str) -> Workshop:
    return (
        Workshop.objects.select_related("lab", "commune__departement")
        .prefetch_related("themes", "facilitators", "files")
        .get(slug=slug)
    )


def registration_by_token(token: str) -> tuple[Registration, int | None]:
    registration = Registration.objects.select_related("workshop__lab", "workshop__commune").get(
        token=token
    )
    return registration, waiting_position(registration)


# Sign-in sheet


@dataclass
class SheetRow:
    registration: Registration
    attendance: Attendance | None
    kind: str  # what the sheet proposes, from the person's profile
    organisation: str
    directorate: str


@dataclass
class AttendanceSheet:
    workshop: Workshop
    rows: list[SheetRow]
    walk_ins: list[Attendance]
    present: int
    organisations: list[str]
    directorates: list[tuple[str, str]]  # (name, organisation name)


def _sheet_row(registration: Registration) -> SheetRow:
    attendance = getattr(registration, "attendance", None)
    kind, organisation, directorate = "", "", ""
    actor = getattr(registration.user, "actor", None) if registration.user else None
    profiles = list(actor.profiles.all()) if actor is not None else []
    if profiles:
        profile = profiles[0]
        kind = CAME_AS_OF_PROFILE.get(profile.kind, "")
        organisation = profile.organisation.name if profile.organisation else ""
        directorate = profile.directorate.name if profile.directorate else ""
    return SheetRow(registration, attendance, kind, organisation, directorate)


def sheet_row(registration_id: int, workshop: Workshop) -> SheetRow:
    return _sheet_row(_sheet_registrations(workshop).get(pk=registration_id))


def _sheet_registrations(workshop: Workshop):
    return (
        Registration.objects.filter(workshop=workshop)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related(
            "attendance__organisation", "attendance__directorate", "user__actor", "workshop"
        )
        .prefetch_related(
            Prefetch(
                "user__actor__profiles",
                queryset=Profile.objects.select_related("organisation", "directorate").order_by(
                    "pk"
                ),
            )
        )
        .order_by("status", "name", "pk")  # confirmed before waiting
    )


def attendance_sheet(slug: str) -> AttendanceSheet:
    """The facilitator's sign-in sheet: the registered (confirmed first), who came, the
    walk-ins, and the organisations and directorates the fields suggest."""
    workshop = Workshop.objects.select_related("lab").get(slug=slug)
    rows = [_sheet_row(registration) for registration in _sheet_registrations(workshop)]
    walk_ins = list(
        Attendance.objects.filter(workshop=workshop, registration__isnull=True)
        .select_related("organisation", "directorate")
        .order_by("recorded_at", "pk")
    )
    return AttendanceSheet(
        workshop=workshop,
        rows=rows,
        walk_ins=walk_ins,
        present=sum(1 for row in rows if row.attendance) + len(walk_ins),
        **came_as_suggestions(),
    )


def present_count(workshop: Workshop) -> int:
    """How many came: the same figure as the sheet's (the registered who came, and the
    walk-ins), in one query."""
    return (
        Attendance.objects.filter(workshop=workshop)
        .exclude(registration__status=RegistrationStatus.CANCELLED)
        .count()
    )


def attendance_of_sheet(workshop: Workshop, pk: str) -> Attendance | None:
    """An attendance of this workshop by its id as posted (anything else: None)."""
    if not pk.isdigit() or len(pk) > 18:
        return None
    return (
        Attendance.objects.filter(workshop=workshop, pk=int(pk))
        .select_related("registration")
        .first()
    )


def came_as_suggestions() -> dict:
    """Names the organisation and directorate fields suggest (a datalist each)."""
    organisations = list(
        Actor.objects.filter(kind=ActorKind.ORGANISATION, status=ModerationStatus.PUBLISHED)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )
    directorates = list(
        Directorate.objects.filter(organisation__status=ModerationStatus.PUBLISHED)
        .order_by("name", "organisation__name")
        .values_list("name", "organisation__name")
    )
    return {"organisations": organisations, "directorates": directorates}


class NotFoundByName(LookupError):
    """A typed name that designates no record ("unknown") or several ("ambiguous")."""

    def __init__(self, message: str, code: str = "unknown"):
        super().__init__(message)
        self.message = message
        self.code = code


def _published_organisations():
    return Actor.objects.filter(kind=ActorKind.ORGANISATION, status=ModerationStatus.PUBLISHED)


def _name_and_commune(text: str) -> tuple[str, str] | None:
    """Split « Mission locale (Brest) » into the name and the commune; None without
    parentheses."""
    name, opening, rest = text.rpartition("(")
    if not opening or not rest.endswith(")") or not name.strip() or not rest[:-1].strip():
        return None
    return name.strip(), rest[:-1].strip()


def resolve_organisation(text: str) -> Actor:
    """The published organisation of this exact name (case ignored). When several bear the
    name, "Name (Commune)" tells them apart; NotFoundByName says whether the name is
    unknown or shared."""
    text = text.strip()
    found = list(_published_organisations().filter(name__iexact=text)[:2])
    split = _name_and_commune(text) if not found else None
    if split is not None:
        found = list(
            _published_organisations().filter(
                name__iexact=split[0], commune__name__iexact=split[1]
            )[:2]
        )
    if len(found) == 1:
        return found[0]
    if found:
        raise NotFoundByName(
            gettext(
                "Plusieurs organisations de l'annuaire s'appellent « %(text)s » : choisissez "
                "dans la liste proposée celle qui porte sa commune entre parenthèses."
            )
            % {"text": text},
            code="ambiguous",
        )
    raise NotFoundByName(
        gettext(
            "« %(text)s » n'est pas une organisation de l'annuaire : choisissez-la dans la "
            "liste proposée, ou laissez vide."
        )
        % {"text": text}
    )


def organisation_names() -> list[str]:
    """What an organisation field suggests: each published organisation's name, with its
    commune in parentheses when several share the name (resolve_organisation reads both)."""
    rows = list(
        _published_organisations().order_by("name", "pk").values_list("name", "commune__name")
    )
    per_name: dict[str, int] = {}
    for name, _commune in rows:
        per_name[name.lower()] = per_name.get(name.lower(), 0) + 1
    names = []
    for name, commune_name in rows:
        shared = per_name[name.lower()] > 1 and commune_name
        label = f"{name} ({commune_name})" if shared else name
        if not names or names[-1] != label:
            names.append(label)
    return names


def resolve_directorate(organisation: Actor, text: str) -> Directorate:
    text = text.strip()
    found = list(
        Directorate.objects.filter(organisation=organisation).filter(
            Q(name__iexact=text) | Q(acronym__iexact=text)
        )[:2]
    )
    if len(found) != 1:
        raise NotFoundByName(
            gettext("« %(text)s » n'est pas une direction de %(organisation)s.")
            % {"text": text, "organisation": organisation.name}
        )
    return found[0]


# Series and methods


@dataclass
class SeriesPage:
    series: Series
    workshops: list[tuple[Workshop, int]]  # each session with its distinct participants
    figures: cohort.CohortFigures


def series_page(user, slug: str) -> SeriesPage:
    series = Series.objects.select_related("lab").get(slug=slug)
    workshops = list(
        _visible_workshops(user)
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


def methods():
    return Method.objects.annotate(workshop_count=Count("workshops")).order_by("name")


def method_page(user, slug: str) -> tuple[Method, list[Workshop]]:
    """A method and the upcoming workshops that use it."""
    method = Method.objects.get(slug=slug)
    upcoming = list(workshop_list(user).filter(method=method).select_related("lab", "commune")[:10])
    return method, upcoming


# Calendars


def _event(workshop: Workshop, site_url: str) -> icalendar_files.Event:
    place = ", ".join(
        part
        for part in (workshop.address, workshop.commune.name if workshop.commune else "")
        if part
    )
    if workshop.online_url:
        place = f"{place} — {workshop.online_url}" if place else workshop.online_url
    return icalendar_files.Event(
        uid=f"atelier-{workshop.pk}@kenlabour",
        title=workshop.title,
        starts_at=workshop.starts_at,
        ends_at=workshop.ends_at,
        description=workshop.purpose,
        location=place,
        url=site_url.rstrip("/") + workshop.get_absolute_url(),
    )


def workshop_ics(user, slug: str, site_url: str) -> tuple[Workshop, bytes]:
    workshop = _visible_workshops(user).select_related("commune").get(slug=slug)
    return workshop, icalendar_files.calendar(
        [_event(workshop, site_url)], name=workshop.title, stamp=timezone.now()
    )


def lab_calendar(lab_slug: str, site_url: str) -> tuple[Lab, bytes]:
    """The lab's published workshops of the past year and to come, as one feed."""
    lab = Lab.objects.get(slug=lab_slug)
    now = timezone.now()
    workshops = (
        Workshop.objects.filter(
            lab=lab, published=True, cancelled_at__isnull=True, starts_at__gte=now - CALENDAR_PAST
        )
        .select_related("commune")
        .order_by("starts_at", "pk")
    )
    return lab, icalendar_files.calendar(
        [_event(workshop, site_url) for workshop in workshops], name=lab.name, stamp=now
    )


# --- experiments and interconnections (experiments helper) ----------------------------

EXPERIMENTS_PAGE_SIZE = 20
SUGGESTIONS_SHOWN = 5


def _experiment_team_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(user.lab_experiments.values_list("pk", flat=True))


def visible_experiments(user):
    """Published experiments for everyone; unpublished ones for their lab's facilitators
    and their team."""
    from kenlabour.lab.models import Experiment

    if is_platform_admin(user) or holds(user, Role.LAB_FACILITATOR):
        return Experiment.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Experiment.objects.filter(published=True)
    return Experiment.objects.filter(
        Q(published=True) | Q(lab__in=labs_facilitated_by(user).values("pk")) | Q(team=user)
    ).distinct()


def experiment_list(user, *, lab=None, theme=None, phase: str = ""):
    """The experiments the user may see, latest first, filtered by lab, theme, phase."""
    experiments = visible_experiments(user)
    if lab is not None:
        experiments = experiments.filter(lab=lab)
    if theme is not None:
        experiments = experiments.filter(themes=theme)
    if phase:
        experiments = experiments.filter(phase=phase)
    return (
        experiments.select_related("lab")
        .prefetch_related("themes", "publics")
        .order_by("-started_on", "title", "pk")
    )


def _territory_labels(experiment) -> set[str]:
    """Départements named, and the communes named with their département: an experiment
    in Carhaix shares "Finistère" with one on the whole département."""
    labels = {d.name for d in experiment.departements.all()}
    for place in experiment.communes.all():
        labels.add(place.name)
        labels.add(place.departement.name)
    return labels


def _facet_prefetches():

    return (
        "themes",
        "publics",
        "departements",
        Prefetch("communes", queryset=Commune.objects.select_related("departement")),
        "partners",
        Prefetch(
            "partner_directorates", queryset=Directorate.objects.select_related("organisation")
        ),
    )


def _partner_labels(experiment) -> set[str]:
    labels = {p.name for p in experiment.partners.all()}
    labels.update(d.organisation.name for d in experiment.partner_directorates.all())
    return labels


def similarity_document(experiment):
    from kenlabour.lab.similarity import Document

    return Document(
        key=experiment.pk,
        text=" ".join((experiment.title, experiment.problem, experiment.reframed_problem)),
        publics=frozenset(p.name for p in experiment.publics.all()),
        territories=frozenset(_territory_labels(experiment)),
        partners=frozenset(_partner_labels(experiment)),
        themes=frozenset(t.name for t in experiment.themes.all()),
    )


@dataclass
class ExperimentIndex:
    """The similarity index of every experiment (any lab), with what tells who may see
    each row."""

    version: tuple
    index: object  # similarity.SimilarityIndex
    lab_ids: object  # numpy arrays, in index order
    published: object


_EXPERIMENT_INDEX: dict[str, ExperimentIndex] = {}


def _experiment_index_version() -> tuple:
    from django.db.models import Max

    from kenlabour.lab.models import Experiment

    state = Experiment.objects.aggregate(count=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    return (state["count"], state["last"], state["top"])


def experiment_index() -> ExperimentIndex:
    """The index, built once per process and rebuilt when an experiment was added,
    changed or deleted (its version: count, latest update, highest id)."""
    import numpy as np

    from kenlabour.lab.models import Experiment
    from kenlabour.lab.similarity import SimilarityIndex

    version = _experiment_index_version()
    cached = _EXPERIMENT_INDEX.get("index")
    if cached is not None and cached.version == version:
        return cached
    experiments = list(
        Experiment.objects.only("pk", "lab_id", "published", "title", "problem", "reframed_problem")
        .prefetch_related(*_facet_prefetches())
        .order_by("pk")
    )
    index = SimilarityIndex([similarity_document(e) for e in experiments])
    by_key = {e.pk: e for e in experiments}
    built = ExperimentIndex(
        version=version,
        index=index,
        lab_ids=np.array([by_key[int(k)].lab_id for k in index.keys], dtype=np.int64),
        published=np.array([by_key[int(k)].published for k in index.keys], dtype=bool),
    )
    _EXPERIMENT_INDEX["index"] = built
    return built


def _reason_phrases() -> dict[str, tuple[str, str]]:
    return {
        "publics": (gettext("public commun"), gettext("publics communs")),
        "territories": (gettext("territoire commun"), gettext("territoires communs")),
        "partners": (gettext("partenaire commun"), gettext("partenaires communs")),
        "themes": (gettext("thème commun"), gettext("thèmes communs")),
        "text": (gettext("problème proche"), gettext("problèmes proches")),
    }


@dataclass
class RelatedExperiment:
    experiment: object  # Experiment
    reason: str
    score: float = 0.0


def suggestions_for(user, experiment, k: int = SUGGESTIONS_SHOWN) -> list[RelatedExperiment]:
    """Related experiments of any lab and theme, best first, with their reason in words:
    among those the user may see, leaving out links already accepted or dismissed."""
    import numpy as np

    from kenlabour.lab.models import Experiment, Interconnection

    built = experiment_index()
    if experiment.pk not in built.index:
        return []
    decided = Interconnection.objects.filter(
        Q(experiment_a=experiment) | Q(experiment_b=experiment)
    ).exclude(status="suggested")
    exclude = {
        other
        for pair in decided.values_list("experiment_a_id", "experiment_b_id")
        for other in pair
    }
    if is_platform_admin(user) or holds(user, Role.LAB_FACILITATOR):
        eligible = None
    else:
        lab_ids = list(labs_facilitated_by(user).values_list("pk", flat=True))
        eligible = built.published | np.isin(built.lab_ids, lab_ids)
        team = _experiment_team_ids(user)
        if team:
            eligible |= np.isin(built.index.keys, list(team))
    found = built.index.related(experiment.pk, k, exclude=exclude, eligible=eligible)
    others = Experiment.objects.select_related("lab").in_bulk([s.key for s in found])
    phrases = _reason_phrases()
    return [
        RelatedExperiment(others[s.key], s.reason(phrases), s.score)
        for s in found
        if s.key in others
    ]


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
    from django.core.exceptions import PermissionDenied

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
    from kenlabour.lab import phases
    from kenlabour.lab.enums import LinkStatus, Phase
    from kenlabour.lab.models import (
        Hypothesis,
        Indicator,
        Interconnection,
        Measurement,
        Recommendation,
        Result,
    )

    experiment = (
        Experiment.objects.select_related("lab")
        .prefetch_related(
            *_facet_prefetches(),
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


def pair_reason(experiment, other) -> str:
    """Why two experiments are close, in words (empty when they share nothing)."""
    import numpy as np

    built = experiment_index()
    if experiment.pk not in built.index or other.pk not in built.index:
        return ""
    eligible = np.zeros(len(built.index), dtype=bool)
    eligible[built.index.row_of(other.pk)] = True
    found = built.index.related(experiment.pk, 1, eligible=eligible)
    return found[0].reason(_reason_phrases()) if found else ""


def experiment_by_slug(user, slug: str):
    """The experiment the user may see, or None."""
    experiment = Experiment.objects.select_related("lab").filter(slug=slug).first()
    if experiment is None or not can(user, "lab.see_experiment", experiment):
        return None
    return experiment

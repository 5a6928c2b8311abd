"""The facilitator's sign-in sheet: the registered, who came, the walk-ins, and how
many came."""

from dataclasses import dataclass

from django.db.models import Prefetch

from kenlabour.lab.enums import ParticipantKind, RegistrationStatus
from kenlabour.lab.models import Attendance, Registration, Workshop
from kenlabour.lab.selectors.organisations import came_as_suggestions
from kenlabour.network.enums import ProfileKind
from kenlabour.network.models import Profile

# The "came as" a sign-in sheet proposes, from the person's network profile.
CAME_AS_OF_PROFILE = {
    ProfileKind.PUBLIC_AGENT: ParticipantKind.PUBLIC_AGENT,
    ProfileKind.MAKER: ParticipantKind.MAKER,
    ProfileKind.SEAMSTRESS: ParticipantKind.MAKER,
    ProfileKind.CITIZEN: ParticipantKind.CITIZEN,
    ProfileKind.ELECTED: ParticipantKind.ELECTED,
    ProfileKind.OTHER: ParticipantKind.OTHER,
}


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

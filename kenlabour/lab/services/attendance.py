"""Attendance: the facilitator ticks the sign-in sheet, writes in walk-ins, or a
participant signs in with the workshop's code; who came enters the acquaintance
graph."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenlabour.accounts.perms import can
from kenlabour.lab.enums import ParticipantKind, RegistrationStatus
from kenlabour.lab.models import Attendance, Registration, Workshop
from kenlabour.network.enums import LinkSourceKind
from kenlabour.network.services.graph import record_cooperation

# Participants may sign in with the code from this long before the start to this long
# after the end.
CODE_OPENS_BEFORE = datetime.timedelta(hours=1)
CODE_CLOSES_AFTER = datetime.timedelta(hours=2)


def _check_came_as(kind: str, organisation, directorate, organisation_name="") -> None:
    """The rule of the sign-in sheet (forms.CameAsForm says it field by field): a public
    agent gives an organisation, of the directory or typed; a directorate of the directory
    belongs to the organisation given."""
    if kind == ParticipantKind.PUBLIC_AGENT and organisation is None and not organisation_name:
        raise ValidationError(
            {"organisation": _("Pour un agent public, indiquez son organisation.")}
        )
    if directorate is not None and (
        organisation is None or directorate.organisation_id != organisation.pk
    ):
        raise ValidationError(
            {"directorate": _("Cette direction n'appartient pas à l'organisation indiquée.")}
        )


def _feed_acquaintance_graph(workshop: Workshop) -> None:
    """Everyone who came (network actors) and their organisations have worked together."""
    rows = Attendance.objects.filter(workshop=workshop).values_list("person_id", "organisation_id")
    actor_ids = {pk for row in rows for pk in row if pk is not None}
    record_cooperation(
        actor_ids,
        kind=LinkSourceKind.WORKSHOP,
        reference=f"atelier-{workshop.pk}",
        date=timezone.localtime(workshop.starts_at).date(),
        label=workshop.title,
    )


def _record(workshop: Workshop, **values) -> Attendance:
    values["organisation_name"] = (values.get("organisation_name") or "").strip()[:200]
    values["directorate_name"] = (values.get("directorate_name") or "").strip()[:200]
    if values.get("organisation") is not None:
        values["organisation_name"] = ""
    if values.get("directorate") is not None or not (
        values.get("organisation") is not None or values["organisation_name"]
    ):
        values["directorate_name"] = ""
    _check_came_as(
        values["kind"],
        values.get("organisation"),
        values.get("directorate"),
        values["organisation_name"],
    )
    if not values.get("name", "").strip():
        raise ValidationError({"name": _("Indiquez le nom de la personne.")})
    person = values.get("person")
    registration = values.get("registration")
    if (person is not None and workshop.attendances.filter(person=person).exists()) or (
        registration is not None and Attendance.objects.filter(registration=registration).exists()
    ):
        raise ValidationError(
            _("La présence de %(name)s est déjà enregistrée : rien n'a changé.")
            % {"name": values["name"]},
            code="twice",
        )
    attendance = Attendance.objects.create(workshop=workshop, **values)
    if person is not None or values.get("organisation") is not None:
        _feed_acquaintance_graph(workshop)
    return attendance


def _actor_of(user):
    return getattr(user, "actor", None) if user is not None else None


def _locked_sheet(user, workshop_pk) -> Workshop:
    """The workshop whose sign-in sheet is written, locked until the transaction ends, once
    its facilitator is known to be the one writing."""
    workshop = Workshop.objects.select_for_update().get(pk=workshop_pk)
    if not can(user, "lab.take_attendance", workshop):
        raise PermissionDenied(_("Seuls les animateurs de cet atelier notent les présences."))
    return workshop


@transaction.atomic
def mark_present(
    user,
    registration: Registration,
    *,
    kind: str,
    organisation=None,
    directorate=None,
    organisation_name: str = "",
    directorate_name: str = "",
) -> Attendance:
    """The facilitator ticks a registered person on the sign-in sheet."""
    workshop = _locked_sheet(user, registration.workshop_id)
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError(_("Cette inscription a été annulée."))
    return _record(
        workshop,
        registration=registration,
        person=_actor_of(registration.user),
        name=registration.name,
        kind=kind,
        organisation=organisation,
        directorate=directorate,
        organisation_name=organisation_name,
        directorate_name=directorate_name,
    )


@transaction.atomic
def unmark_present(user, attendance: Attendance) -> Registration | None:
    """Undo a tick of the sign-in sheet (a person marked present by mistake): the
    attendance is removed, the registration stays as it was. Returns the registration
    (None for someone who came without registering)."""
    workshop = _locked_sheet(user, attendance.workshop_id)
    found = Attendance.objects.filter(pk=attendance.pk, workshop=workshop).first()
    if found is None:
        raise ValidationError(_("Cette présence n'est plus notée : rien n'a changé."))
    registration = found.registration
    found.delete()
    return registration


@transaction.atomic
def record_walk_in(
    user,
    workshop: Workshop,
    *,
    name: str,
    kind: str,
    organisation=None,
    directorate=None,
    organisation_name: str = "",
    directorate_name: str = "",
) -> Attendance:
    """Someone came without registering: the facilitator writes them in."""
    workshop = _locked_sheet(user, workshop.pk)
    return _record(
        workshop,
        name=name.strip(),
        kind=kind,
        organisation=organisation,
        directorate=directorate,
        organisation_name=organisation_name,
        directorate_name=directorate_name,
        walk_in=True,
    )


def workshop_for_code(code: str, now: datetime.datetime) -> Workshop | None:
    code = "".join(code.split()).upper()
    if not code:
        return None
    return (
        Workshop.objects.filter(
            attendance_code=code,
            starts_at__lte=now + CODE_OPENS_BEFORE,
            ends_at__gte=now - CODE_CLOSES_AFTER,
        )
        .order_by("starts_at")
        .first()
    )


@transaction.atomic
def sign_in_with_code(
    user,
    *,
    code: str,
    name: str,
    email: str,
    kind: str,
    organisation=None,
    directorate=None,
    organisation_name: str = "",
    directorate_name: str = "",
) -> Attendance:
    """A participant signs themself in with the code the facilitator shows."""
    now = timezone.now()
    found = workshop_for_code(code, now)
    if found is None:
        raise ValidationError(
            {
                "code": _(
                    "Ce code ne correspond à aucun atelier en cours. Vérifiez-le auprès de "
                    "l'animateur."
                )
            }
        )
    workshop = Workshop.objects.select_for_update().get(pk=found.pk)
    person = _actor_of(user) if getattr(user, "is_authenticated", False) else None
    if getattr(user, "is_authenticated", False):
        email = email or user.email
    email = email.strip().lower()
    registration = None
    if email:
        registration = (
            workshop.registrations.exclude(status=RegistrationStatus.CANCELLED)
            .filter(email=email)
            .first()
        )
    return _record(
        workshop,
        registration=registration,
        person=person,
        name=name.strip(),
        kind=kind,
        organisation=organisation,
        directorate=directorate,
        organisation_name=organisation_name,
        directorate_name=directorate_name,
        walk_in=registration is None,
    )

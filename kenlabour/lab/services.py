"""Changes of state in the lab: one function per use case, in a transaction, permission
checked here. A refusal the user can act upon is a ValidationError with a French message
(by field when there is one); a missing right is PermissionDenied."""

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kenlabour.accounts.perms import can
from kenlabour.lab import filetypes, notifications
from kenlabour.lab.enums import ParticipantKind, RegistrationMode, RegistrationStatus
from kenlabour.lab.models import (
    EARLIEST_DAY,
    EARLIEST_MOMENT,
    LATEST_DAY,
    LATEST_MOMENT,
    MAX_CAPACITY,
    Attendance,
    Registration,
    Workshop,
    WorkshopFile,
)
from kenlabour.network.enums import LinkSourceKind
from kenlabour.network.services import record_cooperation

# --- workshops, registration, attendance, series, methods, calendars (workshops helper)

# The code participants type to sign in: no letters that read alike (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
# Participants may sign in with the code from this long before the start to this long
# after the end.
CODE_OPENS_BEFORE = datetime.timedelta(hours=1)
CODE_CLOSES_AFTER = datetime.timedelta(hours=2)
# Reminders go to confirmed participants of the workshops starting within this delay.
REMINDER_HORIZON = datetime.timedelta(hours=48)

WORKSHOP_FIELDS = (
    "lab",
    "title",
    "purpose",
    "starts_at",
    "ends_at",
    "commune",
    "address",
    "online_url",
    "method",
    "experiment",
    "series",
    "capacity",
    "registration_mode",
    "registration_closed",
    "published",
    "synthesis",
)


def out_of_bounds_message() -> str:
    return _("Indiquez une date entre %(first)s et %(last)s.") % {
        "first": EARLIEST_DAY.year,
        "last": LATEST_DAY.year,
    }


def _check_day(day, field: str = "date") -> None:
    if day is not None and not (EARLIEST_DAY <= day <= LATEST_DAY):
        raise ValidationError({field: out_of_bounds_message()})


def workshop_problems(fields: dict) -> dict[str, str]:
    """The invariants of a workshop, with the message each breach gets (by field)."""
    problems = {}
    starts_at, ends_at = fields.get("starts_at"), fields.get("ends_at")
    for name in ("starts_at", "ends_at"):
        moment = fields.get(name)
        if moment is not None and not (EARLIEST_MOMENT <= moment < LATEST_MOMENT):
            problems[name] = out_of_bounds_message()
    if starts_at and ends_at and ends_at <= starts_at and "ends_at" not in problems:
        problems["ends_at"] = _("La fin de l'atelier doit être après son début.")
    capacity = fields.get("capacity")
    if capacity is not None and capacity < 1:
        problems["capacity"] = _("Un atelier a au moins une place : indiquez 1 ou plus.")
    elif capacity is not None and capacity > MAX_CAPACITY:
        problems["capacity"] = _("Indiquez au plus %(limit)s places.") % {"limit": MAX_CAPACITY}
    if not fields.get("commune") and not fields.get("online_url"):
        problems["commune"] = _(
            "Indiquez où a lieu l'atelier : une commune, un lien de visioconférence, ou les deux."
        )
    return problems


def _check_workshop(fields: dict) -> None:
    problems = workshop_problems(fields)
    if problems:
        raise ValidationError(problems)


def _unique_workshop_slug(title: str, starts_at: datetime.datetime) -> str:
    day = timezone.localtime(starts_at).date().isoformat()
    base = slugify(f"{title}-{day}")[:200] or f"atelier-{day}"
    slug, n = base, 2
    while Workshop.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _new_attendance_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not Workshop.objects.filter(attendance_code=code).exists():
            return code


@transaction.atomic
def create_workshop(user, *, fields: dict, themes=(), facilitators=()) -> Workshop:
    if not can(user, "lab.create_workshop", fields.get("lab")):
        raise PermissionDenied(_("Seuls les animateurs du laboratoire créent ses ateliers."))
    _check_workshop(fields)
    workshop = Workshop(**{name: fields[name] for name in WORKSHOP_FIELDS if name in fields})
    workshop.slug = _unique_workshop_slug(workshop.title, workshop.starts_at)
    workshop.attendance_code = _new_attendance_code()
    workshop.save()
    workshop.themes.set(themes)
    workshop.facilitators.set({*facilitators, user})
    return workshop


def _confirmed_count(workshop: Workshop) -> int:
    return workshop.registrations.filter(status=RegistrationStatus.CONFIRMED).count()


def _promote_waiting(workshop: Workshop, site_url: str) -> list[Registration]:
    """Give the free seats to the first in line, in order; tell each of them."""
    free = workshop.capacity - _confirmed_count(workshop)
    if free <= 0:
        return []
    promoted = list(
        workshop.registrations.filter(status=RegistrationStatus.WAITING).order_by(
            "created_at", "pk"
        )[:free]
    )
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.save(update_fields=["status", "updated_at"])
        notifications.registration_changed(registration, "promoted", site_url)
    return promoted


@transaction.atomic
def update_workshop(
    user, workshop: Workshop, *, fields: dict, themes=None, facilitators=None, site_url: str
) -> Workshop:
    """Change a workshop (themes and facilitators when given). Raising the capacity gives
    the new seats to the waiting list, in order."""
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if not can(user, "lab.edit_workshop", workshop):
        raise PermissionDenied(_("Seuls les animateurs de cet atelier le modifient."))
    if "lab" in fields and not can(user, "lab.create_workshop", fields["lab"]):
        raise PermissionDenied(_("Vous n'animez pas ce laboratoire."))
    if workshop.cancelled_at is not None and any(
        fields.get(name, getattr(workshop, name)) != getattr(workshop, name)
        for name in ("starts_at", "ends_at", "commune", "address", "online_url")
    ):
        raise ValidationError(
            _("Cet atelier est annulé : sa date et son lieu ne changent plus. Créez-en un autre.")
        )
    _check_workshop({**{name: getattr(workshop, name) for name in WORKSHOP_FIELDS}, **fields})
    confirmed = _confirmed_count(workshop)
    if fields.get("capacity", workshop.capacity) < confirmed:
        raise ValidationError(
            {
                "capacity": _(
                    "%(count)d personnes ont déjà une place confirmée : la capacité ne peut "
                    "pas descendre en dessous."
                )
                % {"count": confirmed}
            }
        )
    before = notifications.when_and_place(workshop)
    for name in WORKSHOP_FIELDS:
        if name in fields:
            setattr(workshop, name, fields[name])
    workshop.save()
    if themes is not None:
        workshop.themes.set(themes)
    if facilitators is not None:
        workshop.facilitators.set(facilitators)
    _promote_waiting(workshop, site_url)
    # Everyone registered hears of a new date or place (the e-mail says what changed).
    if workshop.ends_at > timezone.now() and before != notifications.when_and_place(workshop):
        notifications.workshop_changed(workshop, before, site_url)
    return workshop


@transaction.atomic
def cancel_workshop(user, workshop: Workshop, *, reason: str = "", site_url: str) -> Workshop:
    """Cancel a workshop that has not taken place: registration closes, the workshop stays
    visible as cancelled, and everyone registered (or waiting) is told by e-mail."""
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if not can(user, "lab.edit_workshop", workshop):
        raise PermissionDenied(_("Seuls les animateurs de cet atelier l'annulent."))
    if workshop.cancelled_at is not None:
        raise ValidationError(_("Cet atelier est déjà annulé : rien n'a changé."))
    if workshop.ends_at <= timezone.now():
        raise ValidationError(_("Cet atelier a déjà eu lieu : il ne s'annule plus."))
    if workshop.attendances.exists():
        raise ValidationError(
            _("Des présences sont notées à cet atelier : retirez-les avant de l'annuler.")
        )
    workshop.cancelled_at = timezone.now()
    workshop.cancellation_reason = reason.strip()[:2000]
    workshop.registration_closed = True
    workshop.save(update_fields=["cancelled_at", "cancellation_reason", "registration_closed"])
    notifications.workshop_cancelled(workshop, site_url)
    return workshop


def registration_closed_reason(workshop: Workshop, now: datetime.datetime) -> str:
    """Why nobody can register now, or "" when they can."""
    if workshop.cancelled_at is not None:
        return _("Cet atelier est annulé.")
    if workshop.starts_at <= now:
        return _("L'atelier a déjà commencé : les inscriptions sont closes.")
    if workshop.registration_closed:
        return _("Les inscriptions à cet atelier sont closes.")
    return ""


@transaction.atomic
def register(
    user, workshop: Workshop, *, name: str, email: str, site_url: str, invited: bool = False
) -> Registration:
    """Ask for a seat: confirmed while seats remain, else on the waiting list.

    `user` registers themself, or — `invited` — a facilitator registers someone (the only
    way into an invitation-only workshop). The workshop row is locked, so two requests for
    the last seat are served one after the other."""
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if invited:
        if not can(user, "lab.edit_workshop", workshop):
            raise PermissionDenied(_("Seuls les animateurs de cet atelier y inscrivent."))
    elif workshop.registration_mode == RegistrationMode.INVITATION:
        raise ValidationError(
            _("Cet atelier est sur invitation : demandez à ses animateurs de vous inscrire.")
        )
    reason = registration_closed_reason(workshop, timezone.now())
    if reason:
        raise ValidationError(reason, code="closed")
    email = email.strip().lower()
    name = name.strip()
    registered_user = None if invited else (user if user.is_authenticated else None)
    existing = Registration.objects.filter(workshop=workshop, email=email).first()
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        if existing.status == RegistrationStatus.CONFIRMED:
            message = _("%(email)s a déjà une place à cet atelier : rien n'a changé.")
        else:
            message = _(
                "%(email)s est déjà sur la liste d'attente de cet atelier : rien n'a changé."
            )
        raise ValidationError(message % {"email": email}, code="twice")
    full = _confirmed_count(workshop) >= workshop.capacity
    status = RegistrationStatus.WAITING if full else RegistrationStatus.CONFIRMED
    registration = existing or Registration(workshop=workshop, email=email)
    registration.name = name
    registration.user = registered_user or registration.user
    registration.status = status
    # A new ask goes to the back of the line, even after a cancellation.
    registration.token = secrets.token_urlsafe(24)
    registration.created_at = timezone.now()
    registration.reminder_sent_at = None
    registration.save()
    notifications.registration_changed(registration, status, site_url)
    return registration


@transaction.atomic
def cancel_registration(token: str, *, site_url: str) -> tuple[Registration, list[Registration]]:
    """Cancel with the registration's secret link; a freed seat goes to the next in line.
    Returns the cancelled registration and whoever was promoted."""
    found = Registration.objects.filter(token=token).values_list("workshop_id", flat=True).first()
    if found is None:
        raise Registration.DoesNotExist
    workshop = Workshop.objects.select_for_update().get(pk=found)
    registration = Registration.objects.get(token=token)
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError(_("Cette inscription est déjà annulée : rien n'a changé."))
    if workshop.starts_at <= timezone.now():
        raise ValidationError(_("L'atelier a déjà commencé : l'inscription ne s'annule plus."))
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    notifications.registration_changed(registration, "cancelled", site_url)
    return registration, _promote_waiting(workshop, site_url)


def send_due_reminders(*, now: datetime.datetime, site_url: str) -> int:
    """Enqueue a reminder to each confirmed participant of the workshops starting within
    48 hours, once: the registration records it. Returns how many were enqueued."""
    due = Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
        workshop__starts_at__gt=now,
        workshop__starts_at__lte=now + REMINDER_HORIZON,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            # Only the process that marks it sends it, however many run at once.
            if Registration.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                notifications.registration_changed(Registration(pk=pk), "reminder", site_url)
                sent += 1
    return sent


# Attendance


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
    workshop = Workshop.objects.select_for_update().get(pk=registration.workshop_id)
    if not can(user, "lab.take_attendance", workshop):
        raise PermissionDenied(_("Seuls les animateurs de cet atelier notent les présences."))
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
    workshop = Workshop.objects.select_for_update().get(pk=attendance.workshop_id)
    if not can(user, "lab.take_attendance", workshop):
        raise PermissionDenied(_("Seuls les animateurs de cet atelier notent les présences."))
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
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if not can(user, "lab.take_attendance", workshop):
        raise PermissionDenied(_("Seuls les animateurs de cet atelier notent les présences."))
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


# Outputs


@transaction.atomic
def attach_file(user, workshop: Workshop, *, title: str, upload) -> WorkshopFile:
    """Publish a file with the workshop, once its content is known to be a document or an
    image (its name proves nothing)."""
    if not can(user, "lab.edit_workshop", workshop):
        raise PermissionDenied(_("Seuls les animateurs de cet atelier publient ses fichiers."))
    if upload.size > filetypes.MAX_SIZE:
        raise ValidationError(
            {
                "file": _("Ce fichier pèse plus de %(size)d Mo : réduisez-le.")
                % {"size": filetypes.MAX_SIZE // (1024 * 1024)}
            }
        )
    head = upload.read(filetypes.HEAD_SIZE)
    upload.seek(0)
    if filetypes.is_executable(head):
        raise ValidationError({"file": _("Ce fichier est un programme : il est refusé.")})
    kind = filetypes.sniff(upload)
    if kind is None:
        raise ValidationError(
            {
                "file": _(
                    "Ce fichier n'est pas d'un format accepté (PDF, image PNG, JPEG, GIF ou "
                    "WebP, document OpenDocument ou Office)."
                )
            }
        )
    title = title.strip()
    stored = WorkshopFile(workshop=workshop, title=title)
    name = f"{slugify(title)[:80] or 'fichier'}.{kind.extension}"
    stored.file.save(name, File(upload), save=False)
    stored.save()
    return stored


# --- experiments and interconnections (experiments helper) ----------------------------

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
    from kenlabour.lab.models import Experiment

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
    from kenlabour.lab.enums import Phase
    from kenlabour.lab.models import Experiment, PhaseChange

    _check_day(fields.get("started_on"), "started_on")
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
    from kenlabour.lab import phases
    from kenlabour.lab.enums import Phase
    from kenlabour.lab.models import Experiment, PhaseChange

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
    _check_day(date)
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


@transaction.atomic
def add_measurement(user, indicator, *, date: datetime.date, value):
    """A dated value of an indicator. Refused on a stopped experiment, before the
    experiment started, in the future, or twice on the same day."""
    from kenlabour.lab.enums import Phase
    from kenlabour.lab.models import Measurement

    experiment = indicator.experiment
    if not can(user, "lab.edit_experiment", experiment):
        raise PermissionDenied(_("Seuls les animateurs du laboratoire ajoutent des mesures."))
    if experiment.phase == Phase.STOPPED:
        raise ValidationError(
            _("Cette expérimentation est arrêtée : on n'y ajoute plus de mesures.")
        )
    _check_day(date)
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


def _partners_of(*experiments) -> set[int]:
    ids: set[int] = set()
    for experiment in experiments:
        ids.update(experiment.partners.values_list("pk", flat=True))
        ids.update(experiment.partner_directorates.values_list("organisation_id", flat=True))
    return ids


@transaction.atomic
def decide_interconnection(user, experiment, other, *, accept: bool, reasons: str = ""):
    """A facilitator of `experiment`'s lab accepts or dismisses the suggested link to
    `other`. Accepted, the link shows on both pages and the partners of both experiments
    enter the acquaintance graph. A decided link is not decided again."""
    from kenlabour.lab.enums import LinkStatus
    from kenlabour.lab.models import Interconnection

    if not can(user, "lab.decide_interconnection", experiment):
        raise PermissionDenied(
            _("Seuls les animateurs du laboratoire acceptent ou écartent ces liens.")
        )
    if experiment.pk == other.pk:
        raise ValidationError(_("Une expérimentation ne peut pas être liée à elle-même."))
    a, b = sorted((experiment, other), key=lambda e: e.pk)
    link, _created = Interconnection.objects.select_for_update().get_or_create(
        experiment_a=a, experiment_b=b
    )
    if link.status != LinkStatus.SUGGESTED:
        raise ValidationError(
            _("Ce lien a déjà été %(status)s.") % {"status": link.get_status_display().lower()}
        )
    link.status = LinkStatus.ACCEPTED if accept else LinkStatus.DISMISSED
    if not reasons:
        from kenlabour.lab.selectors import pair_reason

        reasons = pair_reason(experiment, other)
    link.reasons = reasons[:2000]
    link.decided_by = user
    link.decided_at = timezone.now()
    link.save()
    if accept:
        record_cooperation(
            _partners_of(a, b),
            kind=LinkSourceKind.EXPERIMENT,
            reference=f"interconnexion-{a.pk}-{b.pk}",
            date=timezone.localdate(),
            label=f"{a.title} ↔ {b.title}",
        )
    return link


# Follow-up of an experiment: hypotheses, indicators, results, recommendations.


def _editable_experiment(user, experiment, refusal: str, stopped_refusal: str = ""):
    """The experiment, locked and read afresh, once the user may change it. With
    `stopped_refusal`, a stopped experiment refuses the change with that message."""
    from kenlabour.lab.enums import Phase
    from kenlabour.lab.models import Experiment

    if not can(user, "lab.edit_experiment", experiment):
        raise PermissionDenied(refusal)
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if stopped_refusal and experiment.phase == Phase.STOPPED:
        raise ValidationError(stopped_refusal)
    return experiment


def _check_date(experiment, date: datetime.date) -> None:
    _check_day(date)
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
    from kenlabour.lab.models import Hypothesis

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
    from kenlabour.lab.enums import HypothesisStatus
    from kenlabour.lab.models import Hypothesis

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
    from kenlabour.lab.models import Indicator

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
def add_result(user, experiment, *, text: str, date: datetime.date):
    """A dated finding of the experiment: neither before it started nor in the future."""
    from kenlabour.lab.models import Result

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
    from kenlabour.lab.models import Recommendation
    from kenlabour.network.enums import ActorKind, ModerationStatus

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
    from kenlabour.lab.enums import FollowUp
    from kenlabour.lab.models import Recommendation

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

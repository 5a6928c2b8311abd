"""Workshops and registration: create, change and cancel a workshop; register, cancel a
registration, the waiting list moving up; the reminders. One function per use case, in
a transaction, permission checked here. A refusal the user can act upon is a
ValidationError with a French message (by field when there is one); a missing right is
PermissionDenied."""

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kenlabour.accounts.perms import can
from kenlabour.lab import notifications
from kenlabour.lab.enums import RegistrationMode, RegistrationStatus
from kenlabour.lab.models import (
    EARLIEST_MOMENT,
    LATEST_MOMENT,
    MAX_CAPACITY,
    Registration,
    Workshop,
)
from kenlabour.lab.selectors.workshops import registration_closed_reason
from kenlabour.lab.services.dates import out_of_bounds_message

# The code participants type to sign in: no letters that read alike (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
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

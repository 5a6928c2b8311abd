"""Workshops: which ones a user sees, the lists, a workshop's page (with whether
registration is open), the waiting list, a registration by its secret link, and the
methods with their upcoming workshops."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from kenlabour.accounts.perms import can
from kenlabour.lab.enums import RegistrationStatus
from kenlabour.lab.models import Lab, Method, Registration, Theme, Workshop
from kenlabour.territories.models import Commune
from kenlabour.territories.selectors import communes_within
from kenlabour.web.search import with_keywords

WORKSHOPS_PAGE_SIZE = 20


def visible_workshops(user):
    workshops = Workshop.objects.all()
    if not can(user, "lab.see_unpublished_workshops"):
        workshops = workshops.filter(published=True)
    return workshops


class WorkshopFormat:
    """Where a workshop is held, as the list filters it: a workshop with a commune is on
    site, one with a video link online; a workshop with both counts as each."""

    ON_SITE = "sur_place"
    ONLINE = "en_ligne"


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def workshop_list(
    user,
    *,
    past: bool = False,
    lab: Lab | None = None,
    theme: Theme | None = None,
    near: tuple[Commune, int] | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    held: str = "",
    text: str = "",
):
    """Upcoming (soonest first, ongoing included) or past (latest first) workshops, with
    their confirmed seats counted in the same query; `near` (a commune, a radius in km) keeps
    those held within that distance; `since` and `until` (days, both included) those held
    between them; `held` (a WorkshopFormat) those on site or online; `text` those whose
    title, purpose, lab, commune or method hold every word, accents and case ignored."""
    now = timezone.now()
    workshops = visible_workshops(user)
    if lab is not None:
        workshops = workshops.filter(lab=lab)
    if theme is not None:
        workshops = workshops.filter(themes=theme)
    if near is not None:
        commune, radius_km = near
        around = communes_within(commune, radius_km, include_self=True)
        workshops = workshops.filter(commune__in=[other.code for other in around])
    if since is not None:
        workshops = workshops.filter(ends_at__gte=_day_start(since))
    if until is not None:
        workshops = workshops.filter(starts_at__lt=_day_start(until + datetime.timedelta(days=1)))
    if held == WorkshopFormat.ON_SITE:
        workshops = workshops.filter(commune__isnull=False)
    elif held == WorkshopFormat.ONLINE:
        workshops = workshops.exclude(online_url="")
    workshops = workshops.filter(ends_at__lt=now) if past else workshops.filter(ends_at__gte=now)
    workshops = with_keywords(
        workshops, ("title", "purpose", "lab__name", "commune__name", "method__name"), text
    )
    workshops = (
        workshops.select_related("lab", "commune", "method")
        .prefetch_related("themes")
        .annotate(
            confirmed=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
            )
        )
    )
    if past:
        return workshops.order_by("-starts_at", "pk")
    return workshops.order_by("starts_at", "pk")


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


def registration_closed_reason(workshop: Workshop, now: datetime.datetime) -> str:
    """Why nobody can register now, or "" when they can."""
    if workshop.cancelled_at is not None:
        return gettext("Cet atelier est annulé.")
    if workshop.starts_at <= now:
        return gettext("L'atelier a déjà commencé : les inscriptions sont closes.")
    if workshop.registration_closed:
        return gettext("Les inscriptions à cet atelier sont closes.")
    return ""


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
    workshop = (
        visible_workshops(user)
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


def methods():
    return Method.objects.annotate(workshop_count=Count("workshops")).order_by("name")


def method_page(user, slug: str) -> tuple[Method, list[Workshop]]:
    """A method and the upcoming workshops that use it."""
    method = Method.objects.get(slug=slug)
    upcoming = list(workshop_list(user).filter(method=method).select_related("lab", "commune")[:10])
    return method, upcoming

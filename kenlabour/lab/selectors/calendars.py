"""The iCalendar files: one workshop's, and the feed of a lab's workshops."""

import datetime

from django.utils import timezone

from kenlabour.lab import ical as icalendar_files
from kenlabour.lab.models import Lab, Workshop
from kenlabour.lab.selectors.workshops import visible_workshops

# The lab's calendar feed holds the workshops from this long ago onwards.
CALENDAR_PAST = datetime.timedelta(days=365)


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
    workshop = visible_workshops(user).select_related("commune").get(slug=slug)
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

"""Reading the audit log: the events a platform admin filters, a page at a time."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from kenlabour.audit.models import AuditEvent

PAGE_SIZE = 50


def events(
    *,
    action: str = "",
    person: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """The events, newest first, with their people read in the same query. `person` is
    part of an e-mail address or a display name, matched as author or as the person
    concerned; `since` and `until` are days, both included (Europe/Paris)."""
    rows = AuditEvent.objects.select_related("actor", "subject")
    if action:
        rows = rows.filter(action=action)
    if person:
        rows = rows.filter(
            Q(actor__email__icontains=person)
            | Q(actor__display_name__icontains=person)
            | Q(subject__email__icontains=person)
            | Q(subject__display_name__icontains=person)
        )
    zone = timezone.get_current_timezone()
    if since:
        rows = rows.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until:
        next_day = until + timedelta(days=1)
        rows = rows.filter(created_at__lt=datetime.combine(next_day, time.min, tzinfo=zone))
    return rows.order_by("-created_at", "-pk")

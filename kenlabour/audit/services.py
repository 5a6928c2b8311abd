"""Writing the audit log. `record` is called by the service doing a sensitive action,
inside that action's transaction: the action and its record are committed together or not
at all."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kenlabour.audit.enums import AuditAction
from kenlabour.audit.models import AuditEvent


def record(
    action: AuditAction,
    *,
    actor=None,
    subject=None,
    target=None,
    summary: str = "",
    device: str = "",
) -> AuditEvent:
    """Add one event. `actor` did it, `subject` is the person it concerns, `target` the
    object acted on (any model instance)."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        subject=subject,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        summary=summary[:300],
        device=device,
    )


def device_key(user_agent: str, address: str) -> str:
    """A keyed hash of a browser and its network address: the same device gives the same
    key, and neither can be read back from it."""
    data = f"{settings.SECRET_KEY}\n{user_agent}\n{address}".encode()
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def record_login(user, *, user_agent: str, address: str) -> AuditEvent | None:
    """A login from a device the person never logged in from (within the retention period)
    is recorded; a known device is not."""
    key = device_key(user_agent, address)
    if AuditEvent.objects.filter(
        action=AuditAction.LOGIN_NEW_DEVICE, subject=user, device=key
    ).exists():
        return None
    return record(
        AuditAction.LOGIN_NEW_DEVICE,
        actor=user,
        subject=user,
        summary=user_agent[:200],
        device=key,
    )


@transaction.atomic
def purge(now=None) -> int:
    """Delete the events older than AUDIT_RETENTION_DAYS; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted, _per_model = AuditEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted

"""Demo data of the audit log: the roles the administrator gave the demo accounts, the
directory's moderation and imports, consents and downloads, logins from new devices, spread
over the last months (enough for more than one page of the log)."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from kenlabour.accounts.models import RoleAssignment, User
from kenlabour.audit.enums import AuditAction
from kenlabour.audit.models import AuditEvent
from kenlabour.audit.services import device_key

ADMIN_EMAIL = "admin@kenlabour.example"
FACILITATOR_EMAIL = "animatrice@kenlabour.example"
DEVICES = [
    "Mozilla/5.0 (Android 14; Mobile) Firefox/140.0",
    "Mozilla/5.0 (X11; Linux x86_64) Chromium/140.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/605.1",
]


@transaction.atomic
def build(log) -> None:
    if AuditEvent.objects.filter(action=AuditAction.ROLE_GRANTED).exists():
        log("Journal d'audit : déjà construit")
        return
    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    facilitator = User.objects.filter(email=FACILITATOR_EMAIL).first()
    people = list(User.objects.filter(email__endswith="@kenlabour.example").order_by("pk"))
    if admin is None or not people:
        log("Journal d'audit : comptes de démonstration absents, rien à faire")
        return
    rng = random.Random(12)  # noqa: S311 - demo data, not a secret
    now = timezone.now()
    events = []

    def add(days_ago, action, actor, subject=None, summary="", device=""):
        events.append(
            AuditEvent(
                action=action,
                actor=actor,
                subject=subject,
                summary=summary,
                device=device,
                created_at=now - datetime.timedelta(days=days_ago, minutes=rng.randrange(600)),
            )
        )

    roles = RoleAssignment.objects.filter(user__in=people).select_related("user")
    for assignment in roles:
        add(
            rng.randrange(60, 120),
            AuditAction.ROLE_GRANTED,
            admin,
            assignment.user,
            str(assignment.get_role_display()),
        )
    for person in people:
        for device in rng.sample(DEVICES, rng.randrange(1, 4)):
            add(
                rng.randrange(1, 90),
                AuditAction.LOGIN_NEW_DEVICE,
                person,
                person,
                device,
                device_key(device, f"192.0.2.{rng.randrange(1, 250)}"),
            )
    moderator = facilitator or admin
    for n in range(12):
        add(rng.randrange(1, 60), AuditAction.ACTOR_PUBLISHED, moderator, summary=f"Collectif {n}")
    add(20, AuditAction.ACTOR_REJECTED, moderator, summary="Doublon d'un acteur déjà inscrit")
    add(30, AuditAction.ACTORS_IMPORTED, moderator, summary="48 acteurs importés")
    for person in people[:4]:
        add(rng.randrange(1, 30), AuditAction.PERSONAL_DATA_EXPORTED, person, person, "JSON")
    add(5, AuditAction.ROLE_REVOKED, admin, people[-1], "Financeur")
    AuditEvent.objects.bulk_create(events)
    log(f"Journal d'audit : {len(events)} événements")

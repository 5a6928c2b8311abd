"""The lab's e-mails: what each says and to whom. Services call these functions; the
sending itself runs in the background (tasks.py), from the records as they are then.

Every e-mail has a plain-text part, rendered without HTML escaping (a title « l'atelier »
reads as typed, never « l&#x27;atelier »), and an HTML part."""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format

from kenlabour.web.emails import render

# What an e-mail about a registration says: its templates' kind.
REGISTRATION_KINDS = {"confirmed", "waiting", "promoted", "cancelled", "reminder"}
# What an e-mail about a workshop says to everyone registered.
WORKSHOP_KINDS = {"changed", "cancelled"}


def _send(template: str, context: dict, to: str) -> None:
    """Render `template`'s subject, text and HTML parts in the platform's language, and
    send them to one address."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {**context, "platform_name": settings.PLATFORM_NAME}
        email = render(template, context, [to])
    email.message().send()


# Registration: confirmed, on the waiting list, promoted, cancelled, reminded.


def registration_changed(registration, kind: str, site_url: str) -> None:
    """Tell the person registered what became of their registration."""
    from kenlabour.lab.tasks import send_registration_email

    send_registration_email.enqueue(registration.pk, kind, site_url)


def deliver_registration_email(registration_id: int, kind: str, site_url: str) -> None:
    from kenlabour.lab.models import Registration

    if kind not in REGISTRATION_KINDS:
        raise ValueError(f"Unknown registration e-mail: {kind}")
    registration = (
        Registration.objects.select_related("workshop__lab", "workshop__commune")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return
    context = {
        "registration": registration,
        "workshop": registration.workshop,
        "kind": kind,
        "site_url": site_url.rstrip("/"),
    }
    _send("lab/emails/registration", context, registration.email)


# A workshop changes date or place, or is cancelled: everyone registered is told.


def _when(workshop) -> str:
    starts_at = timezone.localtime(workshop.starts_at)
    ends_at = timezone.localtime(workshop.ends_at)
    if starts_at.date() == ends_at.date():
        return f"{date_format(starts_at, 'l j F Y, H:i')} – {date_format(ends_at, 'H:i')}"
    return f"{date_format(starts_at, 'l j F Y, H:i')} – {date_format(ends_at, 'l j F Y, H:i')}"


def _place(workshop) -> str:
    parts = []
    if workshop.commune_id:
        parts.append(", ".join(p for p in (workshop.address, workshop.commune.name) if p))
    if workshop.online_url:
        parts.append(workshop.online_url)
    return " / ".join(parts)


def when_and_place(workshop) -> dict[str, str]:
    """A workshop's date and place in words, to tell what changed (Paris time, French)."""
    with translation.override(settings.LANGUAGE_CODE), timezone.override("Europe/Paris"):
        return {"when": _when(workshop), "place": _place(workshop)}


def workshop_changed(workshop, before: dict[str, str], site_url: str) -> None:
    """The date or place of `workshop` changed from `before` (when_and_place)."""
    from kenlabour.lab.tasks import send_workshop_email

    send_workshop_email.enqueue(workshop.pk, "changed", before, site_url)


def workshop_cancelled(workshop, site_url: str) -> None:
    from kenlabour.lab.tasks import send_workshop_email

    send_workshop_email.enqueue(workshop.pk, "cancelled", {}, site_url)


def deliver_workshop_email(workshop_id: int, kind: str, before: dict, site_url: str) -> int:
    """One e-mail to each person with a confirmed place or on the waiting list. Returns
    how many were sent."""
    from kenlabour.lab.enums import RegistrationStatus
    from kenlabour.lab.models import Workshop

    if kind not in WORKSHOP_KINDS:
        raise ValueError(f"Unknown workshop e-mail: {kind}")
    workshop = Workshop.objects.select_related("lab", "commune").filter(pk=workshop_id).first()
    if workshop is None:
        return 0
    now = when_and_place(workshop)
    changes = [
        {"what": what, "before": before.get(what, ""), "after": now[what]}
        for what in ("when", "place")
        if what in before and before[what] != now[what]
    ]
    if kind == "changed" and not changes:
        return 0
    sent = 0
    for registration in workshop.registrations.exclude(
        status=RegistrationStatus.CANCELLED
    ).order_by("pk"):
        context = {
            "registration": registration,
            "workshop": workshop,
            "kind": kind,
            "changes": changes,
            "site_url": site_url.rstrip("/"),
        }
        _send("lab/emails/workshop", context, registration.email)
        sent += 1
    return sent

"""Reads for account pages."""

import hashlib

from kenlabour.accounts.models import RoleAssignment, User


def roles_for_display(user: User) -> list[RoleAssignment]:
    """The user's roles with what they apply to, in one query plus one per scope type."""
    return list(
        RoleAssignment.objects.filter(user=user)
        .select_related("scope_type")
        .prefetch_related("scope")
        .order_by("role", "scope_type_id", "scope_id")
    )


def session_reference(request) -> str:
    """Which sign-in session a request belongs to, as recorded beside a money action: a
    digest of the session key (the key itself signs a person in: it is never stored)."""
    key = getattr(getattr(request, "session", None), "session_key", None) or ""
    if not key:
        return ""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def totp_device(user: User):
    """The person's confirmed authentication application, or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_second_factor(user: User) -> bool:
    """Whether the person has an authentication application or a security key."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_otp_webauthn.models import WebAuthnCredential

    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def has_security_key(user: User) -> bool:
    from django_otp_webauthn.models import WebAuthnCredential

    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def has_totp(user: User) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def security_keys(user: User) -> list:
    """The person's security keys and passkeys, the oldest first."""
    from django_otp_webauthn.models import WebAuthnCredential

    return list(
        WebAuthnCredential.objects.filter(user=user, confirmed=True)
        .only("pk", "name", "created_at", "last_used_at", "user_id")
        .order_by("created_at", "pk")
    )


def recovery_codes_left(user: User) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def open_sessions(user: User, current_key: str | None) -> list[dict]:
    """The person's sessions still open (not expired nor closed), newest first, each with
    whether it is the one reading the page."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from kenlabour.accounts.models import SignInSession

    alive = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    rows = SignInSession.objects.filter(user=user, session_key__in=alive).order_by("-created_at")
    return [
        {"session": row, "current": row.session_key == current_key, "browser": browser_of(row)}
        for row in rows[:50]
    ]


def browser_of(row) -> str:
    """A short name for the browser and system a session was opened from."""
    from kenlabour.accounts.useragents import describe

    return describe(row.user_agent)

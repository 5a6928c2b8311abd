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

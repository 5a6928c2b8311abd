"""Reads for account pages."""

from kenlabour.accounts.models import RoleAssignment, User


def roles_for_display(user: User) -> list[RoleAssignment]:
    """The user's roles with what they apply to, in one query plus one per scope type."""
    return list(
        RoleAssignment.objects.filter(user=user)
        .select_related("scope_type")
        .prefetch_related("scope")
        .order_by("role", "scope_type_id", "scope_id")
    )

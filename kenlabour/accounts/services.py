"""Changes of state for accounts: one function per use case, permission checked here."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment, User
from kenlabour.accounts.perms import can, forget_roles
from kenlabour.audit import services as audit
from kenlabour.audit.enums import AuditAction


def _role_summary(role: Role, scope) -> str:
    label = str(Role(role).label)
    return f"{label} — {scope}" if scope is not None else label


@transaction.atomic
def assign_role(actor: User, user: User, role: Role, scope=None) -> RoleAssignment:
    """Give `user` the `role`, platform-wide or on `scope`. Only platform admins may."""
    if not can(actor, "accounts.assign_role"):
        raise PermissionDenied("Seuls les administrateurs de la plateforme attribuent des rôles.")
    scope_type = ContentType.objects.get_for_model(scope) if scope is not None else None
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        scope_type=scope_type,
        scope_id=scope.pk if scope is not None else None,
    )
    forget_roles(user)
    if _created:
        audit.record(
            AuditAction.ROLE_GRANTED,
            actor=actor,
            subject=user,
            target=scope,
            summary=_role_summary(role, scope),
        )
    return assignment


@transaction.atomic
def revoke_role(actor: User, user: User, role: Role, scope=None) -> int:
    if not can(actor, "accounts.assign_role"):
        raise PermissionDenied("Seuls les administrateurs de la plateforme retirent des rôles.")
    assignments = RoleAssignment.objects.filter(user=user, role=role)
    if scope is None:
        assignments = assignments.filter(scope_type__isnull=True)
    else:
        assignments = assignments.filter(
            scope_type=ContentType.objects.get_for_model(scope), scope_id=scope.pk
        )
    deleted, _ = assignments.delete()
    forget_roles(user)
    if deleted:
        audit.record(
            AuditAction.ROLE_REVOKED,
            actor=actor,
            subject=user,
            target=scope,
            summary=_role_summary(role, scope),
        )
    return deleted


@transaction.atomic
def update_profile(actor: User, user: User, *, display_name: str) -> User:
    if not can(actor, "accounts.edit_profile", user):
        raise PermissionDenied("Vous ne pouvez modifier que votre propre profil.")
    user.display_name = display_name.strip()
    user.save(update_fields=["display_name"])
    return user

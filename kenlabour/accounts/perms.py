"""Who may do what, as small predicates (django-rules) that services and templates ask.

Ask with `can(user, "app.action", obj)`; in templates with `{% has_perm "app.action" user obj %}`
after `{% load rules %}`. Later apps declare their own rules in their perms.py with the
predicates below.
"""

import rules
from django.contrib.contenttypes.models import ContentType

from kenlabour.accounts.enums import Role

_CACHE_ATTR = "_kenlabour_roles"


def roles_of(user) -> set[tuple[str, int | None, int | None]]:
    """The (role, scope type id, scope id) triples a user holds, read once per user object."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = set(user.role_assignments.values_list("role", "scope_type_id", "scope_id"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user) -> None:
    """Drop the cached roles after a change, so the next question reads them again."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def holds(user, role: Role, obj=None) -> bool:
    """Whether the user holds `role` platform-wide (obj None) or on `obj`."""
    triples = roles_of(user)
    if obj is None:
        return any(r == role and scope is None for r, _type, scope in triples)
    scope_type = ContentType.objects.get_for_model(obj, for_concrete_model=True).pk
    return (role.value, scope_type, obj.pk) in triples


def holds_anywhere(user, role: Role) -> bool:
    """Whether the user holds `role` on at least one object or platform-wide."""
    return any(r == role for r, _type, _scope in roles_of(user))


@rules.predicate
def is_platform_admin(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or holds(user, Role.PLATFORM_ADMIN)


def holds_role_on_object(role: Role):
    """A predicate true when the user holds `role` on the object asked about."""

    @rules.predicate(name=f"holds_{role.value}_on_object")
    def predicate(user, obj) -> bool:
        return obj is not None and holds(user, role, obj)

    return predicate


@rules.predicate
def is_self(user, other) -> bool:
    return other is not None and getattr(user, "pk", None) == other.pk


def can(user, action: str, obj=None) -> bool:
    """The one question services and views ask: may `user` do `action` on `obj`?"""
    return user.has_perm(action, obj)


def strictly(user, action: str, obj=None) -> bool:
    """The rule itself, for the actions no account is above, not even a superuser
    (Django's `has_perm` answers yes to a superuser for everything): reviewing and paying
    a claim, answering for an actor, reading the messages people exchange."""
    return rules.has_perm(action, user, obj)


rules.add_perm("accounts.assign_role", is_platform_admin)
rules.add_perm("accounts.edit_profile", is_self | is_platform_admin)


# Roles that move money or administer the platform: their holders pass a second factor
# (an authentication application or a recovery code) after their password.
SECOND_FACTOR_ROLES = (Role.RELAY_TREASURER, Role.FUNDER, Role.PLATFORM_ADMIN)


@rules.predicate
def needs_second_factor(user) -> bool:
    """Whether the user must enrol and use a second factor: platform admins (and
    superusers), relay treasurers and funders, wherever their role applies."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or any(holds_anywhere(user, r) for r in SECOND_FACTOR_ROLES)


rules.add_perm("accounts.skip_second_factor", ~needs_second_factor)

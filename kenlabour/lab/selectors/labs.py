"""The labs and themes, and who facilitates which lab."""

from django.contrib.contenttypes.models import ContentType

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import User
from kenlabour.accounts.perms import holds, is_platform_admin
from kenlabour.lab.models import Lab, Theme


def labs():
    return Lab.objects.order_by("name")


def themes():
    return Theme.objects.order_by("name")


def facilitator_users():
    """People holding the lab facilitator role, platform-wide or on a lab."""
    return (
        User.objects.filter(role_assignments__role=Role.LAB_FACILITATOR)
        .distinct()
        .order_by("display_name", "email")
    )


def labs_facilitated_by(user):
    """The labs where the user may create workshops."""
    if not getattr(user, "is_authenticated", False):
        return Lab.objects.none()
    if holds(user, Role.LAB_FACILITATOR) or is_platform_admin(user):
        return Lab.objects.order_by("name")
    lab_type = ContentType.objects.get_for_model(Lab)
    scoped = user.role_assignments.filter(role=Role.LAB_FACILITATOR, scope_type=lab_type).values(
        "scope_id"
    )
    return Lab.objects.filter(pk__in=scoped).order_by("name")

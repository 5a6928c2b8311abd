"""Who may and who may not: each rule asked for each role."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied

from kenlabour.accounts import services
from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment
from kenlabour.accounts.perms import can, holds, holds_role_on_object
from kenlabour.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=Role.PLATFORM_ADMIN)
    return user


@pytest.mark.parametrize("role", [r for r in Role if r != Role.PLATFORM_ADMIN])
def test_only_platform_admins_assign_roles(admin, role):
    holder = UserFactory()
    RoleAssignment.objects.create(user=holder, role=role)
    target = UserFactory()
    assert can(admin, "accounts.assign_role")
    assert not can(holder, "accounts.assign_role")
    with pytest.raises(PermissionDenied):
        services.assign_role(holder, target, Role.FUNDER)
    assert not holds(target, Role.FUNDER)
    services.assign_role(admin, target, Role.FUNDER)
    assert holds(target, Role.FUNDER)


def test_anonymous_may_do_nothing():
    anonymous = AnonymousUser()
    assert not can(anonymous, "accounts.assign_role")
    assert not can(anonymous, "accounts.edit_profile", UserFactory())


def test_superuser_is_a_platform_admin():
    assert can(UserFactory(is_superuser=True), "accounts.assign_role")


def test_people_edit_their_own_profile_only(admin):
    anne, yann = UserFactory(), UserFactory()
    assert can(anne, "accounts.edit_profile", anne)
    assert not can(anne, "accounts.edit_profile", yann)
    assert can(admin, "accounts.edit_profile", yann)
    with pytest.raises(PermissionDenied):
        services.update_profile(anne, yann, display_name="piraté")
    yann.refresh_from_db()
    assert yann.display_name != "piraté"


def test_scoped_roles_apply_to_their_object_only(admin):
    # Any model can be a scope; groups stand here for the organisations and relays of later apps.
    ours, theirs = Group.objects.create(name="ours"), Group.objects.create(name="theirs")
    treasurer = UserFactory()
    services.assign_role(admin, treasurer, Role.RELAY_TREASURER, scope=ours)
    predicate = holds_role_on_object(Role.RELAY_TREASURER)
    assert predicate(treasurer, ours)
    assert not predicate(treasurer, theirs)
    assert not holds(treasurer, Role.RELAY_TREASURER)  # not platform-wide
    services.revoke_role(admin, treasurer, Role.RELAY_TREASURER, scope=ours)
    assert not predicate(treasurer, ours)


def test_roles_are_read_once_per_user_object(admin, django_assert_num_queries):
    user = UserFactory()
    services.assign_role(admin, user, Role.FUNDER)
    with django_assert_num_queries(1):
        for _ in range(5):
            holds(user, Role.FUNDER)

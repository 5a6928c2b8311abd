import pytest
from django.urls import reverse

from kenlabour.network.tests.factories import MembershipFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def test_staff_browse_and_open_actors_in_the_admin(admin_client):
    resource = ResourceFactory()
    MembershipFactory(group=resource.actor)
    assert admin_client.get(reverse("admin:network_actor_changelist")).status_code == 200
    change = reverse("admin:network_actor_change", args=[resource.actor.pk])
    assert admin_client.get(change).status_code == 200
    for name in ("membership", "link"):
        assert admin_client.get(reverse(f"admin:network_{name}_changelist")).status_code == 200

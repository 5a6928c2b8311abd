"""`manage.py demo` builds the Brittany scenario, the same every time, and can run twice."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from kenlabour.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from kenlabour.network.enums import ActorKind, OrganisationKind, ProfileKind
from kenlabour.network.models import Actor, Link, LinkSource, Membership, Resource

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "actors": sorted(Actor.objects.values_list("slug", "name", "commune_id", "public_consent")),
        "resources": sorted(Resource.objects.values_list("actor__slug", "kind", "quantity")),
        "memberships": sorted(Membership.objects.values_list("person__slug", "group__slug")),
        "links": sorted(Link.objects.values_list("actor_a__slug", "actor_b__slug")),
        "sources": LinkSource.objects.count(),
    }


def test_demo_is_deterministic_and_idempotent(demo_site):
    """Built once for the module (demo_site), then again in this test's transaction."""
    first = snapshot()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert snapshot() == first


def test_demo_accounts_log_in(rf, demo_site):
    for email, *_rest in DEMO_ACCOUNTS:
        assert authenticate(rf.post("/"), username=email, password=DEMO_PASSWORD) is not None


def test_demo_network_has_the_brittany_of_2020(demo_site):
    actors = Actor.objects.all()
    relays = actors.filter(slug__in=["labfab-rennes", "fabrique-du-loch", "ensta-bretagne"])
    assert sorted(relays.values_list("departement_id", flat=True)) == ["29", "35", "56"]
    fablabs = actors.filter(organisation_kind=OrganisationKind.FABLAB).count()
    assert 18 <= fablabs <= 25
    makers = actors.filter(profiles__kind__in=[ProfileKind.MAKER, ProfileKind.SEAMSTRESS])
    assert 250 <= makers.distinct().count() <= 350
    collectives = actors.filter(kind=ActorKind.COLLECTIVE)
    assert 10 <= collectives.count() <= 15
    assert collectives.filter(place_less=True).count() >= 3
    brittany = set(actors.exclude(departement=None).values_list("departement_id", flat=True))
    assert {"22", "29", "35", "56"} <= brittany
    administrations = actors.filter(slug__in=["prefecture-region-bretagne", "region-bretagne"])
    assert all(a.directorates.count() >= 3 for a in administrations)

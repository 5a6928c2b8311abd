"""The demo's need tracking tokens open a need's contact details, confirm its deliveries and
withdraw it: they must differ on every install, although the demo data is seeded."""

import pytest

from kenlabour.accounts import demo as accounts_demo
from kenlabour.mobilisation import demo
from kenlabour.mobilisation.models import (
    Campaign,
    Capacity,
    Delivery,
    MatchingRun,
    Need,
    Production,
)
from kenlabour.network import demo as network_demo

pytestmark = pytest.mark.django_db


def _wipe_the_mobilisation_demo():
    campaigns = Campaign.objects.filter(slug__in=[demo.SLUG, demo.CURRENT_CAMPAIGN_SLUG])
    Delivery.objects.filter(need__campaign__in=campaigns).delete()
    Production.objects.filter(campaign__in=campaigns).delete()
    Capacity.objects.filter(campaign__in=campaigns).delete()
    MatchingRun.objects.filter(campaign__in=campaigns).delete()
    Need.objects.filter(campaign__in=campaigns).delete()
    campaigns.delete()


def _needs():
    """Each need of the demo by what the seed decides, with its token."""
    return {
        (n.campaign.slug, n.requester_name, n.item_type.name, n.quantity): n.token
        for n in Need.objects.select_related("campaign", "item_type")
    }


def test_two_demo_builds_give_the_same_needs_with_different_tokens():
    log = [].append
    accounts_demo.build(log)
    network_demo.build(log)
    demo.build(log)
    first = _needs()
    _wipe_the_mobilisation_demo()
    demo.build(log)
    second = _needs()
    assert first.keys() == second.keys(), "the seeded data stays the same"
    assert len(first) > 1500
    same = [key for key in first if first[key] == second[key]]
    assert same == [], "a token came back on the second build"
    assert not any(token.startswith("demo-") for token in second.values())

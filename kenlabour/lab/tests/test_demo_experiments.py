"""The demo experiments: built once, again without duplicates, linked across labs."""

import pytest

from kenlabour.lab.demo_experiments import build_experiments
from kenlabour.lab.models import Experiment, Interconnection
from kenlabour.network.models import LinkSource

pytestmark = pytest.mark.django_db


def test_the_demo_experiments_are_built_idempotently_and_linked_across_labs():
    messages = []
    build_experiments(messages.append)
    count = Experiment.objects.count()
    assert count >= 60
    assert Experiment.objects.values("lab").distinct().count() == 3
    assert Experiment.objects.filter(phase="incubator").exclude(incubator="").exists()
    assert Experiment.objects.filter(phase="stopped").exclude(stop_reason="").exists()
    links = Interconnection.objects.filter(status="accepted").select_related(
        "experiment_a", "experiment_b"
    )
    assert links and all(link.experiment_a.lab_id != link.experiment_b.lab_id for link in links)
    assert LinkSource.objects.filter(kind="experiment").exists()
    sources = LinkSource.objects.count()
    build_experiments(messages.append)
    assert Experiment.objects.count() == count
    assert LinkSource.objects.count() == sources

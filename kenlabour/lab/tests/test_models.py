"""The database keeps the lab's invariants even when a form is bypassed: dates within
2000-2099, a capacity within bounds, a public agent with an organisation (of the
directory or typed). Run on SQLite and PostgreSQL."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from kenlabour.lab.enums import ParticipantKind
from kenlabour.lab.models import Measurement, PhaseChange, Result, Workshop
from kenlabour.lab.tests.factories import (
    AttendanceFactory,
    ExperimentFactory,
    IndicatorFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db

YEAR_ONE = datetime.date(1, 1, 1)


def _refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_a_workshop_of_year_one_or_of_9999_is_refused_by_the_database():
    workshop = WorkshopFactory()
    for starts_at in (
        datetime.datetime(1, 1, 1, 9, tzinfo=datetime.UTC),
        datetime.datetime(1999, 12, 31, 9, tzinfo=datetime.UTC),
    ):
        _refused(lambda s=starts_at: Workshop.objects.filter(pk=workshop.pk).update(starts_at=s))
    _refused(
        lambda: Workshop.objects.filter(pk=workshop.pk).update(
            ends_at=datetime.datetime(9999, 12, 31, 9, tzinfo=datetime.UTC)
        )
    )
    _refused(lambda: Workshop.objects.filter(pk=workshop.pk).update(capacity=10_001))


def test_experiment_dates_are_bounded_by_the_database():
    experiment = ExperimentFactory()
    _refused(lambda: type(experiment).objects.filter(pk=experiment.pk).update(started_on=YEAR_ONE))
    _refused(
        lambda: PhaseChange.objects.create(experiment=experiment, phase="problem", date=YEAR_ONE)
    )
    _refused(lambda: Result.objects.create(experiment=experiment, text="x", date=YEAR_ONE))
    indicator = IndicatorFactory(experiment=experiment)
    _refused(lambda: Measurement.objects.create(indicator=indicator, date=YEAR_ONE, value=1))


def test_a_public_agent_needs_an_organisation_of_the_directory_or_typed():
    _refused(lambda: AttendanceFactory(kind=ParticipantKind.PUBLIC_AGENT))
    typed = AttendanceFactory(kind=ParticipantKind.PUBLIC_AGENT, organisation_name="CAF du 35")
    assert typed.organisation_label == "CAF du 35"

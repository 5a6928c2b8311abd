"""Experiments: phases, measurements and interconnection decisions, as services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.lab.models import Experiment, Interconnection, Measurement, PhaseChange
from kenlabour.lab.services import experiments as services
from kenlabour.lab.services.follow_up import add_measurement
from kenlabour.lab.services.interconnections import decide_interconnection
from kenlabour.lab.tests.factories import (
    ExperimentFactory,
    IndicatorFactory,
    LabFactory,
    ThemeFactory,
    related_experiments,
)
from kenlabour.network.models import LinkSource
from kenlabour.network.tests.factories import facilitator

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _move(user, experiment, *phases, **extra):
    for phase in phases:
        experiment = services.change_phase(user, experiment, phase=phase, date=TODAY(), **extra)
    return experiment


def test_a_facilitator_creates_an_experiment_whose_history_starts_with_the_problem():
    user = facilitator()
    lab = LabFactory()
    theme = ThemeFactory()
    experiment = services.save_experiment(
        user,
        {
            "lab": lab,
            "title": "Le permis pour l'emploi",
            "problem": "Les jeunes n'ont pas le permis.",
            "started_on": TODAY(),
            "published": True,
            "themes": [theme],
        },
    )
    assert experiment.slug == "le-permis-pour-lemploi"
    assert list(experiment.themes.all()) == [theme]
    assert list(experiment.team.all()) == [user]
    assert [(c.phase, c.date) for c in experiment.phase_changes.all()] == [("problem", TODAY())]


def test_a_person_who_is_not_a_facilitator_cannot_create_one():
    with pytest.raises(PermissionDenied):
        services.save_experiment(
            UserFactory(),
            {"lab": LabFactory(), "title": "X", "problem": "Y", "started_on": TODAY()},
        )
    assert not Experiment.objects.exists()


def test_phases_advance_in_order_and_are_dated():
    user = facilitator()
    experiment = _move(user, ExperimentFactory(), "exploration", "prototype", "field_test")
    experiment = services.change_phase(
        user,
        experiment,
        phase="incubator",
        date=TODAY(),
        incubator="beta.gouv.fr",
        resulting_service="Mon permis en poche",
    )
    assert experiment.phase == "incubator"
    assert experiment.handed_over_on == TODAY()
    assert experiment.resulting_service == "Mon permis en poche"
    assert list(experiment.phase_changes.values_list("phase", flat=True)) == [
        "problem",
        "exploration",
        "prototype",
        "field_test",
        "incubator",
    ]


def test_a_phase_cannot_be_skipped_and_nothing_changes():
    experiment = ExperimentFactory()
    with pytest.raises(ValidationError) as refused:
        services.change_phase(facilitator(), experiment, phase="field_test", date=TODAY())
    assert "ne peut pas passer" in str(refused.value)
    experiment.refresh_from_db()
    assert experiment.phase == "problem"
    assert experiment.phase_changes.count() == 1


def test_handing_over_without_an_incubator_is_refused():
    user = facilitator()
    experiment = _move(user, ExperimentFactory(), "exploration", "prototype", "field_test")
    with pytest.raises(ValidationError) as refused:
        services.change_phase(user, experiment, phase="incubator", date=TODAY())
    assert set(refused.value.message_dict) == {"incubator", "resulting_service"}
    experiment.refresh_from_db()
    assert experiment.phase == "field_test"


def test_stopping_requires_a_reason_and_is_final():
    user = facilitator()
    experiment = ExperimentFactory()
    with pytest.raises(ValidationError) as refused:
        services.change_phase(user, experiment, phase="stopped", date=TODAY())
    assert "stop_reason" in refused.value.message_dict
    experiment = services.change_phase(
        user, experiment, phase="stopped", date=TODAY(), stop_reason="Plus de financement."
    )
    with pytest.raises(ValidationError):
        services.change_phase(user, experiment, phase="exploration", date=TODAY())


def test_a_phase_dated_before_the_start_is_refused():
    experiment = ExperimentFactory()
    with pytest.raises(ValidationError) as refused:
        services.change_phase(
            facilitator(),
            experiment,
            phase="exploration",
            date=experiment.started_on - datetime.timedelta(days=1),
        )
    assert "date" in refused.value.message_dict
    assert PhaseChange.objects.count() == 1


def test_a_facilitator_of_another_lab_cannot_change_the_phase():
    from django.contrib.contenttypes.models import ContentType

    from kenlabour.accounts.models import RoleAssignment

    other_lab_facilitator = UserFactory()
    other = LabFactory()
    RoleAssignment.objects.create(
        user=other_lab_facilitator,
        role="lab_facilitator",
        scope_type=ContentType.objects.get_for_model(other),
        scope_id=other.pk,
    )
    with pytest.raises(PermissionDenied):
        services.change_phase(
            other_lab_facilitator, ExperimentFactory(), phase="exploration", date=TODAY()
        )


def test_a_measurement_is_recorded():
    indicator = IndicatorFactory()
    add_measurement(facilitator(), indicator, date=TODAY(), value=25)
    assert list(indicator.measurements.values_list("value", flat=True)) == [25]


def test_a_measurement_on_a_stopped_experiment_is_refused_and_changes_nothing():
    user = facilitator()
    indicator = IndicatorFactory()
    services.change_phase(
        user, indicator.experiment, phase="stopped", date=TODAY(), stop_reason="Abandon."
    )
    indicator.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        add_measurement(user, indicator, date=TODAY(), value=25)
    assert "arrêtée" in " ".join(refused.value.messages)
    assert not Measurement.objects.exists()


def test_a_measurement_dated_before_the_start_or_twice_the_same_day_is_refused():
    user = facilitator()
    indicator = IndicatorFactory()
    with pytest.raises(ValidationError) as refused:
        add_measurement(
            user,
            indicator,
            date=indicator.experiment.started_on - datetime.timedelta(days=1),
            value=1,
        )
    assert "antérieure au début" in refused.value.message_dict["date"][0]
    add_measurement(user, indicator, date=TODAY(), value=2)
    with pytest.raises(ValidationError):
        add_measurement(user, indicator, date=TODAY(), value=3)
    assert Measurement.objects.count() == 1


def test_accepting_a_link_feeds_the_acquaintance_graph_with_the_partners_of_both():
    permis, rural, _unrelated = related_experiments()
    link = decide_interconnection(facilitator(), permis, rural, accept=True)
    assert link.status == "accepted"
    assert "Mission locale" in link.reasons
    partners = set(permis.partners.values_list("pk", flat=True)) | set(
        rural.partners.values_list("pk", flat=True)
    )
    sources = LinkSource.objects.filter(
        kind="experiment", reference=f"interconnexion-{link.experiment_a_id}-{link.experiment_b_id}"
    ).select_related("link")
    linked = {s.link.actor_a_id for s in sources} | {s.link.actor_b_id for s in sources}
    assert linked == partners
    assert sources.count() == len(partners) * (len(partners) - 1) // 2


def test_a_dismissed_link_feeds_nothing_and_is_not_decided_again():
    permis, rural, _unrelated = related_experiments()
    user = facilitator()
    decide_interconnection(user, rural, permis, accept=False)
    assert not LinkSource.objects.exists()
    with pytest.raises(ValidationError):
        decide_interconnection(user, permis, rural, accept=True)
    assert Interconnection.objects.get().status == "dismissed"


def test_only_facilitators_decide_links():
    permis, rural, _unrelated = related_experiments()
    with pytest.raises(PermissionDenied):
        decide_interconnection(UserFactory(), permis, rural, accept=True)
    assert not Interconnection.objects.exists()

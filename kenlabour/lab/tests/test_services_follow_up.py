"""The follow-up of an experiment as services: hypotheses and their status, indicators,
results, recommendations to organisations of the network and their follow-up. Each
refusal leaves the records as they were."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kenlabour.accounts.models import RoleAssignment
from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.lab.models import Hypothesis, Indicator, Recommendation, Result
from kenlabour.lab.selectors import organisations as selectors
from kenlabour.lab.services import follow_up as services
from kenlabour.lab.services.experiments import change_phase
from kenlabour.lab.tests.factories import ExperimentFactory, IndicatorFactory, LabFactory
from kenlabour.network.enums import ModerationStatus
from kenlabour.network.tests.factories import (
    OrganisationFactory,
    PersonFactory,
    commune,
    facilitator,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
FOLLOW_UP_MODELS = (Hypothesis, Indicator, Result, Recommendation)


def _snapshot():
    """Every follow-up record, field by field: what a refusal must leave untouched."""
    return {
        model.__name__: list(model.objects.order_by("pk").values()) for model in FOLLOW_UP_MODELS
    }


def _stopped():
    return ExperimentFactory(phase="stopped", stop_reason="Les financeurs se sont retirés.")


def _facilitator_of_another_lab():
    user, other_lab = UserFactory(), LabFactory()
    RoleAssignment.objects.create(
        user=user,
        role="lab_facilitator",
        scope_type=ContentType.objects.get_for_model(other_lab),
        scope_id=other_lab.pk,
    )
    return user


def _refused(call, error=ValidationError):
    before = _snapshot()
    with pytest.raises(error) as refused:
        call()
    assert _snapshot() == before
    return refused.value


# Who may change the follow-up


@pytest.mark.parametrize("who", [UserFactory, _facilitator_of_another_lab])
def test_only_the_labs_facilitators_change_the_follow_up(who):
    experiment = ExperimentFactory()
    hypothesis = Hypothesis.objects.create(experiment=experiment, text="H")
    recommendation = Recommendation.objects.create(
        experiment=experiment, addressed_to=OrganisationFactory(), text="R"
    )
    user = who()
    for call in (
        lambda: services.add_hypothesis(user, experiment, text="Une hypothèse"),
        lambda: services.set_hypothesis_status(user, hypothesis, status="confirmed"),
        lambda: services.add_indicator(user, experiment, name="X", baseline=1, target=2),
        lambda: services.add_result(user, experiment, text="Un résultat", date=TODAY()),
        lambda: services.add_recommendation(
            user, experiment, addressed_to=OrganisationFactory(), text="Une préconisation"
        ),
        lambda: services.record_follow_up(user, recommendation, follow_up="accepted"),
    ):
        _refused(call, PermissionDenied)


@pytest.mark.parametrize(
    "add",
    [
        lambda user, e: services.add_hypothesis(user, e, text="Une hypothèse"),
        lambda user, e: services.add_indicator(user, e, name="X", baseline=1, target=2),
        lambda user, e: services.add_result(user, e, text="Un résultat", date=TODAY()),
        lambda user, e: services.add_recommendation(
            user, e, addressed_to=OrganisationFactory(), text="Une préconisation"
        ),
    ],
    ids=["hypothesis", "indicator", "result", "recommendation"],
)
def test_nothing_is_added_to_a_stopped_experiment(add):
    user, experiment = facilitator(), _stopped()
    refusal = _refused(lambda: add(user, experiment))
    assert "Cette expérimentation est arrêtée" in " ".join(refusal.messages)


def test_a_stop_decided_meanwhile_is_seen_by_the_addition():
    """The service reads the experiment afresh: a page loaded before the stop adds nothing."""
    user = facilitator()
    experiment = ExperimentFactory()
    change_phase(
        user, experiment, phase="stopped", date=TODAY(), stop_reason="Plus de financement."
    )
    # `experiment` is the copy of the page, still at the problem phase.
    assert experiment.phase == "problem"
    _refused(lambda: services.add_hypothesis(user, experiment, text="Trop tard"))


# Hypotheses


def test_a_hypothesis_is_added_open_then_confirmed():
    user, experiment = facilitator(), ExperimentFactory()
    hypothesis = services.add_hypothesis(user, experiment, text="  Le permis lève le frein.  ")
    assert (hypothesis.experiment, hypothesis.text, hypothesis.status) == (
        experiment,
        "Le permis lève le frein.",
        "open",
    )
    services.set_hypothesis_status(user, hypothesis, status="confirmed")
    assert Hypothesis.objects.get().status == "confirmed"


def test_an_empty_or_repeated_hypothesis_is_refused():
    user, experiment = facilitator(), ExperimentFactory()
    refusal = _refused(lambda: services.add_hypothesis(user, experiment, text="   "))
    assert refusal.message_dict["text"] == ["Écrivez l'hypothèse."]
    services.add_hypothesis(user, experiment, text="Le permis lève le frein.")
    refusal = _refused(
        lambda: services.add_hypothesis(user, experiment, text="le permis lève le frein.")
    )
    assert "déjà notée" in refusal.message_dict["text"][0]
    # The same words on another experiment are another hypothesis.
    services.add_hypothesis(user, ExperimentFactory(), text="Le permis lève le frein.")
    assert Hypothesis.objects.count() == 2


def test_a_status_unchanged_or_unknown_is_refused():
    user = facilitator()
    hypothesis = services.add_hypothesis(user, ExperimentFactory(), text="H")
    refusal = _refused(lambda: services.set_hypothesis_status(user, hypothesis, status="open"))
    assert "déjà « À vérifier »" in refusal.message_dict["status"][0]
    _refused(lambda: services.set_hypothesis_status(user, hypothesis, status="probable"))


def test_a_stopped_experiment_still_says_what_it_learnt():
    user, experiment = facilitator(), ExperimentFactory()
    hypothesis = services.add_hypothesis(user, experiment, text="H")
    change_phase(user, experiment, phase="stopped", date=TODAY(), stop_reason="Fin.")
    hypothesis.refresh_from_db()
    services.set_hypothesis_status(user, hypothesis, status="refuted")
    assert Hypothesis.objects.get().status == "refuted"


# Indicators


def test_an_indicator_is_added_with_its_baseline_and_target():
    user, experiment = facilitator(), ExperimentFactory()
    indicator = services.add_indicator(
        user, experiment, name=" Délai d'instruction ", unit="jours", baseline=45, target=20
    )
    stored = Indicator.objects.get()
    assert stored == indicator
    assert (stored.name, stored.unit, stored.baseline, stored.target) == (
        "Délai d'instruction",
        "jours",
        Decimal("45.00"),
        Decimal("20.00"),
    )


def test_an_indicator_whose_target_is_its_baseline_measures_nothing():
    user, experiment = facilitator(), ExperimentFactory()
    refusal = _refused(
        lambda: services.add_indicator(
            user, experiment, name="X", baseline=Decimal("12.50"), target=Decimal("12.5")
        )
    )
    assert "égale à la valeur de départ" in refusal.message_dict["target"][0]


def test_an_indicator_without_name_or_with_a_name_taken_is_refused():
    user = facilitator()
    existing = IndicatorFactory(name="Jeunes ayant le permis")
    refusal = _refused(
        lambda: services.add_indicator(user, existing.experiment, name=" ", baseline=1, target=2)
    )
    assert refusal.message_dict["name"] == ["Nommez l'indicateur."]
    refusal = _refused(
        lambda: services.add_indicator(
            user, existing.experiment, name="jeunes ayant le permis", baseline=1, target=2
        )
    )
    assert "déjà un indicateur de ce nom" in refusal.message_dict["name"][0]


# Results


def test_a_result_is_dated_between_the_start_and_today():
    user, experiment = facilitator(), ExperimentFactory()
    services.add_result(user, experiment, text="Douze permis obtenus.", date=experiment.started_on)
    services.add_result(user, experiment, text="Vingt permis obtenus.", date=TODAY())
    assert list(Result.objects.order_by("date").values_list("text", "date")) == [
        ("Douze permis obtenus.", experiment.started_on),
        ("Vingt permis obtenus.", TODAY()),
    ]


def test_a_result_in_the_future_before_the_start_or_empty_is_refused():
    user, experiment = facilitator(), ExperimentFactory()
    tomorrow = TODAY() + datetime.timedelta(days=1)
    refusal = _refused(lambda: services.add_result(user, experiment, text="R", date=tomorrow))
    assert refusal.message_dict["date"] == ["La date ne peut pas être dans le futur."]
    before = experiment.started_on - datetime.timedelta(days=1)
    refusal = _refused(lambda: services.add_result(user, experiment, text="R", date=before))
    assert "antérieure au début" in refusal.message_dict["date"][0]
    refusal = _refused(lambda: services.add_result(user, experiment, text=" ", date=TODAY()))
    assert refusal.message_dict["text"] == ["Décrivez le résultat."]


# Recommendations


def test_a_recommendation_is_addressed_to_an_organisation_and_starts_sent():
    user, experiment = facilitator(), ExperimentFactory()
    mission_locale = OrganisationFactory(name="Mission locale")
    services.add_recommendation(
        user, experiment, addressed_to=mission_locale, text="Financer le code."
    )
    stored = Recommendation.objects.get()
    assert (stored.experiment, stored.addressed_to, stored.text, stored.follow_up) == (
        experiment,
        mission_locale,
        "Financer le code.",
        "sent",
    )
    assert list(mission_locale.recommendations_received.all()) == [stored]


@pytest.mark.parametrize(
    "addressee",
    [
        lambda: None,
        lambda: PersonFactory(),
        lambda: OrganisationFactory(status=ModerationStatus.PENDING),
        lambda: OrganisationFactory(status=ModerationStatus.REJECTED),
    ],
    ids=["nobody", "a-person", "pending", "rejected"],
)
def test_a_recommendation_goes_only_to_a_published_organisation(addressee):
    user, experiment, actor = facilitator(), ExperimentFactory(), addressee()
    refusal = _refused(
        lambda: services.add_recommendation(user, experiment, addressed_to=actor, text="R")
    )
    assert "organisation de l'annuaire" in refusal.message_dict["addressed_to"][0]


def test_an_empty_recommendation_is_refused():
    user, experiment = facilitator(), ExperimentFactory()
    refusal = _refused(
        lambda: services.add_recommendation(
            user, experiment, addressed_to=OrganisationFactory(), text="  "
        )
    )
    assert refusal.message_dict["text"] == ["Écrivez la préconisation."]


def test_the_follow_up_is_recorded_even_after_the_experiment_stopped():
    user, experiment = facilitator(), ExperimentFactory()
    recommendation = services.add_recommendation(
        user, experiment, addressed_to=OrganisationFactory(), text="Financer le code."
    )
    change_phase(user, experiment, phase="stopped", date=TODAY(), stop_reason="Fin.")
    services.record_follow_up(
        user, recommendation, follow_up="implemented", note=" Inscrit au budget 2027. "
    )
    stored = Recommendation.objects.get()
    assert (stored.follow_up, stored.follow_up_note) == ("implemented", "Inscrit au budget 2027.")


def test_a_follow_up_unchanged_or_unknown_is_refused():
    user = facilitator()
    recommendation = services.add_recommendation(
        user, ExperimentFactory(), addressed_to=OrganisationFactory(), text="R"
    )
    refusal = _refused(lambda: services.record_follow_up(user, recommendation, follow_up="sent"))
    assert "rien n'a changé" in " ".join(refusal.messages)
    _refused(lambda: services.record_follow_up(user, recommendation, follow_up="oubliée"))
    # The same status with a new note is a change.
    services.record_follow_up(user, recommendation, follow_up="sent", note="Relancée en mai.")
    assert Recommendation.objects.get().follow_up_note == "Relancée en mai."


# Organisations typed by name


def test_an_organisation_name_shared_by_two_is_told_apart_by_its_commune():
    quimper = OrganisationFactory(name="Mission locale")
    brest = OrganisationFactory(name="Mission locale", commune=commune("29019"))
    OrganisationFactory(name="Mission locale", status=ModerationStatus.PENDING)
    with pytest.raises(selectors.NotFoundByName) as ambiguous:
        selectors.resolve_organisation("mission locale")
    assert ambiguous.value.code == "ambiguous"
    assert "Plusieurs organisations" in ambiguous.value.message
    assert selectors.resolve_organisation("Mission locale (Brest)") == brest
    assert selectors.resolve_organisation(" mission locale (quimper) ") == quimper
    with pytest.raises(selectors.NotFoundByName) as unknown:
        selectors.resolve_organisation("Mission locale (Rennes)")
    assert unknown.value.code == "unknown"
    names = selectors.organisation_names()
    assert "Mission locale (Brest)" in names and "Mission locale (Quimper)" in names
    assert "Mission locale" not in names
    for name in names:  # every suggestion resolves to one organisation
        assert selectors.resolve_organisation(name).name in name

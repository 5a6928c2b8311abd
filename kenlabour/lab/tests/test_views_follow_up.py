"""The follow-up pages of an experiment: who may use them, what a facilitator adds, the
messages of a refusal (nothing saved), and what the public sees on the experiment's page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.lab.models import Hypothesis, Indicator, Recommendation, Result
from kenlabour.lab.tests.factories import ExperimentFactory
from kenlabour.network.enums import ModerationStatus
from kenlabour.network.tests.factories import OrganisationFactory, facilitator

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
ADDITIONS = ["lab:hypothesis_add", "lab:indicator_add", "lab:result_add", "lab:recommendation_add"]


def _url(name, experiment, **kwargs):
    return reverse(name, kwargs={"slug": experiment.slug, **kwargs})


def _text(response) -> str:
    return response.content.decode()


def _with_follow_up():
    experiment = ExperimentFactory(private_notes="Le financeur hésite.")
    hypothesis = Hypothesis.objects.create(experiment=experiment, text="Le permis lève le frein.")
    recommendation = Recommendation.objects.create(
        experiment=experiment,
        addressed_to=OrganisationFactory(name="Mission locale"),
        text="Financer le code de la route.",
        follow_up="accepted",
        follow_up_note="Votée au conseil d'administration.",
    )
    return experiment, hypothesis, recommendation


def _posts(experiment, hypothesis, recommendation):
    """Every follow-up form, filled with valid data."""
    OrganisationFactory(name="Conseil départemental")
    return [
        (_url("lab:hypothesis_add", experiment), {"text": "Une hypothèse"}),
        (
            _url("lab:hypothesis_status", experiment, pk=hypothesis.pk),
            {f"hypothese-{hypothesis.pk}-status": "confirmed"},
        ),
        (
            _url("lab:indicator_add", experiment),
            {"name": "Permis obtenus", "baseline": "0", "target": "20"},
        ),
        (_url("lab:result_add", experiment), {"text": "Un résultat", "date": str(TODAY())}),
        (
            _url("lab:recommendation_add", experiment),
            {"addressed_to": "Conseil départemental", "text": "Une préconisation"},
        ),
        (
            _url("lab:recommendation_follow_up", experiment, pk=recommendation.pk),
            {f"preconisation-{recommendation.pk}-follow_up": "implemented"},
        ),
    ]


def _state():
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Hypothesis, Indicator, Result, Recommendation)
    }


# Permissions


def test_anonymous_people_are_sent_to_log_in(client):
    experiment, hypothesis, recommendation = _with_follow_up()
    before = _state()
    for name in ADDITIONS:
        response = client.get(_url(name, experiment))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    for url, data in _posts(experiment, hypothesis, recommendation):
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login")), url
    assert _state() == before


def test_a_person_who_is_not_a_facilitator_gets_403_and_changes_nothing(client):
    experiment, hypothesis, recommendation = _with_follow_up()
    member = UserFactory()
    experiment.team.add(member)  # the team reads the notes, the facilitators decide
    client.force_login(member)
    before = _state()
    for name in ADDITIONS:
        assert client.get(_url(name, experiment)).status_code == 403
    for url, data in _posts(experiment, hypothesis, recommendation):
        assert client.post(url, data).status_code == 403, url
    assert _state() == before


def test_a_facilitator_uses_every_form(client):
    experiment, hypothesis, recommendation = _with_follow_up()
    client.force_login(facilitator())
    for name in ADDITIONS:
        response = client.get(_url(name, experiment))
        assert response.status_code == 200
        assert '<form method="post"' in _text(response)
    for url, data in _posts(experiment, hypothesis, recommendation):
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(experiment.get_absolute_url() + "#")
    assert list(experiment.hypotheses.order_by("pk").values_list("text", "status")) == [
        ("Le permis lève le frein.", "confirmed"),
        ("Une hypothèse", "open"),
    ]
    assert list(experiment.indicators.values_list("name", flat=True)) == ["Permis obtenus"]
    assert list(experiment.results.values_list("text", "date")) == [("Un résultat", TODAY())]
    assert list(
        experiment.recommendations.order_by("pk").values_list("addressed_to__name", "follow_up")
    ) == [("Mission locale", "implemented"), ("Conseil départemental", "sent")]


def test_a_record_of_another_experiment_is_not_found(client):
    _experiment, hypothesis, recommendation = _with_follow_up()
    other = ExperimentFactory()
    client.force_login(facilitator())
    for name, pk, data in (
        ("lab:hypothesis_status", hypothesis.pk, {f"hypothese-{hypothesis.pk}-status": "refuted"}),
        (
            "lab:recommendation_follow_up",
            recommendation.pk,
            {f"preconisation-{recommendation.pk}-follow_up": "declined"},
        ),
    ):
        assert client.post(_url(name, other, pk=pk), data).status_code == 404
    assert Hypothesis.objects.get().status == "open"
    assert Recommendation.objects.get().follow_up == "accepted"


# Refusals, in French, at their field


def test_an_indicator_whose_target_is_its_baseline_is_refused_at_the_target(client):
    experiment = ExperimentFactory()
    client.force_login(facilitator())
    response = client.post(
        _url("lab:indicator_add", experiment),
        {"name": "Délai", "baseline": "12,5", "target": "12.50"},
    )
    assert response.status_code == 200
    assert "Rien n'a été enregistré" in _text(response)
    assert 'href="#id_target">Cible : La cible est égale à la valeur de départ' in _text(response)
    assert not Indicator.objects.exists()


def test_a_result_in_the_future_is_refused_at_its_date(client):
    experiment = ExperimentFactory()
    client.force_login(facilitator())
    tomorrow = TODAY() + datetime.timedelta(days=1)
    response = client.post(
        _url("lab:result_add", experiment), {"text": "Trop tôt", "date": str(tomorrow)}
    )
    assert response.status_code == 200
    assert 'href="#id_date">Date du résultat : La date ne peut pas être dans le futur.' in _text(
        response
    )
    assert not Result.objects.exists()


def test_an_empty_hypothesis_is_refused(client):
    experiment = ExperimentFactory()
    client.force_login(facilitator())
    response = client.post(_url("lab:hypothesis_add", experiment), {"text": "   "})
    assert response.status_code == 200
    assert "Écrivez l&#x27;hypothèse." in _text(response)
    assert not Hypothesis.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Organisation fantôme", "n&#x27;est pas une organisation de l&#x27;annuaire"),
        ("En attente", "n&#x27;est pas une organisation de l&#x27;annuaire"),
        ("Mission locale", "Plusieurs organisations de l&#x27;annuaire s&#x27;appellent"),
        ("", "Indiquez l&#x27;organisation à qui la préconisation s&#x27;adresse."),
    ],
)
def test_a_recommendation_to_an_unknown_or_ambiguous_organisation_is_refused(
    client, typed, message
):
    from kenlabour.network.tests.factories import commune

    experiment = ExperimentFactory()
    OrganisationFactory(name="Mission locale")
    OrganisationFactory(name="Mission locale", commune=commune("29019"))
    OrganisationFactory(name="En attente", status=ModerationStatus.PENDING)
    client.force_login(facilitator())
    response = client.post(
        _url("lab:recommendation_add", experiment), {"addressed_to": typed, "text": "Faire."}
    )
    assert response.status_code == 200
    assert message in _text(response)
    assert not Recommendation.objects.exists()
    # The page suggests the shared name with its commune; typed so, it is accepted.
    assert '<option value="Mission locale (Brest)">' in _text(response)
    client.post(
        _url("lab:recommendation_add", experiment),
        {"addressed_to": "Mission locale (Brest)", "text": "Faire."},
    )
    assert Recommendation.objects.get().addressed_to.commune.name == "Brest"


def test_a_stopped_experiment_offers_no_addition_and_refuses_one(client):
    experiment = ExperimentFactory(phase="stopped", stop_reason="Fin des financements.")
    client.force_login(facilitator())
    page = _text(client.get(experiment.get_absolute_url()))
    for name in ADDITIONS:
        assert _url(name, experiment) not in page
        response = client.get(_url(name, experiment))
        assert "Cette expérimentation est arrêtée" in _text(response)
        assert '<form method="post" novalidate>' not in _text(response)
    response = client.post(_url("lab:hypothesis_add", experiment), {"text": "Tardive"})
    assert response.status_code == 200
    assert not Hypothesis.objects.exists()


def test_an_unchanged_status_is_refused_with_a_message_on_the_page(client):
    experiment, hypothesis, _recommendation = _with_follow_up()
    client.force_login(facilitator())
    response = client.post(
        _url("lab:hypothesis_status", experiment, pk=hypothesis.pk),
        {f"hypothese-{hypothesis.pk}-status": "open"},
        follow=True,
    )
    assert "L&#x27;hypothèse est déjà « À vérifier » : rien n&#x27;a changé." in _text(response)
    response = client.post(
        _url("lab:hypothesis_status", experiment, pk=hypothesis.pk),
        {f"hypothese-{hypothesis.pk}-status": "peut-être"},
        follow=True,
    )
    assert "Choisissez un statut de la liste." in _text(response)
    assert Hypothesis.objects.get().status == "open"


# The experiment's page


def test_the_public_reads_the_follow_up_without_the_forms_nor_the_notes(client):
    experiment, _hypothesis, _recommendation = _with_follow_up()
    content = _text(client.get(experiment.get_absolute_url()))
    assert "Le permis lève le frein." in content
    assert "À Mission locale :" in content and "Financer le code de la route." in content
    assert "Retenue" in content
    assert escape("Votée au conseil d'administration.") in content
    assert "Le financeur hésite." not in content
    assert "<form" not in content.partition('id="hypotheses"')[2].partition('id="liens"')[0]
    for name in ADDITIONS:
        assert _url(name, experiment) not in content


def test_facilitators_see_the_forms_with_the_current_values(client):
    experiment, hypothesis, recommendation = _with_follow_up()
    client.force_login(facilitator())
    content = _text(client.get(experiment.get_absolute_url()))
    for name in ADDITIONS:
        assert _url(name, experiment) in content
    assert _url("lab:hypothesis_status", experiment, pk=hypothesis.pk) in content
    assert _url("lab:recommendation_follow_up", experiment, pk=recommendation.pk) in content
    assert '<option value="open" selected>' in content
    assert '<option value="accepted" selected>' in content


def test_the_public_page_hides_empty_follow_up_sections(client):
    experiment = ExperimentFactory()
    content = _text(client.get(experiment.get_absolute_url()))
    for heading in ("Hypothèses", "Indicateurs", "Résultats", "Préconisations"):
        assert f">{heading}</h2>" not in content
    client.force_login(facilitator())
    content = _text(client.get(experiment.get_absolute_url()))
    for heading in ("Hypothèses", "Indicateurs", "Résultats", "Préconisations"):
        assert f">{heading}</h2>" in content

"""Experiments' pages: who sees what, suggestions, decisions, forms, query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.lab.models import Experiment, Interconnection, Measurement
from kenlabour.lab.tests.factories import (
    ExperimentFactory,
    IndicatorFactory,
    LabFactory,
    PublicFactory,
    ThemeFactory,
    related_experiments,
)
from kenlabour.network.tests.factories import OrganisationFactory, facilitator

pytestmark = pytest.mark.django_db


def _page(client, experiment):
    return client.get(reverse("lab:experiment", kwargs={"slug": experiment.slug}))


def test_private_notes_are_for_the_team_and_facilitators_only(client):
    experiment = ExperimentFactory(private_notes="Le financeur hésite.")
    assert "Le financeur hésite." not in _page(client, experiment).content.decode()
    member = UserFactory()
    experiment.team.add(member)
    client.force_login(member)
    assert "Le financeur hésite." in _page(client, experiment).content.decode()
    client.force_login(facilitator())
    assert "Le financeur hésite." in _page(client, experiment).content.decode()


def test_an_unpublished_experiment_is_hidden_from_the_public(client):
    hidden = ExperimentFactory(published=False, title="Projet confidentiel")
    assert _page(client, hidden).status_code == 404
    listing = client.get(reverse("lab:experiments")).content.decode()
    assert "Projet confidentiel" not in listing
    client.force_login(facilitator())
    assert _page(client, hidden).status_code == 200
    assert "Projet confidentiel" in client.get(reverse("lab:experiments")).content.decode()


def test_the_list_filters_by_lab_theme_and_phase(client):
    theme = ThemeFactory(slug="mobilite")
    kept = ExperimentFactory(title="Gardée")
    kept.themes.add(theme)
    ExperimentFactory(title="Autre laboratoire")
    response = client.get(
        reverse("lab:experiments"), {"labo": kept.lab.slug, "theme": "mobilite", "etape": "problem"}
    )
    content = response.content.decode()
    assert "Gardée" in content and "Autre laboratoire" not in content
    wrong = client.get(reverse("lab:experiments"), {"etape": "inconnue"})
    assert wrong.status_code == 200
    assert "Sélectionnez un choix valide" in wrong.content.decode()


def test_the_page_shows_suggestions_with_their_reason(client):
    permis, rural, unrelated = related_experiments()
    content = _page(client, permis).content.decode()
    assert rural.title in content
    assert unrelated.title not in content
    assert "Public commun : Jeunes de 16 à 25 ans" in content
    assert "Accepter le lien" not in content  # the public reads, facilitators decide


def test_an_accepted_link_shows_on_both_pages_and_leaves_the_suggestions(client):
    permis, rural, _unrelated = related_experiments()
    client.force_login(facilitator())
    response = client.post(
        reverse("lab:interconnection_decide", kwargs={"slug": permis.slug}),
        {"other": rural.slug, "decision": "accept", "confirmation": "1"},
        follow=True,
    )
    assert "est accepté" in response.content.decode()
    client.logout()
    for page, other in ((permis, rural), (rural, permis)):
        content = _page(client, page).content.decode()
        linked, _sep, suggested = content.partition("Expérimentations proches, suggérées")
        assert escape(other.title) in linked.partition("Expérimentations liées")[2]
        assert escape(other.title) not in suggested


def test_a_dismissed_suggestion_disappears(client):
    permis, rural, _unrelated = related_experiments()
    client.force_login(facilitator())
    client.post(
        reverse("lab:interconnection_decide", kwargs={"slug": permis.slug}),
        {"other": rural.slug, "decision": "dismiss", "confirmation": "1"},
    )
    assert Interconnection.objects.get().status == "dismissed"
    content = _page(client, permis).content.decode()
    assert rural.title not in content.partition("Expérimentations liées")[2]


def test_a_person_without_the_role_cannot_decide(client):
    permis, rural, _unrelated = related_experiments()
    client.force_login(UserFactory())
    response = client.post(
        reverse("lab:interconnection_decide", kwargs={"slug": permis.slug}),
        {"other": rural.slug, "decision": "accept", "confirmation": "1"},
    )
    assert response.status_code == 403
    assert not Interconnection.objects.exists()


def test_the_create_form_answers_field_by_field_and_saves_nothing(client):
    client.force_login(facilitator())
    LabFactory()
    response = client.post(
        reverse("lab:experiment_create"),
        {"title": "", "problem": "", "started_on": "hier", "partners": "Organisation fantôme"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "a été enregistré : corrigez ce qui suit" in content
    assert "Organisation fantôme" in content
    assert not Experiment.objects.exists()


def test_the_create_form_saves_an_experiment_with_its_partners(client):
    client.force_login(facilitator())
    lab = LabFactory()
    public = PublicFactory()
    partner = OrganisationFactory(name="Mission locale")
    response = client.post(
        reverse("lab:experiment_create"),
        {
            "lab": lab.pk,
            "title": "Permis et emploi",
            "problem": "Les jeunes n'ont pas le permis.",
            "publics": [public.pk],
            "departements": ["29"],
            "partners": "mission locale\n",
            "started_on": timezone.localdate().isoformat(),
            "published": "on",
        },
    )
    experiment = Experiment.objects.get()
    assert response.status_code == 302
    assert list(experiment.partners.all()) == [partner]
    assert list(experiment.departements.values_list("code", flat=True)) == ["29"]


def test_a_measurement_on_a_stopped_experiment_gets_a_clear_message(client):
    indicator = IndicatorFactory(experiment=ExperimentFactory(phase="stopped", stop_reason="Fin."))
    client.force_login(facilitator())
    response = client.post(
        reverse("lab:measurement_add", kwargs={"slug": indicator.experiment.slug}),
        {"indicator": indicator.pk, "date": timezone.localdate().isoformat(), "value": "3"},
    )
    assert response.status_code == 200
    assert "on n&#x27;y ajoute plus de mesures" in response.content.decode()
    assert not Measurement.objects.exists()


def test_the_phase_form_refuses_a_handover_without_incubator(client):
    experiment = ExperimentFactory(phase="field_test")
    client.force_login(facilitator())
    response = client.post(
        reverse("lab:experiment_phase", kwargs={"slug": experiment.slug}),
        {"phase": "incubator", "date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    assert "Nommez l&#x27;incubateur" in response.content.decode()
    experiment.refresh_from_db()
    assert experiment.phase == "field_test"


def test_indicators_show_a_table_and_progress_in_words(client):
    indicator = IndicatorFactory(baseline=10, target=50)
    Measurement.objects.create(
        indicator=indicator,
        date=indicator.experiment.started_on + datetime.timedelta(days=10),
        value=30,
    )
    content = _page(client, indicator.experiment).content.decode()
    assert "<caption>" in content
    assert "50 % du chemin parcouru" in content


def _many_experiments(count):
    for _ in range(count):
        experiment = ExperimentFactory()
        experiment.themes.add(ThemeFactory())
        experiment.publics.add(PublicFactory())
        IndicatorFactory(experiment=experiment)


def _queries(call) -> int:
    """How many SQL queries `call()` makes (request signals do not reset this count)."""
    from django.db import connection

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        call()
    return count


def test_the_list_query_count_does_not_grow_with_rows(client):
    _many_experiments(3)
    few = _queries(lambda: client.get(reverse("lab:experiments")))
    _many_experiments(12)
    assert _queries(lambda: client.get(reverse("lab:experiments"))) == few
    assert few <= 8


def test_the_page_query_count_does_not_grow_with_rows(client):
    permis, _rural, _unrelated = related_experiments()
    IndicatorFactory(experiment=permis)
    client.force_login(facilitator())
    _page(client, permis)  # builds the index once
    few = _queries(lambda: _page(client, permis))
    for n in range(5):
        IndicatorFactory(experiment=permis)
        permis.partners.add(OrganisationFactory())
        ExperimentFactory(title=f"Permis de conduire des jeunes {n}")
        # The follow-up, with the facilitators' small forms.
        permis.hypotheses.create(text=f"Hypothèse {n}")
        permis.results.create(text=f"Résultat {n}", date=permis.started_on)
        permis.recommendations.create(addressed_to=OrganisationFactory(), text=f"Préconisation {n}")
    _page(client, permis)  # the index is rebuilt once after the changes
    assert _queries(lambda: _page(client, permis)) == few


@pytest.mark.parametrize("typed", ["0001-01-01", "2100-01-01"])
def test_an_experiment_dated_out_of_bounds_is_refused_in_french(client, typed):
    client.force_login(facilitator())
    response = client.post(
        reverse("lab:experiment_create"),
        {
            "lab": LabFactory().pk,
            "title": "Permis",
            "problem": "Pas de permis.",
            "started_on": typed,
        },
    )
    assert response.status_code == 200
    assert "Indiquez une date entre 2000 et 2099." in response.content.decode()
    assert not Experiment.objects.exists()


def test_the_experiment_form_speaks_french_and_defaults_to_today(client):
    client.force_login(facilitator())
    LabFactory()
    content = client.get(reverse("lab:experiment_create")).content.decode()
    assert 'for="id_lab">Laboratoire' in content and "<legend>Thèmes" in content
    assert "Lab :" not in content and "Themes" not in content
    assert f'value="{timezone.localdate().isoformat()}"' in content


def test_a_phase_change_asks_for_confirmation_first(client):
    experiment = ExperimentFactory(phase="field_test")
    client.force_login(facilitator())
    url = reverse("lab:experiment_phase", kwargs={"slug": experiment.slug})
    data = {"phase": "stopped", "date": timezone.localdate().isoformat(), "stop_reason": "Fin."}
    asked = client.post(url, data)
    assert "Oui, passer à « Arrêtée »" in asked.content.decode()
    experiment.refresh_from_db()
    assert experiment.phase == "field_test"
    client.post(url, {**data, "confirmation": "1"})
    experiment.refresh_from_db()
    assert experiment.phase == "stopped"


def test_an_experiment_with_no_close_match_says_so_instead_of_weak_suggestions(client):
    """The swimming-pool experiment shares a partner with the driving-licence one (what
    was enough, before the threshold, to fill its list): under the threshold, it gets no
    suggestion, said in words."""
    from kenlabour.lab.selectors.interconnections import pair_reason

    permis, rural, _unrelated = related_experiments()
    pool = ExperimentFactory(
        title="Créneaux de la piscine",
        problem="Les clubs de natation et les écoles se disputent les lignes d'eau.",
        reframed_problem="Comment répartir les créneaux du bassin de façon transparente ?",
    )
    pool.partners.add(permis.partners.get(name="Région Bretagne"))
    assert "Partenaire commun : Région Bretagne" in pair_reason(pool, permis)
    content = _page(client, pool).content.decode()
    suggested = content.partition("Expérimentations proches, suggérées")[2]
    assert "Aucune expérimentation proche pour l'instant." in suggested
    assert escape(permis.title) not in suggested and escape(rural.title) not in suggested
    assert escape(rural.title) in _page(client, permis).content.decode()

"""The experiments' search: what a person looking for an experiment relies on."""

from html import unescape

import pytest
from django.urls import reverse

from kenlabour.lab.enums import Phase
from kenlabour.lab.tests.factories import (
    ExperimentFactory,
    LabFactory,
    PublicFactory,
    ThemeFactory,
)
from kenlabour.network.tests.factories import commune
from kenlabour.territories.models import Departement

pytestmark = pytest.mark.django_db


def _search(client, **params) -> str:
    response = client.get(reverse("lab:experiments"), params)
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_the_keywords_ignore_accents_and_case_like_the_directory(client):
    ExperimentFactory(title="Mobilité des aînés en zone rurale")
    ExperimentFactory(title="Cantine scolaire", summary="Des repas locaux à l'école.")
    ExperimentFactory(title="Autre chose", problem="Rien à voir.", reframed_problem="")
    content = _search(client, q="MOBILITE aines")
    assert "Mobilité des aînés en zone rurale" in content
    assert "Cantine scolaire" not in content and "Autre chose" not in content
    assert "1 expérimentation" in content
    assert "Cantine scolaire" in _search(client, q="ecole")
    assert 'value="MOBILITE aines"' in content, "the words typed stay in the field"


def test_an_experiment_of_another_phase_is_not_listed(client):
    ExperimentFactory(title="Au stade du problème")
    ExperimentFactory(title="Au stade du test", phase=Phase.PROTOTYPE)
    content = _search(client, etape=Phase.PROTOTYPE)
    assert "Au stade du test" in content and "Au stade du problème" not in content


def test_an_experiment_for_another_public_is_not_listed(client):
    youth = PublicFactory(name="Jeunes de 16 à 25 ans", slug="jeunes")
    elders = PublicFactory(name="Personnes âgées", slug="ages")
    for_youth = ExperimentFactory(title="Pour les jeunes")
    for_youth.publics.add(youth)
    ExperimentFactory(title="Pour les aînés").publics.add(elders)
    content = _search(client, public="jeunes")
    assert "Pour les jeunes" in content and "Pour les aînés" not in content


def test_an_experiment_of_another_theme_is_not_listed(client):
    theme = ThemeFactory(name="Alimentation", slug="alimentation")
    ExperimentFactory(title="Sur l'alimentation").themes.add(theme)
    ExperimentFactory(title="Sans thème")
    content = _search(client, theme="alimentation")
    assert "Sur l'alimentation" in content and "Sans thème" not in content


def test_the_territory_keeps_the_experiments_held_in_the_departement_or_its_communes(client):
    commune("29232")  # the Finistère and Ille-et-Vilaine exist in the test gazetteer
    commune("35238")
    finistere, ille = Departement.objects.get(code="29"), Departement.objects.get(code="35")
    ExperimentFactory(title="Dans tout le Finistère").departements.add(finistere)
    ExperimentFactory(title="À Quimper").communes.add(commune("29232"))
    ExperimentFactory(title="À Rennes").communes.add(commune("35238"))
    ExperimentFactory(title="En Ille-et-Vilaine").departements.add(ille)
    content = _search(client, territoire="29")
    assert "Dans tout le Finistère" in content and "À Quimper" in content
    assert "À Rennes" not in content and "En Ille-et-Vilaine" not in content
    assert "2 expérimentations" in content


def test_a_search_without_match_says_so(client):
    ExperimentFactory(title="Cantine")
    content = _search(client, q="astronomie")
    assert "0 expérimentation" in content
    assert "Aucune expérimentation ne correspond à ces critères." in content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"territoire": "999"}, "Choisissez un département de la liste."),
        ({"public": "inconnu"}, "Sélectionnez un choix valide"),
        ({"q": "x" * 300}, "Saisissez au plus 200 caractères"),
    ],
)
def test_a_wrong_filter_is_said_at_its_field_and_the_others_still_apply(client, params, message):
    ExperimentFactory(title="Toujours listée")
    content = _search(client, **params)
    assert message in content and "La recherche contient une erreur" in content
    assert "Toujours listée" in content


def test_a_long_list_is_cut_into_pages_that_keep_the_filters(client):
    lab = LabFactory()
    for n in range(23):
        ExperimentFactory(lab=lab, title=f"Essai numéro {n:02d}")
    ExperimentFactory(title="D'un autre laboratoire")
    first = _search(client, labo=lab.slug, q="essai")
    assert "23 expérimentations" in first
    next_link = first.split('rel="next"')[0].rsplit("href=", 1)[1]
    assert f"labo={lab.slug}" in next_link and "q=essai" in next_link
    second = _search(client, labo=lab.slug, q="essai", page="2")
    assert second.count("Essai numéro") == 3


@pytest.mark.parametrize("rows", [3, 25])
def test_a_page_of_the_search_takes_the_same_queries_whatever_the_rows(
    client, django_assert_max_num_queries, rows
):
    commune("29232")
    theme, public = ThemeFactory(slug="t"), PublicFactory(slug="p")
    finistere = Departement.objects.get(code="29")
    for _n in range(rows):
        experiment = ExperimentFactory(phase=Phase.PROBLEM)
        experiment.themes.add(theme)
        experiment.publics.add(public)
        experiment.departements.add(finistere)
    params = {"q": "usagers", "etape": "problem", "theme": "t", "public": "p", "territoire": "29"}
    # The three lookups of the filters, the keywords' candidates, the count, four choice
    # lists, the page and its themes and publics.
    with django_assert_max_num_queries(12):
        assert client.get(reverse("lab:experiments"), params).status_code == 200

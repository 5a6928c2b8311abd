"""The coordinators' search of a campaign's needs: what a coordinator relies on."""

import html

import pytest
from django.urls import reverse

from kenlabour.mobilisation.enums import NeedStatus
from kenlabour.mobilisation.tests.factories import NeedFactory, coordinator
from kenlabour.mobilisation.tests.pages_needs import campaign_with_items
from kenlabour.network.tests.factories import commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return campaign_with_items()


def _search(client, campaign, **params) -> str:
    client.force_login(coordinator(campaign))
    response = client.get(reverse("mobilisation:needs", kwargs={"slug": campaign.slug}), params)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _need(campaign, **kwargs):
    return NeedFactory(campaign=campaign, item_type=campaign.item_types.first(), **kwargs)


def test_the_keywords_find_a_need_by_its_establishment_accents_and_case_ignored(client, campaign):
    _need(campaign, requester_name="EHPAD Les Glycines")
    _need(campaign, requester_name="Centre hospitalier de Morlaix")
    content = _search(client, campaign, q="glycines ehpad")
    assert "EHPAD Les Glycines" in content and "Centre hospitalier de Morlaix" not in content
    assert "1 besoin" in content
    assert 'value="glycines ehpad"' in content, "the words typed stay in the field"


def test_the_keywords_look_in_the_contact_the_commune_and_the_note(client, campaign):
    _need(campaign, requester_name="À Rennes", commune=commune("35238"))
    _need(campaign, requester_name="Avec une note", note="Livrer à l'accueil côté Étang")
    _need(campaign, requester_name="Autre contact", contact_name="Yann Morvan")
    assert "À Rennes" in _search(client, campaign, q="RENNES")
    found = _search(client, campaign, q="etang")
    assert "Avec une note" in found and "À Rennes" not in found
    found = _search(client, campaign, q="morvan")
    assert "Autre contact" in found and "Avec une note" not in found


def test_a_cancelled_need_is_not_listed_when_submitted_is_chosen(client, campaign):
    _need(campaign, requester_name="Déposé hier", status=NeedStatus.SUBMITTED)
    _need(campaign, requester_name="Annulé", status=NeedStatus.CANCELLED, status_note="Doublon")
    content = _search(client, campaign, statut=NeedStatus.SUBMITTED, q="")
    listed = content.split('id="liste"')[1]
    assert "Déposé hier" in listed and "Annulé" not in listed


def test_keyword_and_status_combine(client, campaign):
    _need(campaign, requester_name="EHPAD de Brest", status=NeedStatus.SUBMITTED)
    _need(campaign, requester_name="EHPAD de Quimper")
    content = _search(client, campaign, q="ehpad", statut=NeedStatus.VALIDATED)
    assert "EHPAD de Quimper" in content and "EHPAD de Brest" not in content


def test_a_search_without_match_says_so(client, campaign):
    _need(campaign, requester_name="EHPAD Les Glycines")
    content = _search(client, campaign, q="pharmacie")
    assert "0 besoin" in content and "Aucun besoin ne correspond à ces critères." in content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 300}, "Saisissez au plus 200 caractères"),
        ({"statut": "perdu"}, "Choisissez un statut de la liste."),
        ({"urgence": "99999"}, "Choisissez un degré d'urgence de la liste."),
    ],
)
def test_a_wrong_filter_is_said_at_its_field_and_the_others_still_apply(
    client, campaign, params, message
):
    _need(campaign, requester_name="Toujours listé")
    content = _search(client, campaign, **params)
    assert message in content and "La recherche contient une erreur" in content
    assert "Toujours listé" in content


def test_a_long_list_is_cut_into_pages_that_keep_the_keywords(client, campaign):
    for n in range(55):
        _need(campaign, requester_name=f"Pharmacie n° {n:02d}")
    _need(campaign, requester_name="EHPAD hors recherche")
    first = _search(client, campaign, q="pharmacie")
    assert "55 besoins" in first and "EHPAD hors recherche" not in first
    assert "q=pharmacie" in first.split('rel="next"')[0].rsplit("href=", 1)[1]
    second = _search(client, campaign, q="pharmacie", page="2")
    assert second.count("Pharmacie n°") == 5


@pytest.mark.parametrize("rows", [2, 30])
def test_a_page_of_the_search_takes_the_same_queries_whatever_the_rows(
    client, campaign, django_assert_max_num_queries, rows
):
    for n in range(rows):
        _need(campaign, requester_name=f"EHPAD {n}", commune=commune("35238"))
    client.force_login(coordinator(campaign))
    url = reverse("mobilisation:needs", kwargs={"slug": campaign.slug})
    params = {"q": "ehpad rennes", "statut": NeedStatus.VALIDATED, "departement": "35"}
    with django_assert_max_num_queries(16):
        assert client.get(url, params).status_code == 200

"""The workshops' search: what a person looking for a workshop relies on."""

import datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from kenlabour.lab.tests.factories import (
    LabFactory,
    MethodFactory,
    RegistrationFactory,
    ThemeFactory,
    WorkshopFactory,
    in_days,
)
from kenlabour.network.tests.factories import commune

pytestmark = pytest.mark.django_db


def _search(client, **params) -> str:
    response = client.get(reverse("lab:workshops"), params)
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_the_list_starts_today_and_says_so_in_its_field(client):
    WorkshopFactory(title="Demain matin", starts_at=in_days(1), ends_at=in_days(1, 12))
    WorkshopFactory(title="Hier matin", starts_at=in_days(-1), ends_at=in_days(-1, 12))
    content = _search(client)
    assert "Demain matin" in content and "Hier matin" not in content
    assert f'value="{timezone.localdate().isoformat()}"' in content
    assert "1 atelier" in content


def test_only_the_workshops_held_between_the_two_days_are_listed(client):
    WorkshopFactory(title="Dans cinq jours", starts_at=in_days(5), ends_at=in_days(5, 12))
    WorkshopFactory(title="Dans dix jours", starts_at=in_days(10), ends_at=in_days(10, 12))
    WorkshopFactory(title="Dans vingt jours", starts_at=in_days(20), ends_at=in_days(20, 12))
    today = timezone.localdate()
    content = _search(
        client,
        du=(today + datetime.timedelta(days=8)).isoformat(),
        au=(today + datetime.timedelta(days=10)).strftime("%d/%m/%Y"),
    )
    assert "Dans dix jours" in content
    assert "Dans cinq jours" not in content and "Dans vingt jours" not in content
    assert "1 atelier" in content


def test_the_past_workshops_can_be_searched_by_dates_too(client):
    WorkshopFactory(title="Le mois dernier", starts_at=in_days(-30), ends_at=in_days(-30, 12))
    WorkshopFactory(title="La semaine dernière", starts_at=in_days(-7), ends_at=in_days(-7, 12))
    today = timezone.localdate()
    content = _search(
        client, passes="on", au=(today - datetime.timedelta(days=20)).isoformat(), du=""
    )
    assert "Le mois dernier" in content and "La semaine dernière" not in content


def test_an_online_workshop_is_not_listed_when_on_site_is_chosen(client):
    WorkshopFactory(title="À la médiathèque")
    WorkshopFactory(title="Par visioconférence", commune=None, online_url="https://visio.bzh/a")
    WorkshopFactory(title="Les deux à la fois", online_url="https://visio.bzh/b")
    on_site = _search(client, format="sur_place")
    assert "À la médiathèque" in on_site and "Les deux à la fois" in on_site
    assert "Par visioconférence" not in on_site
    online = _search(client, format="en_ligne")
    assert "Par visioconférence" in online and "Les deux à la fois" in online
    assert "À la médiathèque" not in online
    assert "checked" in online.split('value="en_ligne"')[1].split(">")[0], "the choice is kept"


def test_a_workshop_far_from_the_commune_typed_is_not_listed(client):
    WorkshopFactory(title="À Rennes même", commune=commune("35238"))
    WorkshopFactory(title="À Quimper, loin", commune=commune("29232"))
    content = _search(client, pres_de="rennes", rayon="30")
    assert "À Rennes même" in content and "À Quimper, loin" not in content
    assert 'value="Rennes (35)"' in content or 'value="rennes"' in content


def test_the_keywords_ignore_accents_and_case_and_every_word_must_match(client):
    WorkshopFactory(title="Rénovation énergétique des écoles")
    WorkshopFactory(title="Énergie et mobilité", purpose="Covoiturage rural.")
    WorkshopFactory(title="Autre sujet", method=MethodFactory(name="World café"))
    content = _search(client, q="ENERGETIQUE")
    assert "Rénovation énergétique des écoles" in content and "Énergie et mobilité" not in content
    content = _search(client, q="energie covoiturage")
    assert "Énergie et mobilité" in content and "Rénovation" not in content
    assert "Autre sujet" in _search(client, q="world cafe")


def test_a_search_without_match_says_so(client):
    WorkshopFactory(title="Atelier vélo")
    content = _search(client, q="trottinette")
    assert "0 atelier" in content
    assert "Aucun atelier ne correspond à ces critères." in content


@pytest.mark.parametrize(
    ("params", "field_message"),
    [
        ({"du": "0001-01-01"}, "Indiquez une date entre 2000 et 2099."),
        ({"au": "99999-01-01"}, "Écrivez une date, par exemple 14/03/2027."),
        ({"du": "today", "au": "yesterday"}, "Cette date doit suivre la date de début."),
        ({"pres_de": "Quimper", "rayon": "-5"}, "Le rayon doit être d'au moins 1 km."),
        ({"pres_de": "Quimper", "rayon": "1" + "0" * 30}, "Le rayon ne peut pas dépasser 200 km."),
        ({"pres_de": "Quimper", "rayon": "12.5"}, "Saisissez un nombre entier de kilomètres"),
        ({"format": "hybride"}, "Choisissez « sur place » ou « en ligne »."),
        ({"q": "x" * 300}, "Saisissez au plus 200 caractères"),
    ],
)
def test_a_date_or_number_out_of_bounds_is_said_at_its_field_never_a_500(
    client, params, field_message
):
    WorkshopFactory(title="Toujours listé")
    today = timezone.localdate()
    days = {"today": today, "yesterday": today - datetime.timedelta(days=1)}
    params = {key: days[v].isoformat() if v in days else v for key, v in params.items()}
    content = _search(client, **params)
    assert field_message in content
    assert "La recherche contient une erreur" in content
    assert "Toujours listé" in content, "the other filters still apply"


def test_a_long_list_is_cut_into_pages_that_keep_the_filters(client):
    lab = LabFactory()
    for n in range(25):
        WorkshopFactory(lab=lab, title=f"Atelier numéro {n:02d}", starts_at=in_days(2 + n))
    WorkshopFactory(title="D'un autre labo")
    first = _search(client, labo=lab.slug)
    assert "25 ateliers" in first
    assert "Atelier numéro 00" in first and "Atelier numéro 24" not in first
    assert f"labo={lab.slug}" in first.split('rel="next"')[0].rsplit("href=", 1)[1]
    second = _search(client, labo=lab.slug, page="2")
    assert "Atelier numéro 24" in second and "Atelier numéro 00" not in second
    assert 'aria-current="page"' in second


@pytest.mark.parametrize("rows", [3, 30])
def test_a_page_of_the_search_takes_the_same_queries_whatever_the_rows(
    client, django_assert_max_num_queries, rows
):
    lab, theme = LabFactory(), ThemeFactory()
    for n in range(rows):
        workshop = WorkshopFactory(
            lab=lab,
            method=MethodFactory(),
            commune=commune("35238"),
            online_url="https://visio.bzh/x" if n % 2 else "",
        )
        workshop.themes.add(theme)
        RegistrationFactory(workshop=workshop)
    params = {
        "q": "parcours usagers",
        "labo": lab.slug,
        "theme": theme.slug,
        "format": "sur_place",
        "pres_de": "Rennes",
        "rayon": "20",
        "au": "2099-12-31",
    }
    with django_assert_max_num_queries(12):
        assert client.get(reverse("lab:workshops"), params).status_code == 200

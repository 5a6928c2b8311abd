import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from kenlabour.territories.enums import CoordinatesSource
from kenlabour.territories.models import Commune

pytestmark = pytest.mark.django_db

URL = reverse("territories:communes")
DISTANCE_URL = reverse("territories:distance")


def test_urls_are_under_territoires():
    assert URL == "/territoires/communes/"
    assert DISTANCE_URL == "/territoires/distance/"


def test_empty_page_shows_both_forms_with_labels(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_q"' in html
    assert '<label for="id_a"' in html and '<label for="id_b"' in html
    assert f'action="{DISTANCE_URL}"' in html
    assert 'aria-describedby="id_q_helptext"' in html
    assert "<table" not in html
    # A strict CSP: no inline script or style.
    assert "<script>" not in html and 'style="' not in html


def test_search_lists_communes_with_departement_postcodes_and_population(client):
    response = client.get(URL, {"q": "quimper"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<caption id="communes-legende">' in html
    assert 'aria-labelledby="communes-legende"' in html  # the table's scrollable region
    assert '<th scope="col">' in html
    assert '<th scope="row">Quimper</th>' in html
    assert "Finistère (29)" in html
    assert "29000" in html
    rows = re.findall(r'<th scope="row">([^<]+)</th>', html)
    assert rows[0] == "Quimper"
    assert "Quimperlé" in rows


def test_search_by_postcode(client):
    html = client.get(URL, {"q": "29200"}).content.decode()
    assert '<th scope="row">Brest</th>' in html


def test_search_without_results_says_so(client):
    html = client.get(URL, {"q": "Quimperlé-sur-Mer"}).content.decode()
    assert "Aucune commune ne correspond à « Quimperlé-sur-Mer »" in html
    assert "<table" not in html


def test_empty_search_shows_the_error_at_the_field(client):
    html = client.get(URL, {"q": ""}).content.decode()
    assert 'id="id_q_error"' in html
    assert "Saisissez un nom de commune ou un code postal." in html
    assert 'aria-invalid="true"' in html


def test_distance_page_without_input(client):
    response = client.get(DISTANCE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_a"' in html and "errorlist" not in html


def test_distance_between_two_communes(client):
    response = client.get(DISTANCE_URL, {"a": "Quimper", "b": "Brest"})
    html = response.content.decode()
    match = re.search(r"Quimper – Brest : (\d+) km", html)
    assert match, html
    assert 45 < int(match[1]) < 60


def test_distance_with_an_unknown_commune_shows_the_error_at_its_field(client):
    response = client.get(DISTANCE_URL, {"a": "Quimper", "b": "Quimperlé-sur-Mer"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_b_error"' in html
    assert "Aucune commune ne correspond à « Quimperlé-sur-Mer »" in html
    assert 'id="id_a_error"' not in html
    assert 'aria-describedby="id_b_helptext id_b_error"' in html
    assert " km" not in html.split("<h1>")[1].split("<form")[0]
    assert re.search(r"<title>\s*Erreur", html)


def test_distance_under_ten_kilometres_has_a_decimal(client):
    html = client.get(DISTANCE_URL, {"a": "Quimper", "b": "Ergué-Gabéric"}).content.decode()
    assert re.search(r"Quimper – Ergué-Gabéric : \d,\d km", html), html


def test_distance_mentions_an_approximate_position(client):
    approximate = (
        Commune.objects.exclude(coordinates_source=CoordinatesSource.GEONAMES)
        .filter(departement_id="29")
        .first()
    )
    html = client.get(
        DISTANCE_URL, {"a": f"INSEE {approximate.code}", "b": "Brest"}
    ).content.decode()
    source = escape(approximate.get_coordinates_source_display().lower())
    assert f"La position de {escape(approximate.name)} est approchée ({source})" in html
    assert "La position de Brest" not in html


def test_post_is_refused(client):
    assert client.post(URL, {"q": "brest"}).status_code == 405
    assert client.post(DISTANCE_URL, {"a": "brest"}).status_code == 405


def count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params).status_code == 200
    return len(queries)


def test_search_query_count_does_not_grow_with_results(client, django_assert_max_num_queries):
    count_queries(client, {})  # warm whatever the first request of a process caches
    # Two results, then a full page of results (each with its postcodes and département).
    few = count_queries(client, {"q": "quimper"})
    many = count_queries(client, {"q": "plou"})
    assert few == many
    with django_assert_max_num_queries(3):
        client.get(URL, {"q": "saint"})


def test_distance_query_count_is_constant(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get(DISTANCE_URL, {"a": "Quimper (29)", "b": "29200"})
    assert "Quimper – Brest" in response.content.decode()

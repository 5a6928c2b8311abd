"""The directory, actor, map and export pages (the directory part of views.py)."""

import csv
import datetime
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kenlabour.network import columns, spreadsheet
from kenlabour.network.enums import LinkSourceKind, ResourceKind
from kenlabour.network.models import Actor
from kenlabour.network.services import graph as graph_services
from kenlabour.network.tests.factories import (
    FablabFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceLessCollectiveFactory,
    commune,
    equip,
    facilitator,
)
from kenlabour.territories.geo import haversine_km

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("network:directory")
MAP = reverse("network:map")
MAP_DATA = reverse("network:map_data")


def content_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def rows_of_table(html: str) -> list[str]:
    """The names in the results table, in order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r'<th scope="row">\s*<a href="[^"]+">([^<]+)</a>', body)


def populate(count: int) -> None:
    """`count` more actors of every shape: fablabs with resources, people, place-less…
    named so that the shapes alternate in the directory's order, on every page."""
    quimper, brest = commune("29232"), commune("29019")
    start = Actor.objects.count()
    for n in range(start, start + count):
        shape, name = n % 4, f"Acteur {n:03d}"
        if shape == 0:
            equip(
                FablabFactory(name=name, commune=quimper if n % 8 else brest),
                ResourceKind.LASER_CUTTER,
                ResourceKind.PRINTER_3D,
            )
        elif shape == 1:
            PersonFactory(name=name, commune=quimper, public_consent=bool(n % 3))
        elif shape == 2:
            collective = PlaceLessCollectiveFactory(name=name)
            collective.area_communes.add(quimper)
            collective.area_departements.add("29")
            collective.area_epcis.add(quimper.epci_id)
        else:
            equip(OrganisationFactory(name=name, commune=brest), ResourceKind.SEWING_MACHINE)


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
        content_of(response)
    return len(queries)


# --- directory ------------------------------------------------------------------------


def test_directory_lists_the_search_results(client):
    laser = equip(FablabFactory(name="Fablab Brodéuse"), ResourceKind.LASER_CUTTER)
    FablabFactory(name="Fablab sans laser")

    response = client.get(DIRECTORY, {"q": "brodeuse"})

    html = response.content.decode()
    assert rows_of_table(html) == [laser.name]
    assert "Découpeuse laser × 1" in html
    assert "1 acteur trouvé" in html


def test_directory_without_any_actor_says_so(client):
    response = client.get(DIRECTORY)

    assert response.status_code == 200
    assert "Aucun acteur ne correspond" in response.content.decode()


def test_radius_search_shows_distances_nearest_first(client):
    quimper, brest = commune("29232"), commune("29019")
    douarnenez = commune("29046")
    for place in (brest, douarnenez, quimper):
        FablabFactory(name=f"Fablab de {place.name}", commune=place)

    html = client.get(DIRECTORY, {"commune": "Quimper", "rayon": "30"}).content.decode()

    expected = sorted(
        (haversine_km(quimper.latitude, quimper.longitude, c.latitude, c.longitude), c.name)
        for c in (brest, douarnenez, quimper)
    )
    expected = [(d, name) for d, name in expected if d <= 30]
    assert rows_of_table(html) == [f"Fablab de {name}" for _d, name in expected]
    assert '<th scope="col">Distance</th>' in html
    cells = re.findall(r'<td class="number">\s*([^<]+?)\s*</td>', html)
    assert cells == [
        (f"{distance:.1f}".replace(".", ",") if distance < 10 else f"{round(distance)}") + " km"
        for distance, _name in expected
    ]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"rayon": "30"}, "commune", "Indiquez la commune autour de laquelle chercher"),
        ({"commune": "Quimper", "rayon": "mille"}, "rayon", "nombre entier de kilomètres"),
        ({"commune": "Quimper", "rayon": "5000"}, "rayon", "ne peut pas dépasser 200 km"),
        ({"commune": "Quimperlé-sur-Mer"}, "commune", "Aucune commune ne correspond"),
        ({"departement": "999"}, "departement", "Choisissez un département de la liste"),
        ({"epci": "Communauté imaginaire"}, "epci", "Aucune intercommunalité"),
        ({"type": "robot"}, "type", "Sélectionnez un choix valide"),
    ],
)
def test_wrong_filters_get_a_french_message_at_the_field(client, query, field, message):
    response = client.get(DIRECTORY, query)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert re.search(r"<title>\s*Erreur :", html)
    assert "Corrigez la recherche" in html


def test_pagination_keeps_the_filters_and_marks_the_current_page(client):
    for n in range(45):
        FablabFactory(name=f"Fablab {n:02d}")
    OrganisationFactory(name="Pas un fablab")

    response = client.get(DIRECTORY, {"type_organisation": "fablab", "page": "2"})

    html = response.content.decode()
    assert rows_of_table(html) == [f"Fablab {n:02d}" for n in range(20, 40)]
    nav = html.split('<nav class="pagination"', 1)[1].split("</nav>", 1)[0]
    assert re.search(r'href="\?type_organisation=fablab&amp;page=2" aria-current="page"', nav)
    assert 'href="?type_organisation=fablab&amp;page=3"' in nav
    assert 'rel="prev"' in nav and 'rel="next"' in nav
    assert "(page 2 sur 3)" in html
    last = client.get(DIRECTORY, {"type_organisation": "fablab", "page": "3"}).content.decode()
    assert rows_of_table(last) == [f"Fablab {n:02d}" for n in range(40, 45)]
    # A page number out of range gives the last page, not an error.
    assert client.get(DIRECTORY, {"page": "99"}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        DIRECTORY,
        DIRECTORY + "?q=fablab",
        DIRECTORY + "?commune=Quimper&rayon=60",
        DIRECTORY + "?departement=29",
        MAP + "?commune=Quimper&rayon=60",
        MAP_DATA,
        MAP_DATA + "?commune=Quimper&rayon=60",
        reverse("network:export_csv"),
        reverse("network:export_xlsx") + "?departement=29",
        reverse("network:export_geojson") + "?commune=Quimper&rayon=60",
    ],
)
def test_query_count_does_not_grow_with_the_number_of_actors(client, url):
    populate(5)
    few = query_count(client, url)
    populate(35)
    assert Actor.objects.count() == 40
    many = query_count(client, url)
    assert many == few, f"{url}: {few} queries for 5 actors, {many} for 40"


def test_query_count_of_a_facilitators_directory_does_not_grow(client):
    client.force_login(facilitator())
    populate(5)
    few = query_count(client, DIRECTORY + "?commune=Quimper&rayon=60")
    populate(35)
    assert query_count(client, DIRECTORY + "?commune=Quimper&rayon=60") == few


# --- actor page -------------------------------------------------------------------------


def test_actor_page_shows_who_the_actor_is_and_what_it_has(client):
    fablab = equip(
        FablabFactory(
            name="Fablab de l'Odet",
            description="Un atelier ouvert à tous.",
            skills="Impression 3D, découpe laser",
            website="https://fablab.example.org",
            email="contact@fablab.example.org",
            address="12 quai de l'Odet",
        ),
        ResourceKind.LASER_CUTTER,
    )
    administration = OrganisationFactory(organisation_kind="state", name="Préfecture")
    administration.directorates.create(name="Direction des solidarités", acronym="DDETS")

    html = client.get(fablab.get_absolute_url()).content.decode()

    for text in (
        "Fablab de l&#x27;Odet",
        "Un atelier ouvert à tous.",
        "Impression 3D, découpe laser",
        "12 quai de l&#x27;Odet",
        "Quimper (Finistère, 29)",
        'href="https://fablab.example.org"',
        'href="mailto:contact@fablab.example.org"',
        '<th scope="row">Découpeuse laser</th>',
        "Liens d'interconnaissance",
    ):
        assert text in html, text
    state_html = client.get(administration.get_absolute_url()).content.decode()
    assert "Direction des solidarités" in state_html


def test_actor_page_counts_the_members_who_are_not_public(client):
    group = OrganisationFactory()
    public = MembershipFactory(group=group, person=PersonFactory(public_consent=True)).person
    hidden = [
        MembershipFactory(group=group, person=PersonFactory(public_consent=False)).person
        for _ in range(3)
    ]

    html = client.get(group.get_absolute_url()).content.decode()

    assert public.name in html
    assert all(person.name not in html for person in hidden)
    assert "Et 3 autres membres" in html


def test_actor_page_lists_links_with_their_weight_and_dates(client):
    fablab, mairie = FablabFactory(), OrganisationFactory(name="Mairie de Quimper")
    for n, day in enumerate((3, 17)):
        graph_services.record_cooperation(
            [fablab.pk, mairie.pk],
            kind=LinkSourceKind.WORKSHOP,
            reference=f"w{n}",
            date=datetime.date(2020, 4, day),
            label=f"Atelier visières {n}",
            weight=2,
        )

    html = client.get(fablab.get_absolute_url()).content.decode()

    row = html.split("Mairie de Quimper", 1)[1].split("</tr>", 1)[0]
    assert '<td class="number">4</td>' in row
    assert '<time datetime="2020-04-03">' in row
    assert '<time datetime="2020-04-17">' in row
    assert "Atelier visières 0" in row and "Atelier visières 1" in row


def test_people_without_consent_have_no_public_page(client):
    person = PersonFactory(public_consent=False)

    assert client.get(person.get_absolute_url()).status_code == 404
    client.force_login(facilitator())
    response = client.get(person.get_absolute_url())
    assert response.status_code == 200
    assert "n'a pas accepté que sa page soit publique" in response.content.decode()


def test_query_count_of_an_actor_page_does_not_grow_with_links_and_members(client):
    fablab = equip(FablabFactory(), ResourceKind.LASER_CUTTER)

    def grow(count):
        for _ in range(count):
            other = PersonFactory(public_consent=True)
            MembershipFactory(group=fablab, person=other)
            graph_services.record_cooperation(
                [fablab.pk, other.pk],
                kind=LinkSourceKind.WORKSHOP,
                reference=f"atelier-{other.pk}",
                date=datetime.date(2020, 4, 1),
            )

    grow(3)
    few = query_count(client, fablab.get_absolute_url())
    grow(30)
    assert query_count(client, fablab.get_absolute_url()) == few


# --- map ------------------------------------------------------------------------------


def test_map_page_is_the_list_with_a_map_block_hidden_until_javascript_runs(client):
    fablab = FablabFactory(name="Fablab Kemper")

    html = client.get(MAP, {"q": "kemper"}).content.decode()

    assert rows_of_table(html) == [fablab.name]
    block = re.search(r'<div id="carte-bloc"[^>]*>', html).group(0)
    assert "hidden" in block
    assert f'data-geojson-url="{MAP_DATA}?q=kemper"' in html
    assert 'role="region"' in html and 'aria-label="Carte des acteurs"' in html
    assert 'href="#resultats"' in html


def test_map_data_answers_geojson_for_the_filters(client):
    quimper = commune("29232")
    kept = FablabFactory(name="Fablab Kemper", commune=quimper)
    FablabFactory(name="Fablab de Rennes", commune=commune("35238"))

    response = client.get(MAP_DATA, {"commune": "Quimper", "rayon": "30"})

    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert [f["properties"]["name"] for f in data["features"]] == [kept.name]
    assert data["features"][0]["properties"]["url"] == kept.get_absolute_url()


def test_map_data_with_wrong_filters_answers_400_with_the_messages(client):
    response = client.get(MAP_DATA, {"rayon": "30"})

    assert response.status_code == 400
    assert "commune" in response.json()["errors"]


# --- exports ---------------------------------------------------------------------------


@pytest.fixture
def directory_records():
    quimper = commune("29232")
    fablab = equip(
        FablabFactory(
            name="Fablab Kemper",
            commune=quimper,
            description='=HYPERLINK("http://example.com")',
            email="contact@kemper.example.org",
        ),
        ResourceKind.LASER_CUTTER,
        ResourceKind.PRINTER_3D,
    )
    public = PersonFactory(name="Yann Morvan", public_consent=True, commune=quimper)
    hidden = PersonFactory(name="Anne Le Goff", public_consent=False, commune=quimper)
    collective = PlaceLessCollectiveFactory(name="Couturières du Finistère")
    collective.area_departements.add("29")
    return {"fablab": fablab, "public": public, "hidden": hidden, "collective": collective}


def expected_names(user_is_facilitator: bool, records) -> list[str]:
    actors = [records["fablab"], records["public"], records["collective"]]
    if user_is_facilitator:
        actors.append(records["hidden"])
    return sorted(actor.name for actor in actors)


@pytest.mark.parametrize("staff", [False, True])
def test_csv_export_is_for_french_spreadsheets_and_follows_the_records(
    client, directory_records, staff
):
    if staff:
        client.force_login(facilitator())

    response = client.get(reverse("network:export_csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="reseau-acteurs-' in response["Content-Disposition"]
    data = content_of(response)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(columns.EXPORT_COLUMNS)
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [r[columns.NAME] for r in records] == expected_names(staff, directory_records)
    fablab = directory_records["fablab"]
    [row] = [r for r in records if r[columns.NAME] == fablab.name]
    assert row[columns.RESOURCES] == "Découpeuse laser:1, Imprimante 3D:1"
    assert row[columns.COMMUNE] == "Quimper (29)"
    assert row[columns.EMAIL] == fablab.email
    assert row[columns.LATITUDE] == str(round(fablab.latitude, 5)).replace(".", ",")
    # A formula typed by someone is written as text, not run by the spreadsheet.
    assert row[columns.DESCRIPTION] == "'" + fablab.description
    assert row[columns.PAGE] == "http://testserver" + fablab.get_absolute_url()


def test_csv_export_is_read_back_by_the_import(client, directory_records):
    data = content_of(client.get(reverse("network:export_csv")))

    table = spreadsheet.read_table(
        data, known_columns=columns.COLUMNS, required_columns=columns.REQUIRED
    )

    assert set(table.columns) == set(columns.COLUMNS)
    names = [row.cells[columns.NAME] for row in table.rows]
    assert names == expected_names(False, directory_records)


@pytest.mark.parametrize("staff", [False, True])
def test_xlsx_export_follows_the_records(client, directory_records, staff):
    if staff:
        client.force_login(facilitator())

    response = client.get(reverse("network:export_xlsx"))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == list(columns.EXPORT_COLUMNS)
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [r[columns.NAME] for r in records] == expected_names(staff, directory_records)
    fablab = directory_records["fablab"]
    [row] = [r for r in records if r[columns.NAME] == fablab.name]
    assert row[columns.LATITUDE] == pytest.approx(fablab.latitude, abs=1e-5)
    assert row[columns.DESCRIPTION] == fablab.description
    cell = next(c for c in sheet[2 + records.index(row)] if c.value == fablab.description)
    assert cell.data_type == "s"


def test_geojson_export_follows_the_records(client, directory_records):
    response = client.get(reverse("network:export_geojson"), {"departement": "29"})

    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(content_of(response))
    assert data["type"] == "FeatureCollection"
    features = {f["properties"][columns.NAME]: f for f in data["features"]}
    assert sorted(features) == expected_names(False, directory_records)
    fablab = directory_records["fablab"]
    assert features[fablab.name]["geometry"] == {
        "type": "Point",
        "coordinates": [round(fablab.longitude, 5), round(fablab.latitude, 5)],
    }
    collective = features[directory_records["collective"].name]
    assert collective["geometry"] is None
    assert collective["properties"][columns.AREA] == "Finistère"


def test_exports_apply_the_filters(client, directory_records):
    data = content_of(client.get(reverse("network:export_csv"), {"q": "kemper"}))

    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == [directory_records["fablab"].name]


def test_export_with_wrong_filters_sends_back_to_the_directory(client):
    response = client.get(reverse("network:export_csv"), {"rayon": "30"})

    assert response.status_code == 302
    assert response["Location"] == f"{DIRECTORY}?rayon=30"

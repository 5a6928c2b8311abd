"""The directory, the map and an actor's page in a real browser: the issue's acceptance
path by keyboard with JavaScript on and off, and axe-core with results shown."""

import base64
import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kenlabour.network import forms
from kenlabour.network.enums import LinkSourceKind, OrganisationKind, ResourceKind
from kenlabour.network.services import graph as graph_services
from kenlabour.network.tests.factories import (
    FablabFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceLessCollectiveFactory,
    equip,
)
from kenlabour.territories import selectors as territories
from kenlabour.territories.geo import haversine_km

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A transparent 1×1 PNG served instead of map tiles: the tests never reach the internet.
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def commune_at(centre, low: float, high: float):
    for other in territories.communes_within(centre, high):
        if low <= other.distance_km <= high:
            return other
    raise AssertionError(f"no commune {low}–{high} km from {centre}")


@pytest.fixture
def fablabs():
    """Fablabs in and out of 30 km of Quimper, with and without a laser cutter, and
    other organisations with one; returns the names of those the visitor must find,
    computed by haversine, and the name of the commune of each."""
    quimper = territories.get_commune("29232")
    places = {
        "in_centre": quimper,
        "in_near": commune_at(quimper, 12, 18),
        "in_edge": commune_at(quimper, 27, 29.5),
        "out_far": commune_at(quimper, 30.5, 33),
        "out_further": commune_at(quimper, 45, 60),
    }
    found = {}
    for key, place in places.items():
        laser = equip(
            FablabFactory(name=f"Fablab laser {key}", commune=place),
            ResourceKind.LASER_CUTTER,
        )
        distance = haversine_km(
            quimper.latitude, quimper.longitude, place.latitude, place.longitude
        )
        if distance <= 30:
            found[laser.name] = place.name
    # Near, but without a laser cutter; or with one, but not a fablab.
    equip(
        FablabFactory(name="Fablab sans laser", commune=places["in_near"]),
        ResourceKind.PRINTER_3D,
    )
    equip(
        OrganisationFactory(name="Association avec laser", commune=places["in_centre"]),
        ResourceKind.LASER_CUTTER,
    )
    assert set(found) == {"Fablab laser in_centre", "Fablab laser in_near", "Fablab laser in_edge"}
    return found


def serve_blank_tiles(page):
    page.route(
        "https://tile.openstreetmap.org/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_TILE),
    )


def tab_to(page, selector: str, limit: int = 120):
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.locator(f"{selector}:focus").count():
            return
    raise AssertionError(f"Tab never reached {selector}")


def option_position(field, value: str) -> int:
    """How many ArrowDown presses select `value` in a <select> (optgroups flattened)."""
    values = []
    for choice, label in field.choices:
        if isinstance(label, list | tuple):
            values.extend(v for v, _l in label)
        else:
            values.append(choice)
    return values.index(value)


def search_by_keyboard(page):
    """Fill the search form with the keyboard only and submit it with Enter."""
    form = forms.ActorSearchForm()
    tab_to(page, "#id_type_organisation")
    for _ in range(option_position(form.fields["type_organisation"], OrganisationKind.FABLAB)):
        page.keyboard.press("ArrowDown")
    tab_to(page, "#id_ressource")
    for _ in range(option_position(form.fields["ressource"], ResourceKind.LASER_CUTTER)):
        page.keyboard.press("ArrowDown")
    tab_to(page, "#id_commune")
    page.keyboard.type("Quimper")
    tab_to(page, "#id_rayon")
    page.keyboard.type("30")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def listed_names(page) -> list[str]:
    return page.locator("#resultats tbody th[scope=row]").all_inner_texts()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_a_visitor_finds_the_fablabs_with_a_laser_cutter_near_quimper_by_keyboard(
    browser, live_server, assert_accessible, fablabs, javascript
):
    context = browser.new_context(java_script_enabled=javascript, locale="fr-FR")
    page = context.new_page()
    serve_blank_tiles(page)
    console = []
    page.on("console", lambda message: console.append(message.text))

    # From the list.
    page.goto(live_server.url + reverse("network:directory"))
    search_by_keyboard(page)
    assert sorted(listed_names(page)) == sorted(fablabs)
    assert "à 30 km ou moins de Quimper" in page.locator("#resultats caption").inner_text()

    # From the map: the link keeps the search.
    tab_to(page, "a[href^='/reseau/carte/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.startswith(live_server.url + reverse("network:map") + "?")
    assert sorted(listed_names(page)) == sorted(fablabs)
    map_block = page.locator("#carte-bloc")
    if not javascript:
        expect(map_block).to_be_hidden()
        context.close()
        return

    # The map shows one marker per fablab found (each in its own commune), all focusable.
    page.wait_for_selector("#carte .leaflet-marker-icon")
    expect(map_block).to_be_visible()
    markers = page.locator("#carte .leaflet-marker-icon")
    expected_alts = {f"{name} — {place}" for name, place in fablabs.items()}
    assert {markers.nth(i).get_attribute("alt") for i in range(markers.count())} == expected_alts
    assert "3 lieux sur la carte" in page.locator("#carte-etat").inner_text()
    reached = set()
    for _ in range(len(fablabs)):
        tab_to(page, "#carte .leaflet-marker-icon")
        reached.add(page.evaluate("document.activeElement.getAttribute('alt')"))
    assert reached == expected_alts

    # Enter opens the marker's popup and moves the focus to the actor's link.
    page.keyboard.press("Enter")
    link = page.locator(".leaflet-popup-content a:focus")
    link.wait_for()
    name = link.inner_text()
    assert name in fablabs
    assert_accessible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == name
    assert not [m for m in console if "Content Security Policy" in m]
    context.close()


def test_directory_and_map_with_results_have_no_axe_violation(
    page, live_server, assert_accessible, fablabs
):
    serve_blank_tiles(page)
    collective = PlaceLessCollectiveFactory(name="Couturières du Finistère")
    collective.area_departements.add("29")
    PersonFactory(name="Yann Morvan", public_consent=True)
    query = "?type_organisation=&commune=Quimper&rayon=30"

    page.goto(live_server.url + reverse("network:directory") + query)
    assert len(listed_names(page)) >= len(fablabs)
    assert_accessible(page)

    page.goto(live_server.url + reverse("network:map") + query)
    page.wait_for_selector("#carte .leaflet-marker-icon")
    page.wait_for_selector("#carte path.leaflet-interactive")
    assert_accessible(page)

    page.set_viewport_size({"width": 360, "height": 740})
    for url in (reverse("network:directory"), reverse("network:map")):
        page.goto(live_server.url + url + query)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways on a phone ({overflow}px)"


def test_actor_page_has_no_axe_violation(page, live_server, assert_accessible):
    fablab = equip(
        FablabFactory(
            name="Fablab de l'Odet",
            description="Un atelier ouvert à tous.\n\nVisières en 2020.",
            skills="Impression 3D",
            website="https://fablab.example.org",
            email="contact@fablab.example.org",
            address="12 quai de l'Odet",
        ),
        ResourceKind.LASER_CUTTER,
        ResourceKind.PRINTER_3D,
        quantity=3,
    )
    MembershipFactory(group=fablab, person=PersonFactory(public_consent=True))
    MembershipFactory(group=fablab, person=PersonFactory(public_consent=False))
    mairie = OrganisationFactory(organisation_kind=OrganisationKind.LOCAL_AUTHORITY)
    mairie.directorates.create(name="Direction de l'action sociale")
    graph_services.record_cooperation(
        [fablab.pk, mairie.pk],
        kind=LinkSourceKind.WORKSHOP,
        reference="atelier-1",
        date=datetime.date(2020, 4, 3),
        label="Atelier visières",
    )

    for actor in (fablab, mairie):
        response = page.goto(live_server.url + actor.get_absolute_url())
        assert response.status == 200
        assert_accessible(page)

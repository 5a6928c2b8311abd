"""The maps' shared behaviour (web/static/web/maps.js), in Chromium: nearby places grouped
in clusters that are buttons named by their count and opened by keyboard; and, when the
tile server cannot be reached, the départements' outline shipped with the platform, said
above the map, with no axe-core violation."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import axe_violations, describe_violations
from kenlabour.network.tests.factories import FablabFactory
from kenlabour.network.tests.test_browser_directory import serve_blank_tiles
from kenlabour.territories.models import Commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTLINE_NOTE = "Le fond de carte ne répond pas : seuls les contours des départements sont dessinés."


@pytest.fixture
def fablabs():
    """A fablab in each of 40 communes of the Finistère: too many markers to read apart."""
    communes = Commune.objects.filter(departement_id="29").order_by("code")[:40]
    return [FablabFactory(name=f"Fablab de {c.name}", commune=c) for c in communes]


def test_nearby_places_are_clusters_named_by_their_count_and_opened_by_keyboard(
    page, live_server, fablabs
):
    serve_blank_tiles(page)
    page.goto(live_server.url + reverse("network:map") + "?departement=29")
    clusters = page.locator("#carte .map-cluster")
    clusters.first.wait_for()
    # Places are positions: two communes at one position (rare in the gazetteer) are one.
    places = len({(f.latitude, f.longitude) for f in fablabs})
    expect(page.locator("#carte-etat")).to_contain_text(f"{places} lieux sur la carte")
    name = re.compile(r"^(\d+) lieux : appuyez sur Entrée pour zoomer$")
    # Each cluster is a button whose accessible name says how many places it holds.
    named = page.locator("#carte").get_by_role("button", name=name)
    expect(named).to_have_count(clusters.count())
    counts = []
    for index in range(clusters.count()):
        cluster = clusters.nth(index)
        assert cluster.get_attribute("tabindex") == "0"
        label = cluster.locator(".visually-hidden").text_content()
        counts.append(int(name.match(label).group(1)))
    alone = page.locator("#carte .leaflet-marker-icon:not(.map-cluster)").count()
    assert sum(counts) + alone == places  # every place, once
    biggest = clusters.nth(counts.index(max(counts)))
    biggest.focus()
    page.keyboard.press("Enter")  # zooms in: the cluster opens into smaller ones or places
    expect(page.locator("#carte .leaflet-marker-icon:not(.map-cluster)")).not_to_have_count(alone)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_without_tiles_the_departements_outline_keeps_the_map_readable(page, live_server, fablabs):
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.goto(live_server.url + reverse("network:map") + "?departement=29")
    expect(page.get_by_text(OUTLINE_NOTE)).to_be_visible()
    borders = page.locator("#carte .leaflet-overlay-pane path:not(.leaflet-interactive)")
    expect(borders.first).to_be_attached()
    assert borders.count() >= 50
    # At the Finistère's zoom, the names of the départements are written.
    expect(page.locator("#carte .map-outline-label", has_text="Finistère")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_with_tiles_there_is_no_outline(page, live_server, fablabs):
    serve_blank_tiles(page)
    page.goto(live_server.url + reverse("network:map") + "?departement=29")
    page.locator("#carte .map-cluster").first.wait_for()
    page.wait_for_timeout(500)
    expect(page.get_by_text(OUTLINE_NOTE)).to_have_count(0)
    expect(page.locator("#carte .map-outline-label")).to_have_count(0)

"""The matching map in a real browser: what requesters typed on the public form is shown
as text in the tooltips, never read as HTML."""

import pytest
from playwright.sync_api import expect

from kenlabour.mobilisation.services import coordination
from kenlabour.mobilisation.tests.factories import (
    CapacityFactory,
    ItemTypeFactory,
    NeedFactory,
    coordinator,
)
from kenlabour.network.tests.factories import FablabFactory, commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = '<img src=x onerror="window.hacked = 1">EHPAD <b>gras</b>'


def test_a_need_named_with_html_shows_as_text_in_the_map_tooltip(
    browser, live_server, login_browser
):
    item = ItemTypeFactory()
    CapacityFactory(
        item_type=item, producer=FablabFactory(commune=commune("29019")), max_km=80
    )  # Brest, to Quimper
    NeedFactory(item_type=item, quantity=40, requester_name=HOSTILE)
    run = coordination.run_matching(coordinator(item.campaign), item.campaign)
    assert run.assignments.count() == 1
    context = browser.new_context(locale="fr-FR")
    login_browser(context, coordinator(item.campaign))
    page = context.new_page()
    # No tiles from the network in tests: the map and its lines are drawn all the same.
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.goto(live_server.url + run.get_absolute_url())
    line = page.locator("#carte path.leaflet-interactive[stroke='#1d4ed8']")
    line.wait_for()
    line.scroll_into_view_if_needed()
    line.hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert tooltip.inner_text() == f"Fablab 0 → {HOSTILE} (Quimper) : 40 unités".replace(
        "Fablab 0", run.assignments.get().producer.name
    )
    expect(tooltip.locator("img, b")).to_have_count(0)
    expect(page.locator("#carte img:not(.leaflet-tile)")).to_have_count(0)
    assert page.evaluate("window.hacked") is None

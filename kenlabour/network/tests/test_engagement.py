"""Territorial engagement arithmetic and the nearest-fablab search, on plain data."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kenlabour.network.engagement import (
    NearestIndex,
    PlaceLess,
    TerritoryCounts,
    add_place_less,
    area_territories,
    figures,
    lowest_engagement,
    nearest_targets,
    parse_sort,
    sort_links,
    sort_rows,
)
from kenlabour.territories.geo import haversine_km


def test_figures_per_10000_inhabitants_links_per_actor_and_isolated_share():
    row = figures(TerritoryCounts("29", "Finistère", 50_000, actors=3, link_ends=4, isolated=1))
    assert row.per_10k == pytest.approx(3 * 10_000 / 50_000)
    assert row.links_per_actor == pytest.approx(4 / 3)
    assert row.isolated_share == pytest.approx(1 / 3)
    assert row.isolated_percent == pytest.approx(100 / 3)


def test_a_territory_without_actors_or_population_has_no_ratios():
    empty = figures(TerritoryCounts("56", "Morbihan", 760_000))
    assert (empty.per_10k, empty.links_per_actor, empty.isolated_share) == (0.0, None, None)
    unknown = figures(TerritoryCounts("99", "Nulle part", 0, actors=2))
    assert unknown.per_10k is None


def test_a_place_less_collective_counts_in_each_territory_of_its_area():
    counts = {code: TerritoryCounts(code, code, 1000) for code in ("22", "29", "35")}
    add_place_less(
        counts,
        [
            PlaceLess(1, degree=2, territories=frozenset({"22", "29", "75"})),
            PlaceLess(2, degree=0, territories=frozenset({"29"})),
        ],
    )
    assert (counts["22"].actors, counts["22"].link_ends, counts["22"].isolated) == (1, 2, 0)
    assert (counts["29"].actors, counts["29"].link_ends, counts["29"].isolated) == (2, 2, 1)
    assert counts["35"].actors == 0


def test_a_whole_departement_in_an_area_touches_each_of_its_epcis():
    children = {"29": {"e1", "e2"}, "56": {"e3"}}
    assert area_territories({"e9"}, {"29"}, children) == {"e1", "e2", "e9"}
    assert area_territories((), (), children) == frozenset()


def rows():
    return [
        figures(TerritoryCounts("22", "Côtes-d'Armor", 600_000, actors=6, link_ends=6)),
        figures(TerritoryCounts("29", "Finistère", 900_000, actors=3, link_ends=9, isolated=2)),
        figures(TerritoryCounts("35", "Ille-et-Vilaine", 1_100_000, actors=3, isolated=0)),
        figures(TerritoryCounts("56", "Morbihan", 760_000)),
    ]


def test_sorting_by_a_get_parameter():
    assert [r.code for r in sort_rows(rows(), "")] == ["22", "29", "35", "56"]
    assert [r.code for r in sort_rows(rows(), "-pour10000")] == ["22", "29", "35", "56"]
    assert [r.code for r in sort_rows(rows(), "pour10000")] == ["56", "35", "29", "22"]
    # Ties keep the order of the codes, whichever the direction.
    assert [r.code for r in sort_rows(rows(), "-isoles")] == ["29", "22", "35", "56"]
    assert [r.code for r in sort_rows(rows(), "territoire")] == ["22", "29", "35", "56"]
    # An unknown parameter sorts by code rather than failing.
    assert parse_sort("-n'importe quoi") == ("code", False)
    assert [r.code for r in sort_rows(rows(), "-n'importe quoi")] == ["22", "29", "35", "56"]


def test_sort_links_toggle_the_current_column_and_say_so():
    links = sort_links("pour10000")
    assert links["pour10000"].param == "-pour10000"
    assert links["pour10000"].aria_sort == "ascending"
    assert links["acteurs"].param == "acteurs" and links["acteurs"].aria_sort == ""
    assert sort_links("-pour10000")["pour10000"].param == "pour10000"
    assert sort_links("-pour10000")["pour10000"].aria_sort == "descending"


def test_the_places_to_cultivate_are_the_least_engaged_first():
    lowest = lowest_engagement(rows(), count=3)
    # Morbihan has no actor; Ille-et-Vilaine 0.027/10,000 ; Finistère 0.033/10,000.
    assert [r.code for r in lowest] == ["56", "35", "29"]


def test_the_nearest_fablab_by_hand():
    quimper, brest, rennes = (47.9960, -4.1024), (48.3904, -4.4861), (48.1147, -1.6794)
    found = nearest_targets(
        [(1, *quimper), (2, *rennes)], [(10, *brest), (11, *rennes), (12, 43.3, 5.37)]
    )
    assert found[1][0] == 10
    assert found[1][1] == pytest.approx(haversine_km(*quimper, *brest), rel=1e-9)
    assert found[2] == (11, pytest.approx(0.0, abs=1e-6))
    assert nearest_targets([(1, *quimper)], []) == {}


def test_a_far_away_fablab_is_still_found():
    # Saint-Pierre-et-Miquelon to a fablab in Brittany: beyond the grid's rings.
    index = NearestIndex([(7, 48.3904, -4.4861)])
    fablab, km = index.nearest(46.78, -56.17)
    assert fablab == 7
    assert km == pytest.approx(haversine_km(46.78, -56.17, 48.3904, -4.4861), rel=1e-9)


points = st.tuples(
    st.floats(min_value=41.0, max_value=51.5), st.floats(min_value=-5.5, max_value=9.6)
)


@settings(max_examples=150, deadline=None)
@given(
    targets=st.lists(points, min_size=1, max_size=40),
    queries=st.lists(points, min_size=1, max_size=10),
)
def test_the_grid_agrees_with_comparing_every_pair(targets, queries):
    found = nearest_targets(
        [(i, lat, lon) for i, (lat, lon) in enumerate(queries)],
        [(i, lat, lon) for i, (lat, lon) in enumerate(targets)],
    )
    for i, (lat, lon) in enumerate(queries):
        expected = min(haversine_km(lat, lon, t_lat, t_lon) for t_lat, t_lon in targets)
        assert math.isclose(found[i][1], expected, rel_tol=1e-9, abs_tol=1e-6)

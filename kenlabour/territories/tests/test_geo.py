import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kenlabour.territories.geo import (
    EARTH_RADIUS_KM,
    BoundingBox,
    bounding_box,
    haversine_km,
    normalise,
)

QUIMPER = (47.99597, -4.09795)
BREST = (48.39029, -4.48628)


class TestNormalise:
    def test_saint_variants_case_and_hyphens_give_one_key(self):
        assert normalise("Saint-Brieuc") == normalise("st brieuc") == normalise("ST-BRIEUC")
        assert normalise("Saint-Brieuc") == normalise("St. Brieuc") == normalise("SAINT BRIEUC")

    def test_sainte_stays_distinct_from_saint(self):
        assert normalise("Sainte-Anne-d'Auray") == normalise("ste anne d auray")
        assert normalise("Sainte-Marie") != normalise("Saint-Marie")

    def test_accents_apostrophes_and_ligatures(self):
        assert normalise("Quimperlé") == "quimperle"
        assert normalise("L'Hermitage") == normalise("l’hermitage") == "l hermitage"
        assert normalise("Plœmeur") == normalise("PLOEMEUR") == "ploemeur"
        assert normalise("Île-de-Bréhat") == "ile de brehat"

    def test_saint_inside_a_word_is_left_alone(self):
        assert normalise("Toussaint") == "toussaint"
        assert normalise("Saintes") == "saintes"

    def test_punctuation_only_gives_an_empty_key(self):
        assert normalise(" - ' ") == ""

    @given(st.text())
    def test_is_idempotent_and_ascii(self, text):
        key = normalise(text)
        assert normalise(key) == key
        assert key.isascii()
        assert key == key.strip()
        assert "  " not in key


class TestHaversine:
    def test_same_point_is_zero(self):
        assert haversine_km(*QUIMPER, *QUIMPER) == 0

    def test_quimper_brest_as_the_crow_flies(self):
        # About 52 km between the town centres (the road is about 72 km).
        assert 45 < haversine_km(*QUIMPER, *BREST) < 60

    def test_one_degree_of_latitude(self):
        assert haversine_km(0, 0, 1, 0) == pytest.approx(math.pi * EARTH_RADIUS_KM / 180)

    def test_antipodes_are_half_the_circumference(self):
        assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_KM)

    def test_across_the_antimeridian(self):
        assert haversine_km(-13.3, 179.9, -13.3, -179.9) < 25

    @given(
        st.floats(-90, 90),
        st.floats(-180, 180),
        st.floats(-90, 90),
        st.floats(-180, 180),
    )
    def test_symmetric_and_bounded(self, lat1, lon1, lat2, lon2):
        distance = haversine_km(lat1, lon1, lat2, lon2)
        assert distance == pytest.approx(haversine_km(lat2, lon2, lat1, lon1), abs=1e-6)
        assert 0 <= distance <= math.pi * EARTH_RADIUS_KM + 1e-6


def destination(lat, lon, bearing_deg, distance_km):
    """The point at `distance_km` from (lat, lon) heading `bearing_deg` (spherical)."""
    delta = distance_km / EARTH_RADIUS_KM
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    phi2 = math.asin(
        math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    lon2 = (math.degrees(lam2) + 540) % 360 - 180
    return math.degrees(phi2), lon2


class TestBoundingBox:
    def test_contains_its_centre(self):
        assert bounding_box(*QUIMPER, 10).contains(*QUIMPER)

    def test_radius_zero_is_almost_a_point(self):
        box = bounding_box(*QUIMPER, 0)
        assert box.contains(*QUIMPER)
        assert box.max_lat - box.min_lat < 1e-5

    def test_is_tight_in_latitude(self):
        box = bounding_box(48.0, -3.0, 111.195)
        assert box.max_lat == pytest.approx(49.0, abs=1e-3)
        assert box.min_lat == pytest.approx(47.0, abs=1e-3)

    def test_excludes_a_point_farther_than_the_radius_along_a_meridian(self):
        assert not bounding_box(*QUIMPER, 40).contains(*BREST)
        assert bounding_box(*QUIMPER, 70).contains(*BREST)

    def test_crosses_the_antimeridian_near_wallis_and_futuna(self):
        box = bounding_box(-14.3, -178.1, 300)
        assert box.crosses_antimeridian
        assert box.contains(-14.3, 179.5)
        assert box.contains(-14.3, -177.0)
        assert not box.contains(-14.3, 170.0)

    def test_reaching_a_pole_spans_every_longitude(self):
        box = bounding_box(89.5, 10.0, 100)
        assert (box.min_lon, box.max_lon) == (-180.0, 180.0)
        assert box.max_lat == 90.0

    def test_negative_radius_is_refused(self):
        with pytest.raises(ValueError):
            bounding_box(0, 0, -1)

    def test_wrapping_box_membership(self):
        box = BoundingBox(min_lat=-1, max_lat=1, min_lon=170, max_lon=-170)
        assert box.contains(0, 175) and box.contains(0, -175)
        assert not box.contains(0, 0)

    @given(
        lat=st.floats(-89.9, 89.9),
        lon=st.floats(-180, 180),
        radius=st.floats(0, 3000),
        bearing=st.floats(0, 360),
        fraction=st.floats(0, 1),
    )
    def test_holds_every_point_within_the_radius(self, lat, lon, radius, bearing, fraction):
        point = destination(lat, lon, bearing, radius * fraction)
        # The destination formula and haversine agree to rounding; the box must hold
        # every point that haversine puts within the radius.
        assume(haversine_km(lat, lon, *point) <= radius)
        assert bounding_box(lat, lon, radius).contains(*point)

    @given(lat=st.floats(-80, 80), lon=st.floats(-179, 179), radius=st.floats(1, 2000))
    def test_corners_of_the_box_are_outside_the_circle(self, lat, lon, radius):
        box = bounding_box(lat, lon, radius)
        assume(not box.crosses_antimeridian and box.max_lat < 90 and box.min_lat > -90)
        assume(box.min_lon > -180 and box.max_lon < 180)
        # The box is not needlessly large: its corners lie beyond the radius.
        assert haversine_km(lat, lon, box.max_lat, box.max_lon) > radius

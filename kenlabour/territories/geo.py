"""Pure geographic helpers: great-circle distance, bounding boxes, place-name normalisation.

No Django import here: the gazetteer build script, the selectors and the benchmarks
all use these functions on plain values.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

# Mean Earth radius (IUGG), in kilometres. Every distance of the platform uses it, so a
# bounding box and the distance it prefilters for always agree.
EARTH_RADIUS_KM = 6371.0088

# Slack added to bounding boxes, in degrees (about 1 cm): absorbs floating-point rounding
# so a point exactly on the circle is never left out.
_BOX_SLACK_DEG = 1e-7

# Letters that Unicode decomposition does not split into a base letter and an accent.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# "Saint" and "Sainte" are written "St" and "Ste" in many files (and by many people).
_TOKEN_ALIASES = {"saint": "st", "sainte": "ste"}


def normalise(name: str) -> str:
    """Return the search form of a place name.

    Case, accents, hyphens, apostrophes and punctuation are ignored, and "Saint"/"Sainte"
    are folded to "st"/"ste", so that "Saint-Brieuc", "st brieuc" and "ST-BRIEUC" give the
    same key ("st brieuc"), and "Plœmeur" and "Ploemeur" too.
    """
    text = unicodedata.normalize("NFKD", name.translate(_LIGATURES))
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    tokens = _NON_ALNUM.sub(" ", text).split()
    return " ".join(_TOKEN_ALIASES.get(token, token) for token in tokens)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points given in decimal degrees, in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class BoundingBox:
    """A latitude/longitude rectangle, in decimal degrees.

    When the box crosses the antimeridian (longitude ±180°, as around Wallis-et-Futuna),
    `min_lon > max_lon` and the box covers `lon >= min_lon` or `lon <= max_lon`.
    """

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    @property
    def crosses_antimeridian(self) -> bool:
        return self.min_lon > self.max_lon

    def contains(self, lat: float, lon: float) -> bool:
        if not self.min_lat <= lat <= self.max_lat:
            return False
        if self.crosses_antimeridian:
            return lon >= self.min_lon or lon <= self.max_lon
        return self.min_lon <= lon <= self.max_lon


def bounding_box(lat: float, lon: float, radius_km: float) -> BoundingBox:
    """The smallest latitude/longitude box holding every point within `radius_km` of a point.

    Exact on the sphere (J. Matuschek, "Finding points within a distance of a
    latitude/longitude using bounding coordinates"): the longitude half-width is
    asin(sin δ / cos φ), where δ is the angular radius. Near a pole the box spans all
    longitudes. Use it to prefilter rows with an index, then keep those whose
    `haversine_km` is within the radius.
    """
    if radius_km < 0:
        raise ValueError("radius_km must be positive or zero")
    delta = radius_km / EARTH_RADIUS_KM  # angular radius, in radians
    phi = math.radians(lat)
    min_phi, max_phi = phi - delta, phi + delta
    if delta >= math.pi or min_phi <= -math.pi / 2 or max_phi >= math.pi / 2:
        # The circle reaches a pole: every longitude is in range.
        return BoundingBox(
            min_lat=max(-90.0, math.degrees(min_phi) - _BOX_SLACK_DEG),
            max_lat=min(90.0, math.degrees(max_phi) + _BOX_SLACK_DEG),
            min_lon=-180.0,
            max_lon=180.0,
        )
    ratio = math.sin(delta) / math.cos(phi)
    half_width = math.pi if ratio >= 1 else math.asin(ratio)
    half_width_deg = math.degrees(half_width) + _BOX_SLACK_DEG
    if half_width_deg >= 180:
        min_lon, max_lon = -180.0, 180.0
    else:
        min_lon, max_lon = lon - half_width_deg, lon + half_width_deg
        # Wrap into [-180, 180]; a box crossing the antimeridian then has min_lon > max_lon.
        if min_lon < -180:
            min_lon += 360
        if max_lon > 180:
            max_lon -= 360
    return BoundingBox(
        min_lat=math.degrees(min_phi) - _BOX_SLACK_DEG,
        max_lat=math.degrees(max_phi) + _BOX_SLACK_DEG,
        min_lon=min_lon,
        max_lon=max_lon,
    )

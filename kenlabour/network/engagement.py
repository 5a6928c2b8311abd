"""Territorial engagement: the arithmetic, on plain data (no Django).

For each territory (a département, an EPCI), from counts the selectors aggregate:

- **active actors per 10,000 inhabitants** ("acteurs pour 10 000 habitants"): published
  actors placed in the territory, plus the place-less collectives whose area of action
  touches it (each counted once in every territory its area touches), divided by the
  population (the sum of the populations of the territory's communes) and multiplied by
  10,000;
- **links per actor** ("liens par acteur"): the mean degree, that is the mean number of
  other actors an active actor of the territory knows through recorded cooperation,
  wherever they are;
- **isolated actors** ("acteurs isolés"): the share of active actors with no link at all.

And for each collective, the distance to the nearest fablab (great circle, in km), found
with a 3-D grid over unit vectors so that a département's collectives are matched against
thousands of fablabs without comparing every pair.

People are only counted here, never named: what comes out is numbers per territory.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

PER = 10_000
EARTH_RADIUS_KM = 6371.0088  # the same mean radius as territories.geo
FAR_FROM_FABLAB_KM = 30.0
CULTIVATE_COUNT = 5


@dataclass
class TerritoryCounts:
    """What the selectors aggregate for one territory."""

    code: str
    name: str
    population: int
    actors: int = 0
    link_ends: int = 0  # sum of the degrees of its active actors
    isolated: int = 0

    def add(self, *, actors: int = 0, link_ends: int = 0, isolated: int = 0) -> None:
        self.actors += actors
        self.link_ends += link_ends
        self.isolated += isolated


@dataclass(frozen=True)
class TerritoryEngagement:
    code: str
    name: str
    population: int
    actors: int
    isolated: int
    per_10k: float | None  # None when the population is unknown (0)
    links_per_actor: float | None  # None without actors
    isolated_share: float | None  # 0..1, None without actors

    @property
    def isolated_percent(self) -> float | None:
        return None if self.isolated_share is None else 100 * self.isolated_share


def figures(counts: TerritoryCounts) -> TerritoryEngagement:
    return TerritoryEngagement(
        code=counts.code,
        name=counts.name,
        population=counts.population,
        actors=counts.actors,
        isolated=counts.isolated,
        per_10k=PER * counts.actors / counts.population if counts.population > 0 else None,
        links_per_actor=counts.link_ends / counts.actors if counts.actors else None,
        isolated_share=counts.isolated / counts.actors if counts.actors else None,
    )


@dataclass(frozen=True)
class PlaceLess:
    """A place-less collective: its degree and the territories its area touches."""

    id: int
    degree: int
    territories: frozenset[str] = field(default_factory=frozenset)


def add_place_less(counts: Mapping[str, TerritoryCounts], collectives: Iterable[PlaceLess]) -> None:
    """Count each place-less collective once in every territory of `counts` its area
    touches (territories not in `counts` are ignored)."""
    for collective in collectives:
        for code in collective.territories:
            if code in counts:
                counts[code].add(
                    actors=1, link_ends=collective.degree, isolated=int(collective.degree == 0)
                )


def area_territories(
    direct: Iterable[str], through_parents: Iterable[str], children_of: Mapping[str, Iterable[str]]
) -> frozenset[str]:
    """The territories an area touches: those named directly (or through its communes),
    and every child of a larger territory named (e.g. each EPCI of a département)."""
    found = set(direct)
    for parent in through_parents:
        found.update(children_of.get(parent, ()))
    return frozenset(found)


SORT_KEYS = {
    "territoire": lambda row: (row.name.casefold(), row.code),
    "code": lambda row: row.code,
    "population": lambda row: row.population,
    "acteurs": lambda row: row.actors,
    "pour10000": lambda row: -1.0 if row.per_10k is None else row.per_10k,
    "liens": lambda row: -1.0 if row.links_per_actor is None else row.links_per_actor,
    "isoles": lambda row: -1.0 if row.isolated_share is None else row.isolated_share,
}
DEFAULT_SORT = "code"


def parse_sort(value: str | None) -> tuple[str, bool]:
    """A sort parameter ("pour10000", "-isoles") as (key, descending); unknown → default."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value.lstrip("-")
    if key not in SORT_KEYS:
        return DEFAULT_SORT, False
    return key, descending


def sort_rows(rows: Iterable[TerritoryEngagement], sort: str | None) -> list[TerritoryEngagement]:
    key, descending = parse_sort(sort)
    ordered = sorted(rows, key=lambda row: row.code)  # ties: by code, whatever the direction
    return sorted(ordered, key=SORT_KEYS[key], reverse=descending)


def lowest_engagement(
    rows: Iterable[TerritoryEngagement], count: int = CULTIVATE_COUNT
) -> list[TerritoryEngagement]:
    """The territories where engagement is lowest: fewest active actors per 10,000
    inhabitants, then the largest share of isolated actors, then the most populated (more
    people to reach), then by code."""
    candidates = [row for row in rows if row.per_10k is not None]
    candidates.sort(
        key=lambda row: (
            row.per_10k,
            -(row.isolated_share or 0.0),
            -row.population,
            row.code,
        )
    )
    return candidates[:count]


# --- Nearest fablab ---------------------------------------------------------------------


def _unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lon)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def _great_circle_km(chord: float) -> float:
    """Great-circle distance on the Earth for a chord between unit vectors."""
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, chord / 2))


def _chord(u: tuple[float, float, float], v: tuple[float, float, float]) -> float:
    return math.sqrt((u[0] - v[0]) ** 2 + (u[1] - v[1]) ** 2 + (u[2] - v[2]) ** 2)


class NearestIndex:
    """Nearest point on the sphere among fixed targets, by a uniform 3-D grid over unit
    vectors: the chord between two unit vectors grows with their great-circle distance, and
    a point in a cell k rings away (Chebyshev) is at least (k-1)·cell away in 3-D, which
    tells when the search can stop. Far queries fall back to a scan of every target."""

    def __init__(self, targets: Iterable[tuple[int, float, float]], cell_km: float = 20.0):
        self.cell = cell_km / EARTH_RADIUS_KM  # in units of the Earth's radius (≈ chord)
        self.targets: list[tuple[int, tuple[float, float, float]]] = []
        self.grid: dict[tuple[int, int, int], list[int]] = {}
        for target_id, lat, lon in targets:
            vector = _unit_vector(lat, lon)
            self.grid.setdefault(self._cell_of(vector), []).append(len(self.targets))
            self.targets.append((target_id, vector))
        self.max_rings = 8

    def _cell_of(self, vector: tuple[float, float, float]) -> tuple[int, int, int]:
        return (
            math.floor(vector[0] / self.cell),
            math.floor(vector[1] / self.cell),
            math.floor(vector[2] / self.cell),
        )

    def _better(self, best, index: int, vector) -> tuple[float, int] | None:
        target_id, target_vector = self.targets[index]
        candidate = (_chord(vector, target_vector), target_id)
        return candidate if best is None or candidate < best else best

    def nearest(self, lat: float, lon: float) -> tuple[int, float] | None:
        """(id of the nearest target, distance in km), ties to the smaller id; None when
        there is no target."""
        if not self.targets:
            return None
        vector = _unit_vector(lat, lon)
        cx, cy, cz = self._cell_of(vector)
        best: tuple[float, int] | None = None
        for ring in range(self.max_rings + 1):
            # Every point in ring `ring` or beyond is at least (ring - 1) cells away.
            if best is not None and (ring - 1) * self.cell > best[0]:
                break
            for dx in range(-ring, ring + 1):
                for dy in range(-ring, ring + 1):
                    edge_xy = abs(dx) == ring or abs(dy) == ring
                    dzs = range(-ring, ring + 1) if edge_xy else (-ring, ring)
                    for dz in dzs:
                        for index in self.grid.get((cx + dx, cy + dy, cz + dz), ()):
                            best = self._better(best, index, vector)
        else:
            # Still unsure after the last ring: compare with every target.
            for index in range(len(self.targets)):
                best = self._better(best, index, vector)
        assert best is not None
        return best[1], _great_circle_km(best[0])


def nearest_targets(
    points: Iterable[tuple[int, float, float]], targets: Iterable[tuple[int, float, float]]
) -> dict[int, tuple[int, float]]:
    """For each point (id, lat, lon), the nearest target as (target id, km). Empty when
    there are no targets."""
    index = NearestIndex(targets)
    found = {}
    for point_id, lat, lon in points:
        nearest = index.nearest(lat, lon)
        if nearest is not None:
            found[point_id] = nearest
    return found


@dataclass(frozen=True)
class SortLink:
    """A sortable column header: the parameter its link sets, and its aria-sort state."""

    param: str
    aria_sort: str  # "ascending", "descending" or "" when the table is not sorted by it


def sort_links(current: str | None) -> dict[str, SortLink]:
    """For each column, the sort its header link asks for: ascending first, then
    descending when the table is already sorted ascending by it."""
    key, descending = parse_sort(current)
    links = {}
    for column in SORT_KEYS:
        if column == key:
            links[column] = SortLink(
                param=column if descending else f"-{column}",
                aria_sort="descending" if descending else "ascending",
            )
        else:
            links[column] = SortLink(param=column, aria_sort="")
    return links

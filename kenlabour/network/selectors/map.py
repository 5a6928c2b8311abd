"""The directory's map: a marker per placed actor, a circle per area of action, as
GeoJSON read with `.values()`."""

from django.db.models import Max, Min

from kenlabour.network.enums import ActorKind, OrganisationKind
from kenlabour.network.selectors.areas import AreaCommune, AreaDepartement, AreaEpci
from kenlabour.network.selectors.directory import ActorResults
from kenlabour.territories.geo import haversine_km
from kenlabour.territories.models import Commune, Departement, Epci

# The map draws each commune of an area of action as a circle of this radius.
AREA_COMMUNE_RADIUS_M = 3_000


# The map: only what a marker or an area circle needs, read with `.values()`.
MAP_FIELDS = (
    "name",
    "slug",
    "kind",
    "organisation_kind",
    "place_less",
    "latitude",
    "longitude",
    "commune__name",
)


def map_features(results: ActorResults, url_pattern: str) -> dict:
    """A GeoJSON FeatureCollection of the results for the map.

    Placed actors are Points at their commune. A place-less collective is drawn by its
    area of action: a Point per commune with `radius` (metres), and per EPCI or
    département a Point at the middle of its communes with the radius of the circle
    holding them all (from their bounding box): light circles, simple and honest about
    the imprecision. `url_pattern` is an actor page's URL with "__slug__" for the slug."""
    # Labels translated once, not once per row (a département holds thousands).
    kinds = {value: str(label) for value, label in ActorKind.choices}
    kinds.update((value, str(label)) for value, label in OrganisationKind.choices)
    features = []
    place_less = {}
    for row in results.values(*MAP_FIELDS):
        properties = {
            "name": row["name"],
            "url": url_pattern.replace("__slug__", row["slug"]),
            "kind": kinds[row["organisation_kind"] or row["kind"]],
            "place": row["commune__name"] or "",
        }
        if row.get("distance_km") is not None:
            properties["distance_km"] = round(row["distance_km"], 1)
        if row["place_less"]:
            place_less[row["pk"]] = properties
        elif row["latitude"] is not None:
            features.append(_point(row["longitude"], row["latitude"], properties))
    if place_less:
        features.extend(_area_features(place_less))
    return {"type": "FeatureCollection", "features": features}


def _point(lon: float, lat: float, properties: dict) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
        "properties": properties,
    }


def _enclosing_circles(group_field: str, codes: set[str]) -> dict[str, tuple[float, float, float]]:
    """{code: (lat, lon, radius in metres)} of the circle around the communes of each
    EPCI or département (from the bounding box of their positions): one query."""
    circles = {}
    for code, min_lat, max_lat, min_lon, max_lon in (
        Commune.objects.filter(**{f"{group_field}__in": codes})
        .values_list(group_field)
        .annotate(Min("latitude"), Max("latitude"), Min("longitude"), Max("longitude"))
        .order_by()
    ):
        lat, lon = (min_lat + max_lat) / 2, (min_lon + max_lon) / 2
        radius_km = haversine_km(lat, lon, max_lat, max_lon)
        circles[code] = (lat, lon, max(radius_km * 1000, AREA_COMMUNE_RADIUS_M))
    return circles


def _area_features(place_less: dict[int, dict]) -> list[dict]:
    features = []
    ids = list(place_less)
    for actor_id, lat, lon, name in AreaCommune.objects.filter(actor_id__in=ids).values_list(
        "actor_id", "commune__latitude", "commune__longitude", "commune__name"
    ):
        features.append(
            _point(
                lon, lat, {**place_less[actor_id], "area": name, "radius": AREA_COMMUNE_RADIUS_M}
            )
        )
    for through, level, model in (
        (AreaEpci, "epci", Epci),
        (AreaDepartement, "departement", Departement),
    ):
        rows = list(through.objects.filter(actor_id__in=ids).values_list("actor_id", f"{level}_id"))
        if not rows:
            continue
        codes = {code for _pk, code in rows}
        circles = _enclosing_circles(level, codes)
        names = dict(model.objects.filter(pk__in=codes).values_list("pk", "name"))
        for actor_id, code in rows:
            if code in circles:
                lat, lon, radius = circles[code]
                features.append(
                    _point(
                        lon,
                        lat,
                        {**place_less[actor_id], "area": names[code], "radius": round(radius)},
                    )
                )
    return features

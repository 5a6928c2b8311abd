"""The directory: its filters (text, kind, resource, territory, radius around a
commune), the search over the actors a person may see, and the EPCI typed by name."""

import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from kenlabour.network.enums import ActorKind
from kenlabour.network.models import Actor, Resource
from kenlabour.network.selectors.actors import visible_actors
from kenlabour.network.selectors.areas import AreaCommune, AreaDepartement, AreaEpci, attach_areas
from kenlabour.territories.enums import EpciKind
from kenlabour.territories.geo import bounding_box, haversine_km, normalise
from kenlabour.territories.models import Commune, Departement, Epci

DIRECTORY_PAGE_SIZE = 20


@dataclass(frozen=True)
class ActorFilters:
    """What the directory, the map and the exports filter on; every field is optional.

    `commune` alone keeps the actors of that commune; with `radius_km`, those within that
    distance of it, nearest first. Place-less collectives match a territory when their
    area of action meets it."""

    text: str = ""
    kind: str = ""
    organisation_kind: str = ""
    resource_kind: str = ""
    departement: Departement | None = None
    epci: Epci | None = None
    commune: Commune | None = None
    radius_km: float | None = None

    @property
    def around(self) -> bool:
        """A radius search: results carry a distance and are sorted by it."""
        return self.commune is not None and bool(self.radius_km)


class EpciLookupError(LookupError):
    """A text names no EPCI, or several. `message` is in French, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _epci_keys(name: str, kind: str) -> set[str]:
    """What an EPCI's name may be typed as: "CA Quimper Bretagne Occidentale", or with its
    nature written out, "Communauté d'agglomération Quimper Bretagne Occidentale"."""
    keys = {normalise(name)}
    prefix, _sep, rest = name.partition(" ")
    if prefix == kind and rest:
        keys.add(normalise(f"{EpciKind(kind).label} {rest}"))
    return keys


def resolve_epci(text: str) -> Epci:
    """The EPCI of a SIREN number ("200068120") or a name, accents, case and hyphens
    ignored, its nature abbreviated or not ("CA", "Communauté d'agglomération") or left
    out: the exact name first, else the only name containing the text."""
    text = " ".join((text or "").split())
    if re.fullmatch(r"\d{9}", text):
        found = Epci.objects.filter(code=text).first()
        if found is None:
            raise EpciLookupError(
                _("Aucune intercommunalité n'a le numéro SIREN « %(code)s ».") % {"code": text}
            )
        return found
    key = normalise(text)
    if not key:
        raise EpciLookupError(_("Saisissez le nom ou le numéro SIREN d'une intercommunalité."))
    with translation.override("fr"):
        epcis = [
            (_epci_keys(name, kind), code, name)
            for code, name, kind in Epci.objects.values_list("code", "name", "kind")
        ]
    exact = [code for keys, code, _name in epcis if key in keys]
    close = sorted((name, code) for keys, code, name in epcis if any(key in k for k in keys))
    codes = exact or [code for _name, code in close]
    if len(codes) == 1:
        return Epci.objects.get(code=codes[0])
    if not codes:
        raise EpciLookupError(
            _("Aucune intercommunalité ne s'appelle « %(text)s ». Vérifiez l'orthographe.")
            % {"text": text}
        )
    listed = ", ".join(name for name, _code in close[:5])
    raise EpciLookupError(
        _("Plusieurs intercommunalités correspondent à « %(text)s » : %(names)s. Précisez.")
        % {"text": text, "names": listed + (" …" if len(close) > 5 else "")}
    )


def _place_less_covering(communes, epcis, departements) -> set[int]:
    """Ids of the place-less actors whose area of action meets a territory, given as its
    communes (a queryset of Commune), EPCI and départements (querysets of codes or
    lists). One query; the place-less are few, so the caller can OR their ids with an
    indexed condition instead of a correlated subquery."""
    rows = (
        AreaCommune.objects.filter(commune__in=communes, actor__place_less=True)
        .values_list("actor_id")
        .union(
            AreaEpci.objects.filter(epci__in=epcis, actor__place_less=True).values_list("actor_id"),
            AreaDepartement.objects.filter(
                departement__in=departements, actor__place_less=True
            ).values_list("actor_id"),
        )
    )
    return {pk for (pk,) in rows}


FEW_RESULTS = 10_000


def _territory_filter(filters: ActorFilters) -> Q:
    """The actors placed in the territories of the filters, or acting there without a place."""
    condition = Q()
    if filters.departement is not None:
        dep = filters.departement
        in_dep = Commune.objects.filter(departement=dep)
        # A list of codes, not a subquery: PostgreSQL would correlate it row by row.
        epcis = list(in_dep.exclude(epci=None).values_list("epci_id", flat=True).distinct())
        covering = _place_less_covering(in_dep, epcis, [dep.pk])
        condition &= Q(departement=dep) | Q(pk__in=covering)
    if filters.epci is not None:
        epci = filters.epci
        in_epci = Commune.objects.filter(epci=epci)
        covering = _place_less_covering(in_epci, [epci.pk], in_epci.values("departement_id"))
        condition &= Q(epci=epci) | Q(pk__in=covering)
    if filters.commune is not None and not filters.around:
        commune = filters.commune
        covering = _place_less_covering(
            Commune.objects.filter(pk=commune.pk),
            [commune.epci_id] if commune.epci_id else [],
            [commune.departement_id],
        )
        condition &= Q(commune=commune) | Q(pk__in=covering)
    return condition


def _filtered(user, filters: ActorFilters) -> QuerySet[Actor]:
    actors = visible_actors(user)
    for word in normalise(filters.text).split():
        # `search_text` is normalised by the services: a plain LIKE, served on
        # PostgreSQL by the trigram index of migration 0002.
        actors = actors.filter(search_text__contains=word)
    if filters.kind:
        actors = actors.filter(kind=filters.kind)
    if filters.organisation_kind:
        # The kind is implied (a check constraint), but said, so that the index on
        # (status, kind, organisation_kind) serves the filter.
        actors = actors.filter(
            kind=ActorKind.ORGANISATION, organisation_kind=filters.organisation_kind
        )
    if filters.resource_kind:
        actors = actors.filter(
            Exists(Resource.objects.filter(actor=OuterRef("pk"), kind=filters.resource_kind))
        )
    territory = _territory_filter(filters)
    return actors.filter(territory) if territory else actors


def _box_filter(box, prefix: str = "") -> Q:
    longitude = Q(
        **{f"{prefix}longitude__gte": box.min_lon, f"{prefix}longitude__lte": box.max_lon}
    )
    if box.crosses_antimeridian:
        longitude = Q(**{f"{prefix}longitude__gte": box.min_lon}) | Q(
            **{f"{prefix}longitude__lte": box.max_lon}
        )
    return longitude & Q(
        **{f"{prefix}latitude__gte": box.min_lat, f"{prefix}latitude__lte": box.max_lat}
    )


def _within_radius(
    actors: QuerySet[Actor], filters: ActorFilters
) -> tuple[list[tuple[float, str, int]], set[int]]:
    """(distance in km, name, id) of the actors within the radius, nearest first, and the
    ids of the place-less among them.

    Placed actors: a bounding box on the indexed latitude/longitude, then the exact
    great-circle distance. Place-less collectives: the distance to the nearest commune
    of their area of action that lies within the radius (an EPCI or a département of
    their area counts through its communes)."""
    centre, radius = filters.commune, float(filters.radius_km)
    box = bounding_box(centre.latitude, centre.longitude, radius)
    found: dict[int, tuple[float, str]] = {}
    for pk, name, lat, lon in (
        actors.filter(_box_filter(box), place_less=False)
        .values_list("pk", "name", "latitude", "longitude")
        .order_by()
    ):
        distance = haversine_km(centre.latitude, centre.longitude, lat, lon)
        if distance <= radius:
            found[pk] = (distance, name)

    by_commune, by_epci, by_departement = {}, {}, {}
    for code, epci, dep, lat, lon in Commune.objects.filter(_box_filter(box)).values_list(
        "code", "epci_id", "departement_id", "latitude", "longitude"
    ):
        distance = haversine_km(centre.latitude, centre.longitude, lat, lon)
        if distance <= radius:
            by_commune[code] = distance
            if epci:
                by_epci[epci] = min(distance, by_epci.get(epci, distance))
            by_departement[dep] = min(distance, by_departement.get(dep, distance))
    place_less = actors.filter(place_less=True).values("pk")
    parts = [
        AreaCommune.objects.filter(_box_filter(box, "commune__"), actor__in=place_less)
        .values_list("actor_id", "actor__name", "commune_id")
        .order_by(),
    ]
    if by_epci:
        parts.append(
            AreaEpci.objects.filter(epci__in=list(by_epci), actor__in=place_less)
            .values_list("actor_id", "actor__name", "epci_id")
            .order_by()
        )
    parts.append(
        AreaDepartement.objects.filter(departement__in=list(by_departement), actor__in=place_less)
        .values_list("actor_id", "actor__name", "departement_id")
        .order_by()
    )
    # Commune codes have 5 characters, EPCI numbers 9, département codes 2 or 3.
    distances = {**by_commune, **by_epci, **by_departement}
    place_less_found = set()
    for part in parts:
        for pk, name, code in part:
            if code in distances and (pk not in found or distances[code] < found[pk][0]):
                found[pk] = (distances[code], name)
                place_less_found.add(pk)
    ranked = sorted(
        ((distance, name, pk) for pk, (distance, name) in found.items()),
        key=lambda item: (item[0], item[1].casefold(), item[2]),
    )
    return ranked, place_less_found


def _with_listing(actors: QuerySet[Actor]) -> QuerySet[Actor]:
    """What a result shows: commune and département joined, resources in one query."""
    return actors.select_related("commune", "departement").prefetch_related(
        Prefetch("resources", queryset=Resource.objects.order_by("kind"))
    )


class ActorResults:
    """The actors a search found, in order: by name, or nearest first around a commune.

    A lazy sequence that a Paginator can cut: `count()` and slices, each slice read with
    a fixed number of queries (commune, département, resources, area of action), each
    actor carrying `distance_km` (None unless a radius search) and `area`.

    - `queryset`: every matching actor, unordered-agnostic (for counts and `.values()`);
    - `distances`: {id: km} for a radius search, else None;
    - `ids()`: the ids in result order (exports read them by chunks);
    - `values(*fields)`: plain rows for the map (no hydration)."""

    def __init__(self, queryset: QuerySet[Actor], ranked: list[tuple[float, str, int]] | None):
        self.queryset = queryset
        self._ranked = ranked
        self.distances = None if ranked is None else {pk: d for d, _name, pk in ranked}
        self._count: int | None = None

    @property
    def around(self) -> bool:
        return self._ranked is not None

    def count(self) -> int:
        if self._count is None:
            self._count = len(self._ranked) if self.around else self.queryset.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def ids(self) -> list[int]:
        if self.around:
            return [pk for _d, _name, pk in self._ranked]
        return list(self.queryset.order_by("name", "pk").values_list("pk", flat=True))

    def _hydrate(self, ids: list[int]) -> list[Actor]:
        by_pk = _with_listing(Actor.objects.filter(pk__in=ids)).in_bulk()
        actors = [by_pk[pk] for pk in ids if pk in by_pk]
        self._decorate(actors)
        return actors

    def _decorate(self, actors: list[Actor]) -> None:
        attach_areas(actors)
        for actor in actors:
            actor.distance_km = self.distances.get(actor.pk) if self.around else None

    def __getitem__(self, index):
        if isinstance(index, int):
            if index < 0:
                index += self.count()
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        if self.around:
            return self._hydrate([pk for _d, _name, pk in self._ranked[index]])
        ordering = ("name", "pk")
        if self.count() <= FEW_RESULTS:
            # Few matches: sort them, rather than let PostgreSQL walk the name index
            # hunting for rare matches scattered along it.
            ordering = (Lower("name"), "name", "pk")
        actors = list(_with_listing(self.queryset.order_by(*ordering))[index])
        self._decorate(actors)
        return actors

    def values(self, *fields: str) -> list[dict]:
        """Plain rows with these fields (and `distance_km`), in result order, for the map:
        one query, no model instances."""
        rows = self.queryset.values("pk", *fields)
        if not self.around:
            return list(rows.order_by("name", "pk"))
        order = {pk: position for position, (_d, _n, pk) in enumerate(self._ranked)}
        kept = [row for row in rows.order_by() if row["pk"] in order]
        for row in kept:
            row["distance_km"] = self.distances[row["pk"]]
        kept.sort(key=lambda row: order[row["pk"]])
        return kept


def search_actors(user, filters: ActorFilters) -> ActorResults:
    """The directory's search, shared by the map and the exports: what `user` may see,
    filtered. Around a commune, a bounding box on the indexed positions prefilters the
    rows and the exact distance decides; the results are then sorted by distance."""
    actors = _filtered(user, filters)
    if not filters.around:
        return ActorResults(actors, None)
    ranked, place_less = _within_radius(actors, filters)
    # `queryset` holds the candidates: the placed actors the box kept (some a little out
    # of range, which `values()` and the ranking leave out) and the place-less in range.
    box = bounding_box(filters.commune.latitude, filters.commune.longitude, filters.radius_km)
    candidates = actors.filter(
        (_box_filter(box) & Q(place_less=False)) | Q(pk__in=place_less, place_less=True)
    )
    return ActorResults(candidates, ranked)

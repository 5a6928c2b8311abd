"""Reads of the network for pages, exports and other apps."""

import dataclasses
import datetime
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment
from kenlabour.accounts.perms import can
from kenlabour.network import columns, engagement, reach
from kenlabour.network.enums import (
    ActorKind,
    ModerationStatus,
    OrganisationKind,
    ResourceCategory,
    ResourceKind,
)
from kenlabour.network.models import (
    Actor,
    Directorate,
    Link,
    LinkSource,
    Membership,
    Profile,
    Resource,
)
from kenlabour.territories import selectors as territories
from kenlabour.territories.enums import CommuneKind, EpciKind
from kenlabour.territories.geo import bounding_box, haversine_km, normalise
from kenlabour.territories.models import Commune, CommunePostcode, Departement, Epci


def public_filter() -> Q:
    """Published, and for people only with their consent."""
    return Q(status=ModerationStatus.PUBLISHED) & (
        ~Q(kind=ActorKind.PERSON) | Q(public_consent=True)
    )


def visible_actors(user) -> QuerySet[Actor]:
    """The actors a user may see: facilitators see everyone, others what is public."""
    actors = Actor.objects.all()
    if can(user, "network.see_private"):
        return actors
    return actors.filter(public_filter())


# --- registration, moderation, edition, import (contributions helper) -----------------


def pending_actors() -> QuerySet[Actor]:
    """Actors waiting for moderation, oldest first, with everything the moderation page
    shows: a fixed number of queries however many are waiting."""
    return (
        Actor.objects.filter(status=ModerationStatus.PENDING)
        .select_related("commune__departement", "created_by")
        .prefetch_related(
            Prefetch("resources", queryset=Resource.objects.order_by("kind")),
            "area_communes",
            "area_epcis",
            "area_departements",
        )
        .order_by("created_at", "pk")
    )


def actor_for_edit(slug: str) -> Actor:
    """An actor with what its edit form shows; raises Actor.DoesNotExist."""
    return (
        Actor.objects.select_related("commune__departement")
        .prefetch_related("resources", "area_communes", "area_epcis", "area_departements")
        .get(slug=slug)
    )


def administered_actors(user) -> list[Actor]:
    """The actors a person administers: those they hold the organisation admin role on,
    and their own person page. Two queries."""
    if not getattr(user, "is_authenticated", False):
        return []
    scoped = RoleAssignment.objects.filter(
        user=user,
        role=Role.ORGANISATION_ADMIN,
        scope_type=ContentType.objects.get_for_model(Actor),
    ).values("scope_id")
    return list(
        Actor.objects.filter(Q(pk__in=scoped) | Q(user=user))
        .select_related("commune")
        .order_by("name", "pk")
    )


def actors_on_their_page(user) -> QuerySet[Actor]:
    """The actors whose page `user` may open: what they may see in the directory, and
    also, whatever their moderation, the actors they administer (a registrant sees their
    pending page and the reason of a refusal)."""
    visible = visible_actors(user)
    if can(user, "network.see_private") or not getattr(user, "is_authenticated", False):
        return visible
    administered = RoleAssignment.objects.filter(
        user=user,
        role=Role.ORGANISATION_ADMIN,
        scope_type=ContentType.objects.get_for_model(Actor),
    ).values("scope_id")
    return Actor.objects.filter(
        Q(pk__in=visible.values("pk")) | Q(pk__in=administered) | Q(user=user)
    )


# "Sainte-Marie (35)", "Bastia (2B)": a name and its département's code.
_NAME_AND_DEPARTEMENT_RE = re.compile(r"(?P<name>.+?)\s*\((?P<dep>\d{2,3}|2[AB])\)", re.IGNORECASE)


class CommuneResolver:
    """Resolves many commune texts (an import's column) to what
    `territories.selectors.resolve_commune` answers, in bulk.

    The usual forms — a name alone, "Name (35)", a postcode — are looked up a few hundred
    at a time, and kept when they designate exactly one commune, which is then the one
    `resolve_commune` returns. Anything else, and every error message, goes through
    `resolve_commune`, text by text; each distinct text is looked up once."""

    def __init__(self):
        self._cache: dict[str, Commune | territories.CommuneLookupError] = {}

    def prefetch(self, texts) -> None:
        names: dict[str, str] = {}  # text -> normalised name
        qualified: dict[str, tuple[str, str]] = {}  # text -> (normalised name, département)
        postcodes: set[str] = set()
        for text in {" ".join(t.split()) for t in texts} - self._cache.keys():
            if territories.POSTCODE_RE.fullmatch(text):
                postcodes.add(text)
            elif match := _NAME_AND_DEPARTEMENT_RE.fullmatch(text):
                qualified[text] = (normalise(match["name"]), match["dep"].upper().zfill(2))
            elif text and not any(c.isdigit() or c in "()" for c in text):
                names[text] = normalise(text)
        by_name: dict[str, list[Commune]] = {}
        keys = sorted({*names.values(), *(key for key, _dep in qualified.values())} - {""})
        for start in range(0, len(keys), 500):
            for commune in Commune.objects.select_related("departement").filter(
                search_name__in=keys[start : start + 500]
            ):
                by_name.setdefault(commune.search_name, []).append(commune)
        for text, key in names.items():
            if len(by_name.get(key, ())) == 1:
                self._cache[text] = by_name[key][0]
        for text, (key, dep) in qualified.items():
            found = [c for c in by_name.get(key, ()) if c.departement_id == dep]
            if len(found) == 1:
                self._cache[text] = found[0]
        codes = sorted(postcodes)
        by_postcode: dict[str, set[str]] = {}
        for start in range(0, len(codes), 500):
            for postcode, commune_id in CommunePostcode.objects.filter(
                postcode__in=codes[start : start + 500]
            ).values_list("postcode", "commune_id"):
                by_postcode.setdefault(postcode, set()).add(commune_id)
        single = {postcode: ids.pop() for postcode, ids in by_postcode.items() if len(ids) == 1}
        if single:
            communes = Commune.objects.select_related("departement").in_bulk(single.values())
            for postcode, commune_id in single.items():
                self._cache[postcode] = communes[commune_id]

    def resolve(self, text: str) -> Commune:
        """The commune, or raises territories.CommuneLookupError (French message)."""
        text = " ".join(text.split())
        if text not in self._cache:
            try:
                self._cache[text] = territories.resolve_commune(text)
            except territories.CommuneLookupError as error:
                self._cache[text] = error
        found = self._cache[text]
        if isinstance(found, territories.CommuneLookupError):
            raise found
        return found


class AreaResolver:
    """Turns the entries of an area of action (communes, EPCI, départements) into
    territories, each wrong entry with a French message naming it.

    An entry is tried as a département code ("29", "2A", "971"), an EPCI's SIREN number
    or name ("Quimper Bretagne Occidentale"), a département's name ("Finistère"), then a
    commune (anything `territories.selectors.resolve_commune` accepts: "Quimper",
    "Sainte-Marie (35)", "29000"). One resolver may serve a whole import: each distinct
    entry is looked up once."""

    def __init__(self, communes: CommuneResolver | None = None):
        self._cache: dict[str, object] = {}
        self._epcis_by_name = None
        self._departements_by_name = None
        self.communes = communes or CommuneResolver()

    # Legal forms that open EPCI names ("CA Quimper Bretagne Occidentale"): people often
    # leave them out, or write them in full.
    _EPCI_FORMS = re.compile(
        r"^(?:ca|cc|cu|communaute (?:de communes|d agglomeration|urbaine))\s+"
        r"(?:(?:du|de la|des|de)\s+)?"
    )

    def _epci_names(self):
        """normalised name -> EPCI, under its full name and without its legal form; a
        short name shared by two EPCI designates neither."""
        if self._epcis_by_name is None:
            names: dict[str, list] = {}
            for epci in Epci.objects.only("code", "name"):
                full = normalise(epci.name)
                keys = {full, self._EPCI_FORMS.sub("", full)}
                for key in keys:
                    names.setdefault(key, []).append(epci)
            self._epcis_by_name = {key: e[0] for key, e in names.items() if len(e) == 1}
        return self._epcis_by_name

    def _epci_key(self, entry: str) -> str:
        return self._EPCI_FORMS.sub("", normalise(entry))

    def _departement_names(self):
        if self._departements_by_name is None:
            self._departements_by_name = {
                normalise(d.name): d for d in Departement.objects.only("code", "name")
            }
        return self._departements_by_name

    def _other_territory(self, entry: str):
        """The EPCI or département an entry names, if it names one."""
        key = normalise(entry)
        return (
            self._epci_names().get(key)
            or self._epci_names().get(self._epci_key(entry))
            or self._departement_names().get(key)
        )

    def prefetch(self, entries) -> None:
        """Look up in bulk the communes among these entries (see CommuneResolver)."""
        self.communes.prefetch(
            entry
            for entry in {" ".join(e.split()) for e in entries}
            if not re.fullmatch(r"\d{2,3}|2[AB]|\d{9}", entry.upper())
            and self._other_territory(entry) is None
        )

    def resolve(self, entry: str):
        """A Commune, an Epci or a Departement; or a French message (str) saying why not."""
        entry = " ".join(entry.split())
        if entry in self._cache:
            return self._cache[entry]
        found: object
        code = entry.upper()
        if re.fullmatch(r"\d{2,3}|2[AB]", code):
            found = Departement.objects.filter(code=code.zfill(2)).first() or _(
                "« %(entry)s » : aucun département n'a ce code."
            ) % {"entry": entry}
        elif re.fullmatch(r"\d{9}", code):
            found = Epci.objects.filter(code=code).first() or _(
                "« %(entry)s » : aucune intercommunalité n'a ce numéro SIREN."
            ) % {"entry": entry}
        else:
            found = self._other_territory(entry)
            if found is None:
                try:
                    found = self.communes.resolve(entry)
                except territories.CommuneLookupError as error:
                    found = _(
                        "« %(entry)s » n'est ni une commune, ni une intercommunalité, ni un "
                        "département : %(reason)s"
                    ) % {"entry": entry, "reason": error.message}
        self._cache[entry] = found
        return found

    def resolve_all(self, entries) -> tuple["AreaOfAction", list[str]]:
        """The area made of these entries, and the messages of the wrong ones."""
        area, errors = AreaOfAction(), []
        for entry in entries:
            found = self.resolve(entry)
            if isinstance(found, Commune):
                target = area.communes
            elif isinstance(found, Epci):
                target = area.epcis
            elif isinstance(found, Departement):
                target = area.departements
            else:
                errors.append(str(found))
                continue
            if found not in target:
                target.append(found)
        return area, errors


class AreaOfAction:
    """Where a place-less collective acts: communes, EPCI and départements."""

    def __init__(self, communes=None, epcis=None, departements=None):
        self.communes = list(communes or [])
        self.epcis = list(epcis or [])
        self.departements = list(departements or [])

    def __bool__(self) -> bool:
        return bool(self.communes or self.epcis or self.departements)

    def __eq__(self, other) -> bool:
        return isinstance(other, AreaOfAction) and (
            {c.pk for c in self.communes},
            {e.pk for e in self.epcis},
            {d.pk for d in self.departements},
        ) == (
            {c.pk for c in other.communes},
            {e.pk for e in other.epcis},
            {d.pk for d in other.departements},
        )

    __hash__ = None

    @classmethod
    def of(cls, actor: Actor) -> "AreaOfAction":
        return cls(actor.area_communes.all(), actor.area_epcis.all(), actor.area_departements.all())

    def as_text(self, separator: str = "\n") -> str:
        """As a person would type it back: "Finistère", "Quimper (29)", an EPCI's name."""
        return separator.join(
            [d.name for d in self.departements]
            + [e.name for e in self.epcis]
            + [f"{c.name} ({c.departement_id})" for c in self.communes]
        )


def siret_holder(siret: str, *, exclude_pk: int | None = None) -> Actor | None:
    """The actor that already has this SIRET, if any (the one being edited excepted)."""
    actors = Actor.objects.filter(siret=siret).only("pk", "name", "slug")
    if exclude_pk is not None:
        actors = actors.exclude(pk=exclude_pk)
    return actors.first()


def existing_actor_keys(commune_codes, names) -> dict[tuple[str, str | None], str]:
    """(normalised name, commune code or None) -> name, for the actors that an import
    could duplicate: those in the given communes, and the place-less ones with one of the
    given names (normalised). One query per 500 communes, plus one."""
    found: dict[tuple[str, str | None], str] = {}
    codes = sorted(set(commune_codes))
    for start in range(0, len(codes), 500):
        for name, code in Actor.objects.filter(
            commune_id__in=codes[start : start + 500]
        ).values_list("name", "commune_id"):
            found.setdefault((normalise(name), code), name)
    wanted = set(names)
    if wanted:
        for (name,) in Actor.objects.filter(commune__isnull=True).values_list("name"):
            if normalise(name) in wanted:
                found.setdefault((normalise(name), None), name)
    return found


def siret_holders(sirets) -> dict[str, str]:
    """SIRET -> name of the actor holding it, for those of `sirets` already taken."""
    sirets = sorted(set(sirets))
    found = {}
    for start in range(0, len(sirets), 500):
        found.update(
            Actor.objects.filter(siret__in=sirets[start : start + 500]).values_list("siret", "name")
        )
    return found


# --- directory, actor pages, map, exports (directory helper) ---------------------------

DIRECTORY_PAGE_SIZE = 20
# Radius searches stop there: past it a list sorted by distance no longer helps anyone.
MAX_RADIUS_KM = 200
# Rows read at once when an export walks every result (a few queries per chunk).
CHUNK_SIZE = 500
# The map draws each commune of an area of action as a circle of this radius.
AREA_COMMUNE_RADIUS_M = 3_000
# An actor page lists its strongest links; the rest are counted.
MAX_LINKS_SHOWN = 100
MAX_SOURCES_SHOWN = 5

_AreaCommune = Actor.area_communes.through
_AreaEpci = Actor.area_epcis.through
_AreaDepartement = Actor.area_departements.through


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
        _AreaCommune.objects.filter(commune__in=communes, actor__place_less=True)
        .values_list("actor_id")
        .union(
            _AreaEpci.objects.filter(epci__in=epcis, actor__place_less=True).values_list(
                "actor_id"
            ),
            _AreaDepartement.objects.filter(
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
        _AreaCommune.objects.filter(_box_filter(box, "commune__"), actor__in=place_less)
        .values_list("actor_id", "actor__name", "commune_id")
        .order_by(),
    ]
    if by_epci:
        parts.append(
            _AreaEpci.objects.filter(epci__in=list(by_epci), actor__in=place_less)
            .values_list("actor_id", "actor__name", "epci_id")
            .order_by()
        )
    parts.append(
        _AreaDepartement.objects.filter(departement__in=list(by_departement), actor__in=place_less)
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


def attach_areas(actors: list[Actor]) -> None:
    """Give each actor `area` (its area of action as an `AreaOfAction`, empty when it has
    a place): up to three queries for the place-less of the list, none when there are none."""
    place_less = [actor.pk for actor in actors if actor.place_less]
    areas = {pk: AreaOfAction() for pk in place_less}
    if place_less:
        for row in (
            _AreaDepartement.objects.filter(actor_id__in=place_less)
            .select_related("departement")
            .order_by("departement_id")
        ):
            areas[row.actor_id].departements.append(row.departement)
        for row in (
            _AreaEpci.objects.filter(actor_id__in=place_less)
            .select_related("epci")
            .order_by("epci__name")
        ):
            areas[row.actor_id].epcis.append(row.epci)
        for row in (
            _AreaCommune.objects.filter(actor_id__in=place_less)
            .select_related("commune")
            .order_by("commune__name", "commune_id")
        ):
            areas[row.actor_id].communes.append(row.commune)
    for actor in actors:
        actor.area = areas.get(actor.pk, AreaOfAction())


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
    for actor_id, lat, lon, name in _AreaCommune.objects.filter(actor_id__in=ids).values_list(
        "actor_id", "commune__latitude", "commune__longitude", "commune__name"
    ):
        features.append(
            _point(
                lon, lat, {**place_less[actor_id], "area": name, "radius": AREA_COMMUNE_RADIUS_M}
            )
        )
    for through, level, model in (
        (_AreaEpci, "epci", Epci),
        (_AreaDepartement, "departement", Departement),
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


EXPORT_FIELDS = (
    "pk",
    "name",
    "slug",
    "kind",
    "organisation_kind",
    "siret",
    "address",
    "place_less",
    "description",
    "skills",
    "website",
    "email",
    "public_consent",
    "latitude",
    "longitude",
    "commune_id",
    "commune__name",
    "commune__departement_id",
    "departement__name",
)


def _area_texts(ids: list[int]) -> dict[int, str]:
    """{id: area of action as the import reads it, "Finistère|CA Quimper…|Brest (29)"}:
    départements, EPCI, then communes (the order of `AreaOfAction.as_text`); 3 queries."""
    parts: dict[int, list[str]] = {pk: [] for pk in ids}
    for pk, name in (
        _AreaDepartement.objects.filter(actor_id__in=ids)
        .order_by("departement_id")
        .values_list("actor_id", "departement__name")
    ):
        parts[pk].append(name)
    for pk, name in (
        _AreaEpci.objects.filter(actor_id__in=ids)
        .order_by("epci__name")
        .values_list("actor_id", "epci__name")
    ):
        parts[pk].append(name)
    for pk, name, dep in (
        _AreaCommune.objects.filter(actor_id__in=ids)
        .order_by("commune__name", "commune_id")
        .values_list("actor_id", "commune__name", "commune__departement_id")
    ):
        parts[pk].append(f"{name} ({dep})")
    return {pk: columns.AREA_SEPARATOR.join(texts) for pk, texts in parts.items()}


def export_rows(results: ActorResults, page_url: Callable[[str], str]) -> Iterator[list]:
    """The rows of a directory export, in `columns.EXPORT_COLUMNS` order, values in
    French whatever the reader's language (a file exported can be imported again).

    Plain values: text, numbers (floats) or None; the writers format them. Read with
    `.values()` by chunks of `CHUNK_SIZE` ids (no model instances, no OFFSET): two
    queries per chunk, and three more when it holds place-less collectives."""
    with translation.override("fr"):
        kinds = {value: label for label, value in columns.KINDS.items()}
        organisation_kinds = {value: str(label) for value, label in OrganisationKind.choices}
        resource_kinds = {value: str(label) for value, label in ResourceKind.choices}
    distances = results.distances or {}
    ids = results.ids()
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        rows = {row["pk"]: row for row in Actor.objects.filter(pk__in=chunk).values(*EXPORT_FIELDS)}
        resources: dict[int, list[str]] = defaultdict(list)
        for pk, kind, quantity in (
            Resource.objects.filter(actor_id__in=chunk)
            .order_by("actor_id", "kind")
            .values_list("actor_id", "kind", "quantity")
        ):
            resources[pk].append(f"{resource_kinds[kind]}{columns.QUANTITY_SEPARATOR}{quantity}")
        place_less = [pk for pk in chunk if pk in rows and rows[pk]["place_less"]]
        areas = _area_texts(place_less) if place_less else {}
        for pk in chunk:
            row = rows.get(pk)
            if row is None:  # deleted since the search
                continue
            consent = ""
            if row["kind"] == ActorKind.PERSON:
                consent = columns.YES if row["public_consent"] else columns.NO
            distance = distances.get(pk)
            yield [
                row["name"],
                kinds[row["kind"]],
                organisation_kinds.get(row["organisation_kind"], ""),
                row["siret"],
                f"{row['commune__name']} ({row['commune__departement_id']})"
                if row["commune_id"]
                else "",
                row["address"],
                columns.YES if row["place_less"] else columns.NO,
                areas.get(pk, ""),
                row["description"],
                row["skills"],
                row["website"],
                row["email"],
                (columns.RESOURCE_SEPARATOR + " ").join(resources.get(pk, ())),
                consent,
                row["commune_id"] or "",
                row["departement__name"] or "",
                None if row["latitude"] is None else round(row["latitude"], 5),
                None if row["longitude"] is None else round(row["longitude"], 5),
                None if distance is None else round(distance, 1),
                page_url(row["slug"]),
            ]


# --- the actor page --------------------------------------------------------------------


@dataclass
class LinkSummary:
    """One acquaintance of an actor, figures computed from its sources."""

    other: Actor
    weight: int
    first_date: datetime.date
    last_date: datetime.date
    sources: list[LinkSource]
    more_sources: int = 0


@dataclass
class ActorPage:
    actor: Actor
    resources: list[Resource]
    directorates: list[Directorate] = field(default_factory=list)
    members: list[Membership] = field(default_factory=list)
    hidden_members: int = 0
    memberships: list[Membership] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)
    links: list[LinkSummary] = field(default_factory=list)
    links_total: int = 0
    hidden_links: int = 0


def actor_links(
    user, actor: Actor, limit: int = MAX_LINKS_SHOWN
) -> tuple[list[LinkSummary], int, int]:
    """The actors `actor` is linked to that `user` may see, strongest first, each with its
    weight (sum of its sources' weights), first and last dates and sources: computed by
    aggregates, never stored. Returns (the `limit` strongest, how many visible in all,
    how many hidden from `user`). Four queries whatever the number of links."""
    mine = Q(actor_a=actor) | Q(actor_b=actor)
    links = Link.objects.filter(mine)
    see_all = can(user, "network.see_private")
    visible = Q()
    if not see_all:
        public = Actor.objects.filter(public_filter()).values("pk")
        visible = Q(actor_a=actor, actor_b__in=public) | Q(actor_b=actor, actor_a__in=public)
    counts = links.aggregate(
        total=Count("pk"), shown=Count("pk", filter=visible) if visible else Count("pk")
    )
    rows = list(
        links.filter(visible)
        .annotate(
            weight=Sum("sources__weight"),
            first_date=Min("sources__date"),
            last_date=Max("sources__date"),
            other_id=Case(When(actor_a=actor, then=F("actor_b")), default=F("actor_a")),
        )
        .filter(weight__gt=0)
        .order_by("-weight", "-last_date", "other_id")
        .values("pk", "other_id", "weight", "first_date", "last_date")[:limit]
    )
    if not rows:
        return [], counts["shown"], counts["total"] - counts["shown"]
    others = Actor.objects.select_related("commune").in_bulk([row["other_id"] for row in rows])
    sources: dict[int, list[LinkSource]] = {}
    for source in LinkSource.objects.filter(link_id__in=[row["pk"] for row in rows]).order_by(
        "-date", "pk"
    ):
        sources.setdefault(source.link_id, []).append(source)
    summaries = []
    for row in rows:
        link_sources = sources.get(row["pk"], [])
        summaries.append(
            LinkSummary(
                other=others[row["other_id"]],
                weight=row["weight"],
                first_date=row["first_date"],
                last_date=row["last_date"],
                sources=link_sources[:MAX_SOURCES_SHOWN],
                more_sources=max(0, len(link_sources) - MAX_SOURCES_SHOWN),
            )
        )
    return summaries, counts["shown"], counts["total"] - counts["shown"]


def actor_page(user, slug: str) -> ActorPage:
    """Everything an actor's page shows, for `user`; raises Actor.DoesNotExist when the
    actor does not exist or `user` may not see it. A fixed number of queries."""
    actor = (
        actors_on_their_page(user)
        .select_related("commune__departement", "epci", "departement")
        .get(slug=slug)
    )
    attach_areas([actor])
    page = ActorPage(actor=actor, resources=list(actor.resources.order_by("kind")))
    for resource in page.resources:
        resource.category_label = ResourceCategory(ResourceKind.category_of(resource.kind)).label
    see_all = can(user, "network.see_private")
    public = Actor.objects.filter(public_filter()).values("pk")
    if actor.organisation_kind in OrganisationKind.administrations():
        page.directorates = list(actor.directorates.order_by("name"))
    if actor.kind == ActorKind.PERSON:
        memberships = actor.memberships.select_related("group").order_by("group__name")
        profiles = actor.profiles.select_related("organisation", "directorate").order_by("kind")
        if not see_all:
            memberships = memberships.filter(group__in=public)
        page.memberships = list(memberships)
        page.profiles = list(profiles)
        for profile in page.profiles:
            if profile.organisation is not None and not (see_all or profile.organisation.is_public):
                profile.organisation = profile.directorate = None
    else:
        members = actor.members.select_related("person").order_by("person__name", "pk")
        if see_all:
            page.members = list(members)
        else:
            page.members = list(members.filter(person__in=public))
            page.hidden_members = members.exclude(person__in=public).count()
    page.links, page.links_total, page.hidden_links = actor_links(user, actor)
    return page


# --- who could help, territorial engagement (graph helper) -----------------------------

HELP_LIMIT = 20
# Ids per query when the database cannot take a whole array as one parameter (SQLite).
_IDS_PER_QUERY = 2000


def own_actor(user) -> Actor | None:
    """The person actor of a logged-in user, if they have one (one query)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.actor
    except Actor.DoesNotExist:
        return None


def seeker_for(user, slug: str) -> Actor | None:
    """The actor whose page we are on, if the user may see it (or it is their own)."""
    actor = Actor.objects.select_related("commune__departement").filter(slug=slug).first()
    if actor is None:
        return None
    if can(user, "network.see_private") or actor.is_public:
        return actor
    if getattr(user, "is_authenticated", False) and actor.user_id == user.pk:
        return actor
    return None


def link_neighbours(ids, within=None) -> dict[int, set[int]]:
    """The acquaintances of `ids` (only those in `within` when given), read through the
    two indexes of the links: (actor_a, actor_b) and (actor_b, actor_a). One query on
    PostgreSQL whatever the number of ids; on SQLite one per 2,000 ids."""
    ids = sorted(set(ids))
    found: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return found
    within = None if within is None else sorted(set(within))
    if connection.vendor == "postgresql":
        # The table name comes from the model, the ids travel as array parameters.
        table = connection.ops.quote_name(Link._meta.db_table)
        side_a, side_b = "actor_a_id = ANY(%s::bigint[])", "actor_b_id = ANY(%s::bigint[])"
        if within is None:
            where_a, where_b, params = side_a, side_b, [ids, ids]
        else:
            where_a = f"{side_a} AND {side_b}"
            where_b = f"{side_b} AND {side_a}"
            params = [ids, within, ids, within]
        sql = (
            f"SELECT actor_a_id, actor_b_id FROM {table} WHERE {where_a} "  # noqa: S608
            f"UNION ALL SELECT actor_a_id, actor_b_id FROM {table} WHERE {where_b}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    else:
        rows = []
        # A long `within` is only a hint: past one query's worth, filter in Python instead.
        hint = within if within is not None and len(within) <= _IDS_PER_QUERY else None
        for start in range(0, len(ids), _IDS_PER_QUERY):
            chunk = ids[start : start + _IDS_PER_QUERY]
            if hint is None:
                condition = Q(actor_a__in=chunk) | Q(actor_b__in=chunk)
            else:
                condition = Q(actor_a__in=chunk, actor_b__in=hint) | Q(
                    actor_b__in=chunk, actor_a__in=hint
                )
            rows.extend(Link.objects.filter(condition).values_list("actor_a_id", "actor_b_id"))
    for a, b in rows:
        found[a].add(b)
        found[b].add(a)
    return found


@dataclass(frozen=True)
class ChainStep:
    """One actor of a chain of acquaintances, as the user may see it: named with a link to
    its page, or anonymised ("une personne du réseau")."""

    actor_id: int
    name: str
    url: str
    anonymous: bool

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class HelpRow:
    actor: Actor
    distance_km: float
    quantity: int
    hops: int | None  # None: no chain of at most 3 links
    chain: tuple[ChainStep, ...]

    @property
    def intermediaries(self) -> int:
        return max(0, (self.hops or 0) - 1)


@dataclass(frozen=True)
class HelpResult:
    rows: list[HelpRow]
    found: int  # actors with the resource within the radius (rows holds at most `limit`)
    seeker: Actor | None
    commune: Commune
    radius_km: float
    resource_kind: str

    @property
    def resource_label(self) -> str:
        return ResourceKind(self.resource_kind).label


def _resource_candidates(
    user, resource_kind: str, commune: Commune, radius_km: float, exclude: int | None
) -> list[reach.Candidate]:
    """The visible, published actors within the radius having the resource: a bounding box
    on the indexed latitude/longitude, then the exact great-circle distance."""
    box = bounding_box(commune.latitude, commune.longitude, radius_km)
    longitude = Q(longitude__gte=box.min_lon, longitude__lte=box.max_lon)
    if box.crosses_antimeridian:
        longitude = Q(longitude__gte=box.min_lon) | Q(longitude__lte=box.max_lon)
    rows = (
        visible_actors(user)
        .filter(
            longitude,
            status=ModerationStatus.PUBLISHED,
            latitude__gte=box.min_lat,
            latitude__lte=box.max_lat,
            resources__kind=resource_kind,
        )
        .order_by()
        .values_list("pk", "latitude", "longitude", "resources__quantity")
    )
    candidates = []
    for pk, lat, lon, quantity in rows:
        if pk == exclude:
            continue
        km = haversine_km(commune.latitude, commune.longitude, lat, lon)
        if km <= radius_km:
            candidates.append(reach.Candidate(id=pk, distance_km=km, quantity=quantity))
    return candidates


def _chain_step(pk: int, actor: Actor | None, *, visible: bool) -> ChainStep:
    """`actor` is None when it was deleted while the page was being read."""
    if actor is not None and visible:
        return ChainStep(actor.pk, actor.name, actor.get_absolute_url(), anonymous=False)
    is_person = actor is not None and actor.kind == ActorKind.PERSON
    label = _("une personne du réseau") if is_person else _("un acteur du réseau")
    return ChainStep(pk, label, "", anonymous=True)


def who_could_help(
    user,
    *,
    resource_kind: str,
    commune: Commune,
    radius_km: float,
    seeker: Actor | None = None,
    limit: int = HELP_LIMIT,
) -> HelpResult:
    """The actors within `radius_km` of `commune` who have a resource, ranked by how short
    the chain of acquaintances from the seeker is (1: knows directly; 2: through one
    person; 3: through two; none beyond), then by distance, quantity (most first) and id.

    The seeker is the actor whose page we are on, or else the user's own person actor. It
    is left out of the candidates (it already has what it has). A chain may go through
    actors the user may not see: they are shown as "une personne du réseau" (or "un acteur
    du réseau"). Queries: the candidates, the seeker's acquaintances, theirs, the links
    between the candidates and those, and the actors shown — a fixed number."""
    if seeker is None:
        seeker = own_actor(user)
    candidates = _resource_candidates(
        user, resource_kind, commune, radius_km, exclude=seeker.pk if seeker else None
    )
    graph = link_neighbours if seeker is not None and candidates else None
    shown = reach.rank(seeker.pk if seeker else None, candidates, graph, limit=limit)

    wanted = {r.id for r in shown} | {pk for r in shown for pk in r.chain}
    actors = {
        actor.pk: actor
        for actor in Actor.objects.filter(pk__in=wanted).select_related("commune__departement")
    }
    if seeker is not None:
        actors.setdefault(seeker.pk, seeker)
    sees_all = can(user, "network.see_private")
    seeker_id = seeker.pk if seeker is not None else None
    user_id = user.pk if getattr(user, "is_authenticated", False) else None

    def visible(actor: Actor | None) -> bool:
        """The seeker (whose page the user is on, or themselves), their own page, public
        actors, and everyone for facilitators."""
        return actor is not None and (
            sees_all
            or actor.is_public
            or actor.pk == seeker_id
            or (user_id is not None and actor.user_id == user_id)
        )

    rows = [
        HelpRow(
            actor=actors[r.id],
            distance_km=r.distance_km,
            quantity=r.quantity,
            hops=r.hops,
            chain=tuple(
                _chain_step(pk, actors.get(pk), visible=visible(actors.get(pk))) for pk in r.chain
            ),
        )
        for r in shown
        if r.id in actors
    ]
    return HelpResult(
        rows=rows,
        found=len(candidates),
        seeker=seeker,
        commune=commune,
        radius_km=radius_km,
        resource_kind=resource_kind,
    )


# Territorial engagement. Every figure comes from aggregates over the records: a fixed
# number of queries whatever the number of territories, actors or links.


def _linked() -> Q:
    """An actor with at least one link (served by the two indexes of the links)."""
    return Q(Exists(Link.objects.filter(actor_a=OuterRef("pk")))) | Q(
        Exists(Link.objects.filter(actor_b=OuterRef("pk")))
    )


def _degree():
    """An actor's number of links, as an expression on its row."""

    def count(side: str):
        return Coalesce(
            Subquery(
                Link.objects.filter(**{side: OuterRef("pk")})
                .order_by()
                .values(side)
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            0,
        )

    return count("actor_a") + count("actor_b")


def _count_placed(counts: dict[str, engagement.TerritoryCounts], level: str, **filters) -> None:
    """Add the placed active actors grouped by `level` ("departement" or "epci"), their
    link ends and the isolated ones to `counts`: three aggregate queries."""
    active = {"status": ModerationStatus.PUBLISHED, f"{level}__isnull": False, **filters}
    for row in (
        Actor.objects.filter(**active)
        .values(f"{level}_id")
        .annotate(n=Count("pk"), isolated=Count("pk", filter=~_linked()))
        .order_by()
    ):
        code = row[f"{level}_id"]
        if code in counts:
            counts[code].add(actors=row["n"], isolated=row["isolated"])
    for side in ("actor_a", "actor_b"):
        for row in (
            Link.objects.filter(**{f"{side}__{key}": value for key, value in active.items()})
            .values(f"{side}__{level}")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            code = row[f"{side}__{level}"]
            if code in counts:
                counts[code].add(link_ends=row["n"])


@dataclass
class _PlaceLessAreas:
    """The active place-less collectives, their degree and what their areas name."""

    degree: dict[int, int]
    departements: dict[int, set[str]]  # named, or through their communes and EPCIs
    epcis: dict[int, set[str]]  # named, or through their communes
    whole_departements: dict[int, set[str]]  # départements named as such


def _place_less_areas() -> _PlaceLessAreas:
    """Four queries: the collectives with their degree, and the three parts of areas."""
    active = {"status": ModerationStatus.PUBLISHED, "place_less": True}
    degree = dict(
        Actor.objects.filter(**active).annotate(links=_degree()).values_list("pk", "links")
    )
    areas = _PlaceLessAreas(degree, defaultdict(set), defaultdict(set), defaultdict(set))
    through = {f"actor__{key}": value for key, value in active.items()}
    for actor_id, code in Actor.area_departements.through.objects.filter(**through).values_list(
        "actor_id", "departement_id"
    ):
        areas.departements[actor_id].add(code)
        areas.whole_departements[actor_id].add(code)
    for actor_id, departement, epci in Actor.area_communes.through.objects.filter(
        **through
    ).values_list("actor_id", "commune__departement_id", "commune__epci_id"):
        areas.departements[actor_id].add(departement)
        if epci:
            areas.epcis[actor_id].add(epci)
    for actor_id, epci, departement in (
        Actor.area_epcis.through.objects.filter(**through)
        .values_list("actor_id", "epci_id", "epci__communes__departement_id")
        .distinct()
    ):
        areas.epcis[actor_id].add(epci)
        if departement:
            areas.departements[actor_id].add(departement)
    return areas


@dataclass(frozen=True)
class CollectiveRow:
    """A collective of the chosen département and its nearest fablab."""

    name: str
    url: str
    commune: str  # "" when place-less
    place_less: bool
    links: int
    fablab_name: str
    fablab_url: str
    fablab_km: float | None  # None: place-less, or no fablab anywhere

    @property
    def far_from_fablab(self) -> bool:
        return self.fablab_km is not None and self.fablab_km > engagement.FAR_FROM_FABLAB_KM

    @property
    def no_fablab(self) -> bool:
        return not self.place_less and self.fablab_km is None


@dataclass
class EngagementReport:
    departements: list[engagement.TerritoryEngagement]
    max_per_10k: float
    sort: str
    departement: Departement | None = None
    epcis: list[engagement.TerritoryEngagement] | None = None
    epci_max_per_10k: float = 1.0
    collectives: list[CollectiveRow] | None = None
    cultivate_departements: list[engagement.TerritoryEngagement] = field(default_factory=list)
    cultivate_epcis: list[engagement.TerritoryEngagement] = field(default_factory=list)
    cultivate_collectives: list[CollectiveRow] = field(default_factory=list)
    fablabs: int = 0
    far_km: float = engagement.FAR_FROM_FABLAB_KM


def _max_per_10k(rows) -> float:
    return max((row.per_10k for row in rows if row.per_10k), default=0.0) or 1.0


def _collective_filter() -> Q:
    return Q(kind=ActorKind.COLLECTIVE) | Q(organisation_kind=OrganisationKind.MAKER_COLLECTIVE)


# At national scale (2,000,000 links) the figures take seconds to aggregate: they are
# kept this long in the cache, and recomputed as soon as an actor, a link or an area is
# added or an actor saved (see _engagement_fingerprint).
ENGAGEMENT_CACHE_SECONDS = 600


def _engagement_fingerprint() -> tuple:
    """What changes when the figures may change, in one cheap query: the number of actors,
    their last update, the last link and the last entry of each area of action."""
    tables = [
        (Actor._meta.db_table, "COUNT(*)"),
        (Actor._meta.db_table, "MAX(updated_at)"),
        (Link._meta.db_table, "MAX(id)"),
        (Actor.area_communes.through._meta.db_table, "MAX(id)"),
        (Actor.area_epcis.through._meta.db_table, "MAX(id)"),
        (Actor.area_departements.through._meta.db_table, "MAX(id)"),
    ]
    quote = connection.ops.quote_name
    # Table names from the models, no parameter: nothing typed by anyone goes in.
    parts = ", ".join(
        f"(SELECT {what} FROM {quote(table)})"  # noqa: S608
        for table, what in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        return tuple(str(value) for value in cursor.fetchone())


def territorial_engagement(
    departement: Departement | None = None, sort: str = "", *, fresh: bool = False
) -> EngagementReport:
    """Engagement of every département and, when one is chosen, of its EPCIs, with its
    collectives' distance to the nearest fablab and the places to cultivate, sorted by
    `sort` (see engagement.parse_sort).

    Read from the cache when the records have not changed since (one query), unless
    `fresh`; else computed by `_engagement_report`."""
    fingerprint = _engagement_fingerprint()
    key = (
        "network:engagement:"
        + hashlib.sha256(
            repr((departement.pk if departement else "", fingerprint)).encode()
        ).hexdigest()
    )
    report = None if fresh else cache.get(key)
    if report is None:
        report = _engagement_report(departement)
        cache.set(key, report, ENGAGEMENT_CACHE_SECONDS)
    return dataclasses.replace(
        report,
        sort=sort,
        departements=engagement.sort_rows(report.departements, sort),
        epcis=None if report.epcis is None else engagement.sort_rows(report.epcis, sort),
    )


def _engagement_report(departement: Departement | None) -> EngagementReport:
    """The figures, unsorted (by code).

    Active actors: published, placed in the territory (their commune's), or place-less
    collectives counted once in each territory their area of action touches (a
    département named as a whole counts in each of its EPCIs). People are counted, never
    named. Populations are the sum of the communes' (Paris, Lyon and Marseille counted
    once, not again through their arrondissements). About ten queries, whatever the
    numbers of territories, actors and links (see engagement.py for the arithmetic)."""
    only_communes = Q(communes__kind=CommuneKind.COMMUNE)
    counts = {
        code: engagement.TerritoryCounts(code, name, population or 0)
        for code, name, population in Departement.objects.annotate(
            population=Sum("communes__population", filter=only_communes)
        ).values_list("code", "name", "population")
    }
    _count_placed(counts, "departement")
    place_less = _place_less_areas()
    engagement.add_place_less(
        counts,
        (
            engagement.PlaceLess(pk, degree, frozenset(place_less.departements.get(pk, ())))
            for pk, degree in place_less.degree.items()
        ),
    )
    rows = [engagement.figures(c) for c in counts.values()]
    report = EngagementReport(
        departements=engagement.sort_rows(rows, ""),
        max_per_10k=_max_per_10k(rows),
        sort="",
        cultivate_departements=engagement.lowest_engagement(rows),
    )
    if departement is None:
        return report

    # The EPCIs with a commune in the département, their whole population and départements.
    epci_counts: dict[str, engagement.TerritoryCounts] = {}
    epcis_of: dict[str, set[str]] = defaultdict(set)  # département -> its EPCIs
    in_departement = Commune.objects.filter(departement=departement, epci__isnull=False)
    for code, name, dep, population in (
        Commune.objects.filter(kind=CommuneKind.COMMUNE, epci__in=in_departement.values("epci"))
        .values("epci_id", "epci__name", "departement_id")
        .annotate(population=Sum("population"))
        .values_list("epci_id", "epci__name", "departement_id", "population")
        .order_by()
    ):
        epci_counts.setdefault(code, engagement.TerritoryCounts(code, name, 0))
        epci_counts[code].population += population or 0
        epcis_of[dep].add(code)
    _count_placed(epci_counts, "epci", epci__in=list(epci_counts))
    engagement.add_place_less(
        epci_counts,
        (
            engagement.PlaceLess(
                pk,
                degree,
                engagement.area_territories(
                    place_less.epcis.get(pk, ()),
                    place_less.whole_departements.get(pk, ()),
                    epcis_of,
                ),
            )
            for pk, degree in place_less.degree.items()
        ),
    )
    epci_rows = [engagement.figures(c) for c in epci_counts.values()]
    report.departement = departement
    report.epcis = engagement.sort_rows(epci_rows, "")
    report.epci_max_per_10k = _max_per_10k(epci_rows)
    report.cultivate_epcis = engagement.lowest_engagement(epci_rows)

    # The département's collectives, and the nearest fablab of those with a place.
    place_less_here = [
        pk for pk, codes in place_less.departements.items() if departement.code in codes
    ]
    collectives = list(
        Actor.objects.filter(_collective_filter(), status=ModerationStatus.PUBLISHED)
        .filter(Q(departement=departement) | Q(pk__in=place_less_here))
        .annotate(links=_degree())
        .select_related("commune")
        .only("pk", "name", "slug", "place_less", "latitude", "longitude", "commune__name")
        .order_by("name", "pk")
    )
    fablabs = {
        pk: (name, slug, lat, lon)
        for pk, name, slug, lat, lon in Actor.objects.filter(
            status=ModerationStatus.PUBLISHED,
            organisation_kind=OrganisationKind.FABLAB,
            latitude__isnull=False,
        ).values_list("pk", "name", "slug", "latitude", "longitude")
    }
    nearest = engagement.nearest_targets(
        ((c.pk, c.latitude, c.longitude) for c in collectives if c.latitude is not None),
        ((pk, lat, lon) for pk, (_name, _slug, lat, lon) in fablabs.items()),
    )
    report.fablabs = len(fablabs)
    report.collectives = []
    for collective in collectives:
        fablab_id, km = nearest.get(collective.pk, (None, None))
        name, slug, _lat, _lon = fablabs.get(fablab_id, ("", "", None, None))
        report.collectives.append(
            CollectiveRow(
                name=collective.name,
                url=collective.get_absolute_url(),
                commune=collective.commune.name if collective.commune_id else "",
                place_less=collective.place_less,
                links=collective.links,
                fablab_name=name,
                fablab_url=reverse("network:actor", kwargs={"slug": slug}) if slug else "",
                fablab_km=km,
            )
        )
    report.cultivate_collectives = [
        row for row in report.collectives if row.links == 0 or row.far_from_fablab or row.no_fablab
    ]
    return report

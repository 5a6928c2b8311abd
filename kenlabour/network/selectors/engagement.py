"""Territorial engagement. Every figure comes from aggregates over the records: a fixed
number of queries whatever the number of territories, actors or links."""

import dataclasses
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from kenlabour.network import engagement
from kenlabour.network.enums import ActorKind, ModerationStatus, OrganisationKind
from kenlabour.network.models import Actor, Link
from kenlabour.territories.enums import CommuneKind
from kenlabour.territories.models import Commune, Departement


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

"""Who could help: an actor's neighbours in the acquaintance graph, and the actors with
the resource sought, reachable within two introductions."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from kenlabour.accounts.perms import can
from kenlabour.network import reach
from kenlabour.network.enums import ActorKind, ModerationStatus, ResourceKind
from kenlabour.network.models import Actor, Link
from kenlabour.network.selectors.actors import visible_actors
from kenlabour.territories.geo import bounding_box, haversine_km
from kenlabour.territories.models import Commune

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

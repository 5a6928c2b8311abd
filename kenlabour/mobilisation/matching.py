"""Optimal matching of crisis needs to producers, exact at national scale.

Pure module (no Django): the services turn needs and capacities of one item type into
`NeedIn` and `ProducerIn` values, call `match`, and record the `Matching` it returns.

The problem
-----------
Needs (a quantity, a weight, a place) and producers (a capacity, a delivery range
`max_km`, a place). A producer may serve a need only if the great-circle distance
between them is at most the producer's `max_km`; it serves at most its capacity; a
need receives at most its quantity. `match` finds, among all such integer assignments,

1. first, one that serves the most *weighted units* (sum of weight × units: an urgent
   need with a near deadline counts more, see `priority_weight`);
2. then, among those, one with the least *unit-km* (sum of units × km between the need
   and the producer: the delivery effort).

It is a min-cost flow. Producers are supply nodes; an arc producer → need exists only
within the producer's range and costs the distance (in metres, rounded: the precision
of the second criterion is one metre per unit, see `DISTANCE_UNIT_M`); an arc need →
sink, of capacity the quantity, costs `-weight × λ`; every producer also has a free
bypass arc to the sink for the supply it does not use, so the flow is always feasible.
Integral capacities give an integral optimal flow; OR-Tools' `SimpleMinCostFlow`
(cost-scaling push-relabel) finds it exactly. How large must λ be?

* Safe: with λ = M larger than the distance of any simple path of the residual network
  (the longest arc × the number of producer nodes or need places with arcs, whichever
  is smaller, plus one), any residual cycle that raises the weighted units by at least
  1 has a negative cost; at the minimum there is none, so the weighted units are
  maximal, and among such flows the costs differ by the distances only, so the
  distance is minimal. But a "longest arc + 1" is NOT enough in general: one more
  weighted unit may need a chain of detours, each up to the longest arc (see the test
  `test_one_more_weighted_unit_is_worth_a_long_chain_of_detours`).
* Fast, and still exact: the cost-scaling solver slows down as costs grow, so `match`
  first computes the most weighted units W* (costs `-weight`, no distance: a quick
  solve), then solves with λ = longest arc + 1. The flow f found minimises
  D − λ·W; if W(f) = W*, every flow g with W(g) = W* has D(g) − λW* ≥ D(f) − λW*, so
  D(g) ≥ D(f): f is the lexicographic optimum. Otherwise λ is multiplied by 16 (at
  most up to M, which always reaches W*) and the flow solved again.

Why the most weighted units are also the most units: let f be a flow of maximum
weighted value. If it were not a maximum flow, its residual network would hold an
augmenting path from the source to the sink. A simple path enters the sink once and
never leaves it, so it ends by an arc need → sink taken forward, and uses no reverse
arc sink → need: it raises one need's served units by 1 and lowers none (it only
re-routes producer → need arcs on the way). Weights are positive, so the weighted value
would rise: a contradiction. Hence `match` serves at least as many units as any other
assignment on the same arcs, the greedy baseline included, and at least as many
weighted units.

Scale
-----
100,000 needs and 20,000 producers over France's 35,000 communes give tens of millions
of producer-need pairs within range. Three exact reductions keep the network small
(about 2 million arcs on `bench/matching.py`'s national instance, solved in seconds):

* needs at the same place (the same latitude and longitude) are at the same distance
  from every producer: they share one *place* node, with one arc to the sink per
  weight present there (capacity: the quantities of that weight);
* producers at the same place and with the same `max_km` are one node (supply: the sum
  of capacities);
* at one place, producers of different ranges r1 < r2 < … are chained: node r2 has an
  arc of cost 0 to node r1 and its own arcs only to the places in (r1, r2]; so every
  place within r1 gets one arc, not one per range.

Candidate arcs come from `scipy.spatial.cKDTree` on 3-D unit vectors (a great-circle
distance d is a chord of 2 sin(d / 2R)), queried once per group of producer places with
the same largest range, then checked with the haversine formula: no arc within range
is dropped. The flow is split back deterministically: at a place, producers are used
in id order (among those whose range covers the distance), and needs of one place and
one weight are served in id order (first come, first served).

Determinism: the input is sorted by id, places by coordinates, arcs by (producer node,
place node); the solver is deterministic for a given network (OR-Tools documents it),
so the same needs and producers, in any order, always give the same assignments. Ties
between places at equal distance are resolved by the solver on that canonical network:
always the same way, with no simpler rule to state; within a place, by ids as above.

`greedy` is the baseline of volunteer platforms: needs by decreasing weight then id,
each served by its nearest producers with capacity left.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from kenlabour.territories.geo import EARTH_RADIUS_KM

# Precision of the distance costs of the flow: one metre. If OR-Tools reports that the
# costs overflow (never seen at national scale), the unit grows tenfold and it retries.
DISTANCE_UNIT_M = 1
_INT64_MAX = 2**63 - 1
# Relative slack on the k-d tree's chord radius, so that a pair exactly at the range
# is fetched; the haversine test decides.
_CHORD_SLACK = 1e-9
# Above this many distinct ranges, producer places are grouped in ranges rounded up on
# a geometric ladder (×2^(1/4)) for the k-d tree queries (still filtered exactly).
_MAX_RANGE_GROUPS = 48


@dataclass(frozen=True)
class NeedIn:
    id: int
    quantity: int
    weight: int
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class ProducerIn:
    id: int
    capacity: int
    max_km: float
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Assignment:
    need_id: int
    producer_id: int
    units: int
    km: float


@dataclass
class Matching:
    """The assignments and their figures.

    `unserved` maps every need not fully served to its missing units; the reasons are in
    `needs_without_position` (no coordinates: never matched) and `needs_out_of_reach`
    (no positioned producer has them within range); the others lacked capacity.
    `spare` maps producers with capacity left to that capacity.
    """

    assignments: list[Assignment]
    units: int
    weighted_units: int
    unit_km: float
    unserved: dict[int, int]
    needs_without_position: list[int] = field(default_factory=list)
    needs_out_of_reach: list[int] = field(default_factory=list)
    producers_without_position: list[int] = field(default_factory=list)
    spare: dict[int, int] = field(default_factory=dict)
    stats: dict[str, float] = field(default_factory=dict)

    def served(self) -> dict[int, int]:
        """Units served per need id."""
        totals: dict[int, int] = defaultdict(int)
        for assignment in self.assignments:
            totals[assignment.need_id] += assignment.units
        return dict(totals)


def priority_weight(urgency: int, deadline: date, today: date) -> int:
    """The weight of one unit of a need, an integer from 1 to 12.

        weight = 4 × (urgency − 1) + 1 + d

    with urgency 1 (normal), 2 (urgent) or 3 (vital; values outside are clamped) and
    d = 3 if the deadline is within 2 days (or past), 2 within 7 days, 1 within 14
    days, 0 later. A step of urgency (4) outweighs the whole deadline scale (3): one unit
    of a more urgent need always beats one unit of a less urgent one; at equal urgency
    the nearer deadline wins.
    """
    level = min(max(int(urgency), 1), 3)
    days = (deadline - today).days
    if days <= 2:
        bonus = 3
    elif days <= 7:
        bonus = 2
    elif days <= 14:
        bonus = 1
    else:
        bonus = 0
    return 4 * (level - 1) + 1 + bonus


# --- geometry ------------------------------------------------------------------------


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Vectorised great-circle distance in km: the formula and Earth radius of
    `kenlabour.territories.geo.haversine_km`, on numpy arrays (degrees)."""
    phi1 = np.radians(lat1)
    phi2 = np.radians(lat2)
    dphi = phi2 - phi1
    dlambda = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lon)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def _chord(km: float) -> float:
    """Chord length on the unit sphere of a great-circle distance, with slack."""
    angle = min(max(km, 0.0) / EARTH_RADIUS_KM, math.pi)
    return 2 * math.sin(angle / 2) * (1 + _CHORD_SLACK) + 1e-12


# --- the instance as arrays ------------------------------------------------------------


def _positioned(lat, lon) -> bool:
    return (
        lat is not None
        and lon is not None
        and math.isfinite(float(lat))
        and math.isfinite(float(lon))
    )


def _check_ids(kind: str, ids: list[int]) -> None:
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate {kind} ids")


@dataclass
class _Instance:
    """Needs and producers sorted by id, split into those with and without a place."""

    need_ids: np.ndarray
    need_qty: np.ndarray
    need_weight: np.ndarray
    need_lat: np.ndarray
    need_lon: np.ndarray
    needs_without_position: list[int]
    unpositioned_qty: dict[int, int]
    prod_ids: np.ndarray
    prod_cap: np.ndarray
    prod_km: np.ndarray
    prod_lat: np.ndarray
    prod_lon: np.ndarray
    producers_without_position: list[int]
    unpositioned_cap: dict[int, int]


def _instance(needs, producers) -> _Instance:
    needs = sorted(needs, key=lambda n: n.id)
    producers = sorted(producers, key=lambda p: p.id)
    _check_ids("need", [n.id for n in needs])
    _check_ids("producer", [p.id for p in producers])
    for n in needs:
        if n.quantity < 0 or n.weight < 1:
            raise ValueError(f"need {n.id}: quantity must be >= 0 and weight >= 1")
    for p in producers:
        if p.capacity < 0 or not p.max_km >= 0:
            raise ValueError(f"producer {p.id}: capacity and max_km must be >= 0")
    placed = [n for n in needs if n.quantity > 0 and _positioned(n.latitude, n.longitude)]
    lost = [n for n in needs if n.quantity > 0 and not _positioned(n.latitude, n.longitude)]
    working = [p for p in producers if p.capacity > 0 and _positioned(p.latitude, p.longitude)]
    idle = [p for p in producers if not _positioned(p.latitude, p.longitude)]
    # `+ 0.0` folds -0.0 into 0.0, so that one place is one key.
    return _Instance(
        need_ids=np.array([n.id for n in placed], dtype=np.int64),
        need_qty=np.array([n.quantity for n in placed], dtype=np.int64),
        need_weight=np.array([n.weight for n in placed], dtype=np.int64),
        need_lat=np.array([n.latitude for n in placed], dtype=float) + 0.0,
        need_lon=np.array([n.longitude for n in placed], dtype=float) + 0.0,
        needs_without_position=[n.id for n in lost],
        unpositioned_qty={n.id: n.quantity for n in lost},
        prod_ids=np.array([p.id for p in working], dtype=np.int64),
        prod_cap=np.array([p.capacity for p in working], dtype=np.int64),
        prod_km=np.array([p.max_km for p in working], dtype=float),
        prod_lat=np.array([p.latitude for p in working], dtype=float) + 0.0,
        prod_lon=np.array([p.longitude for p in working], dtype=float) + 0.0,
        producers_without_position=[p.id for p in idle],
        unpositioned_cap={p.id: p.capacity for p in idle if p.capacity > 0},
    )


def _unique_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows (sorted lexicographically) and the row index of each input."""
    if len(columns[0]) == 0:
        return np.empty((0, len(columns))), np.empty(0, dtype=np.int64)
    rows, inverse = np.unique(np.column_stack(columns), axis=0, return_inverse=True)
    return rows, inverse.reshape(-1).astype(np.int64)


@dataclass
class _Network:
    """The aggregated network: producer nodes (place, range), need places, arcs."""

    inst: _Instance
    # need places and weight classes
    place_lat: np.ndarray
    place_lon: np.ndarray
    need_place: np.ndarray
    class_place: np.ndarray
    class_weight: np.ndarray
    class_qty: np.ndarray
    need_class: np.ndarray
    # producer places and nodes
    ppos_lat: np.ndarray
    ppos_lon: np.ndarray
    node_pos: np.ndarray
    node_radius: np.ndarray
    node_supply: np.ndarray
    node_cum_supply: np.ndarray  # supply of the node and of the longer ranges at its place
    pos_first: np.ndarray
    pos_count: np.ndarray
    prod_node: np.ndarray
    # distance arcs, sorted by (node, place)
    arc_node: np.ndarray
    arc_place: np.ndarray
    arc_km: np.ndarray


def _candidate_pairs(net_pos_lat, net_pos_lon, pos_rmax, place_lat, place_lon):
    """Every (producer place, need place) pair within the producer place's largest range,
    with its haversine distance: k-d tree queries by group of ranges, exact filter."""
    from scipy.spatial import cKDTree

    empty = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, float))
    if len(pos_rmax) == 0 or len(place_lat) == 0:
        return empty
    place_tree = cKDTree(_unit_vectors(place_lat, place_lon))
    pos_vectors = _unit_vectors(net_pos_lat, net_pos_lon)
    radii = np.unique(pos_rmax)
    if len(radii) <= _MAX_RANGE_GROUPS:
        group_radius = pos_rmax
    else:  # round ranges up on a geometric ladder; the exact filter below still applies
        step = 2.0**0.25
        rungs = np.ceil(np.log(np.maximum(pos_rmax, 1e-3)) / np.log(step))
        group_radius = np.maximum(step**rungs, pos_rmax)
        group_radius = np.where(pos_rmax <= 1e-3, 1e-3, group_radius)
    groups = np.unique(group_radius)
    pos_parts, place_parts, km_parts = [], [], []
    for radius in groups:
        members = np.flatnonzero(group_radius == radius)
        tree = cKDTree(pos_vectors[members])
        pairs = tree.sparse_distance_matrix(place_tree, _chord(radius), output_type="ndarray")
        if len(pairs) == 0:
            continue
        pos = members[pairs["i"].astype(np.int64)]
        place = pairs["j"].astype(np.int64)
        km = haversine_km(net_pos_lat[pos], net_pos_lon[pos], place_lat[place], place_lon[place])
        keep = km <= pos_rmax[pos]
        pos_parts.append(pos[keep])
        place_parts.append(place[keep])
        km_parts.append(km[keep])
    if not pos_parts:
        return empty
    return np.concatenate(pos_parts), np.concatenate(place_parts), np.concatenate(km_parts)


def _node_of_pair(pos, km, node_radius, pos_first, pos_count):
    """The node (place, shortest range ≥ km) of each pair, by search then exact fix-up."""
    if len(pos) == 0:
        return np.empty(0, np.int64)
    span = 2.0 * (float(node_radius.max()) + 1.0)
    node_pos = np.repeat(np.arange(len(pos_first)), pos_count)
    keys = node_pos * span + node_radius
    node = np.searchsorted(keys, pos * span + km, side="left")
    first = pos_first[pos]
    last = first + pos_count[pos] - 1
    node = np.clip(node, first, last)
    while True:  # float rounding of the keys may leave a node off by one: fix it exactly
        up = (node < last) & (node_radius[node] < km)
        down = (node > first) & (node_radius[np.maximum(node - 1, 0)] >= km)
        if not up.any() and not down.any():
            break
        node = node + up - down
    return node


def _network(inst: _Instance) -> _Network:
    # Need places and (place, weight) classes.
    places, need_place = _unique_rows(inst.need_lat, inst.need_lon)
    place_lat = places[:, 0] if len(places) else np.empty(0)
    place_lon = places[:, 1] if len(places) else np.empty(0)
    top_weight = int(inst.need_weight.max()) + 1 if len(inst.need_weight) else 1
    class_keys, need_class = np.unique(
        need_place * top_weight + inst.need_weight, return_inverse=True
    )
    need_class = need_class.reshape(-1).astype(np.int64)
    class_place = class_keys // top_weight
    class_weight = class_keys % top_weight
    class_qty = np.bincount(need_class, weights=inst.need_qty, minlength=len(class_keys))
    class_qty = class_qty.astype(np.int64)

    # Producer places and nodes (place, range), nodes sorted by place then range.
    ppos, prod_pos = _unique_rows(inst.prod_lat, inst.prod_lon)
    ppos_lat = ppos[:, 0] if len(ppos) else np.empty(0)
    ppos_lon = ppos[:, 1] if len(ppos) else np.empty(0)
    nodes, prod_node = _unique_rows(prod_pos.astype(float), inst.prod_km)
    node_pos = nodes[:, 0].astype(np.int64) if len(nodes) else np.empty(0, np.int64)
    node_radius = nodes[:, 1] if len(nodes) else np.empty(0)
    node_supply = np.bincount(prod_node, weights=inst.prod_cap, minlength=len(nodes))
    node_supply = node_supply.astype(np.int64)
    pos_count = np.bincount(node_pos, minlength=len(ppos)).astype(np.int64)
    pos_first = (np.cumsum(pos_count) - pos_count).astype(np.int64)
    # Supply of each node plus that of the longer ranges at its place (reverse cumsum).
    total = np.cumsum(node_supply[::-1])[::-1]
    pos_end = pos_first + pos_count
    after_place = np.append(total, 0)[pos_end]
    node_cum_supply = total - np.repeat(after_place, pos_count)

    pos_rmax = node_radius[pos_first + pos_count - 1] if len(ppos) else np.empty(0)
    pos, place, km = _candidate_pairs(ppos_lat, ppos_lon, pos_rmax, place_lat, place_lon)
    node = _node_of_pair(pos, km, node_radius, pos_first, pos_count)
    order = np.lexsort((place, node))
    return _Network(
        inst=inst,
        place_lat=place_lat,
        place_lon=place_lon,
        need_place=need_place,
        class_place=class_place,
        class_weight=class_weight,
        class_qty=class_qty,
        need_class=need_class,
        ppos_lat=ppos_lat,
        ppos_lon=ppos_lon,
        node_pos=node_pos,
        node_radius=node_radius,
        node_supply=node_supply,
        node_cum_supply=node_cum_supply,
        pos_first=pos_first,
        pos_count=pos_count,
        prod_node=prod_node,
        arc_node=node[order],
        arc_place=place[order],
        arc_km=km[order],
    )


# --- the optimal matching ----------------------------------------------------------------


def _solve_flow(net: _Network) -> tuple[np.ndarray, np.ndarray, dict]:
    """Flows on the distance arcs and on the class arcs (per weight class)."""
    from ortools.graph.python import min_cost_flow

    n_nodes = len(net.node_pos)
    n_places = len(net.place_lat)
    sink = n_nodes + n_places
    n_arcs = len(net.arc_node)
    place_qty = np.bincount(net.class_place, weights=net.class_qty, minlength=n_places)
    place_qty = place_qty.astype(np.int64)
    chained = np.flatnonzero(net.node_pos[1:] == net.node_pos[:-1]) + 1 if n_nodes else []
    chained = np.asarray(chained, dtype=np.int64)
    active_nodes = len(np.unique(net.arc_node))
    active_places = len(np.unique(net.arc_place))
    max_weight = int(net.class_weight.max()) if len(net.class_weight) else 1

    tails = np.concatenate(
        (net.arc_node, chained, np.arange(n_nodes), n_nodes + net.class_place)
    ).astype(np.int32)
    heads = np.concatenate(
        (
            n_nodes + net.arc_place,
            chained - 1,
            np.full(n_nodes, sink),
            np.full(len(net.class_place), sink),
        )
    ).astype(np.int32)
    capacities = np.concatenate(
        (
            np.minimum(net.node_cum_supply[net.arc_node], place_qty[net.arc_place]),
            net.node_cum_supply[chained],
            net.node_supply,
            net.class_qty,
        )
    ).astype(np.int64)
    supplies = np.concatenate(
        (net.node_supply, np.zeros(n_places, np.int64), [-int(net.node_supply.sum())])
    ).astype(np.int64)

    class_start = n_arcs + len(chained) + n_nodes
    zeros = np.zeros(len(chained) + n_nodes, np.int64)

    def solve(distance: np.ndarray, multiplier: int):
        costs = np.concatenate((distance, zeros, -net.class_weight * multiplier))
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
        flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
        status = flow.solve()
        if status == flow.BAD_COST_RANGE:
            return None, 0
        if status != flow.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed: {status!r}")
        flows = np.asarray(flow.flows(np.arange(tails.size, dtype=np.int32)), dtype=np.int64)
        return flows, int(flows[class_start:] @ net.class_weight)

    # Phase 1: the most weighted units, distances left out.
    first, most_weight = solve(np.zeros(n_arcs, np.int64), 1)
    if first is None:
        raise RuntimeError("min-cost flow: weights out of range")
    del first
    # Phase 2: distances, with multipliers from the longest arc + 1 up to the safe M.
    unit_m, solves = DISTANCE_UNIT_M, 1
    while True:
        distance = np.rint(net.arc_km * (1000.0 / unit_m)).astype(np.int64)
        longest = max(int(distance.max()), 1)
        big_m = longest * max(min(active_nodes, active_places), 1) + 1
        multiplier = longest + 1
        found = None
        while (sink + 2) * max_weight * multiplier < _INT64_MAX // 4:
            flows, weight = solve(distance, multiplier)
            solves += 1
            if flows is None:  # the costs overflowed: coarser distances
                break
            if weight == most_weight:
                found = flows
                break
            if multiplier == big_m:
                raise RuntimeError("min-cost flow: the safe multiplier missed the optimum")
            multiplier = min(multiplier * 16, big_m)
        if found is not None:
            break
        if unit_m >= 10**6:
            raise RuntimeError("min-cost flow: costs out of range")
        unit_m *= 10
    stats = {
        "arcs": n_arcs,
        "producer_nodes": n_nodes,
        "need_places": n_places,
        "distance_unit_m": unit_m,
        "multiplier": multiplier,
        "safe_multiplier": big_m,
        "flow_solves": solves,
    }
    return found[:n_arcs], found[class_start:], stats


def match(needs, producers) -> Matching:
    """The optimal matching (see the module's docstring): most weighted units, then least
    unit-km, every producer within its range and capacity."""
    inst = _instance(needs, producers)
    net = _network(inst)
    if len(net.arc_node):
        arc_flow, class_flow, stats = _solve_flow(net)
    else:
        arc_flow = np.empty(0, np.int64)
        class_flow = np.zeros(len(net.class_place), np.int64)
        stats = {"arcs": 0, "producer_nodes": len(net.node_pos), "need_places": 0}
        stats["need_places"] = len(net.place_lat)
        stats["distance_unit_m"] = DISTANCE_UNIT_M
    pieces = _split(net, arc_flow, class_flow)
    reached = np.zeros(len(net.place_lat), dtype=bool)
    reached[net.arc_place] = True
    out_of_reach = inst.need_ids[~reached[net.need_place]].tolist() if len(reached) else []
    return _result(inst, pieces, out_of_reach, stats)


def _split(net: _Network, arc_flow: np.ndarray, class_flow: np.ndarray):
    """(need index, producer index, units, km) from the aggregated flow, deterministically:
    at a producer place, producers in id order among those whose range covers the
    distance; at a need place, needs by decreasing weight then id, each weight class
    getting the units its arc to the sink carries."""
    inst = net.inst
    used = np.flatnonzero(arc_flow > 0)
    # Producer side: per place, levels from the longest range down.
    producers_of_node: dict[int, list[int]] = defaultdict(list)
    for index, node in enumerate(net.prod_node.tolist()):
        producers_of_node[node].append(index)  # producer indexes are in id order
    left = inst.prod_cap.copy()
    by_pos: dict[int, list[int]] = defaultdict(list)
    for arc in used.tolist():
        by_pos[int(net.node_pos[net.arc_node[arc]])].append(arc)
    inflow: dict[int, list[tuple[float, int, int]]] = defaultdict(list)  # place -> (km, prod, u)
    for pos, arcs in by_pos.items():
        first, count = int(net.pos_first[pos]), int(net.pos_count[pos])
        by_level: dict[int, list[int]] = defaultdict(list)
        for arc in arcs:
            by_level[int(net.arc_node[arc])].append(arc)
        pool: list[int] = []
        for node in range(first + count - 1, first - 1, -1):
            pool = sorted(pool + producers_of_node[node])
            for arc in by_level.get(node, ()):
                units = int(arc_flow[arc])
                place = int(net.arc_place[arc])
                km = float(net.arc_km[arc])
                while units:
                    producer = pool[0]
                    take = min(units, int(left[producer]))
                    if take:
                        inflow[place].append((km, producer, take))
                        left[producer] -= take
                        units -= take
                    if left[producer] == 0:
                        pool.pop(0)
    # Need side: per place, the units of each class to needs in id order.
    class_left = class_flow.copy()
    needs_of_place: dict[int, list[int]] = defaultdict(list)
    for index, place in enumerate(net.need_place.tolist()):
        needs_of_place[place].append(index)
    pieces = []
    for place, arrivals in inflow.items():
        takers = []
        members = sorted(
            needs_of_place[place], key=lambda i: (-inst.need_weight[i], inst.need_ids[i])
        )
        for need in members:
            klass = net.need_class[need]
            units = min(int(inst.need_qty[need]), int(class_left[klass]))
            if units:
                class_left[klass] -= units
                takers.append([need, units])
        arrivals.sort(key=lambda a: (a[0], inst.prod_ids[a[1]]))
        t = 0
        for km, producer, units in arrivals:
            while units:
                take = min(units, takers[t][1])
                pieces.append((takers[t][0], producer, take, km))
                units -= take
                takers[t][1] -= take
                if takers[t][1] == 0:
                    t += 1
    return pieces


def _result(inst: _Instance, pieces, out_of_reach: list[int], stats: dict) -> Matching:
    merged: dict[tuple[int, int], list] = {}
    served = np.zeros(len(inst.need_ids), dtype=np.int64)
    used = np.zeros(len(inst.prod_ids), dtype=np.int64)
    for need, producer, units, km in pieces:
        key = (need, producer)
        if key in merged:
            merged[key][0] += units
        else:
            merged[key] = [units, km]
        served[need] += units
        used[producer] += units
    assignments = sorted(
        (
            Assignment(
                need_id=int(inst.need_ids[need]),
                producer_id=int(inst.prod_ids[producer]),
                units=units,
                km=km,
            )
            for (need, producer), (units, km) in merged.items()
        ),
        key=lambda a: (a.need_id, a.producer_id),
    )
    unserved = dict(inst.unpositioned_qty)
    missing = inst.need_qty - served
    for index in np.flatnonzero(missing > 0).tolist():
        unserved[int(inst.need_ids[index])] = int(missing[index])
    spare = dict(inst.unpositioned_cap)
    left = inst.prod_cap - used
    for index in np.flatnonzero(left > 0).tolist():
        spare[int(inst.prod_ids[index])] = int(left[index])
    weight = dict(zip(inst.need_ids.tolist(), inst.need_weight.tolist(), strict=True))
    return Matching(
        assignments=assignments,
        units=int(served.sum()),
        weighted_units=sum(weight[a.need_id] * a.units for a in assignments),
        unit_km=math.fsum(a.units * a.km for a in assignments),
        unserved=dict(sorted(unserved.items())),
        needs_without_position=inst.needs_without_position,
        needs_out_of_reach=sorted(out_of_reach),
        producers_without_position=inst.producers_without_position,
        spare=dict(sorted(spare.items())),
        stats=stats,
    )


# --- the greedy baseline ---------------------------------------------------------------

_GREEDY_FIRST_K = 8
# Up to this many distinct ranges, each range is a band of its own (no place is fetched
# out of range); beyond, bands are ranges rounded up to a power of two × 10 km.
_GREEDY_MAX_BANDS = 4


class _RangeBand:
    """Producer places holding producers of one band of ranges, with a k-d tree of the
    places that still have capacity, rebuilt when one in 16 ran out."""

    def __init__(self, radius: float, alive: dict[int, list[int]], vectors: np.ndarray):
        self.chord = _chord(radius)
        self.alive = alive  # place -> producer indexes with capacity left, in id order
        self.vectors = vectors
        self.build()

    def build(self) -> None:
        from scipy.spatial import cKDTree

        self.tree_pos = np.array(sorted(self.alive), dtype=np.int64)
        self.tree = cKDTree(self.vectors[self.tree_pos]) if len(self.tree_pos) else None
        self.dead = 0

    def query(self, points: np.ndarray, k: int) -> tuple[np.ndarray, bool]:
        """Places of the k nearest within the band's largest range (one row per point,
        -1 where fewer), and whether the answer holds every place of the band."""
        if self.dead * 16 > len(self.tree_pos):
            self.build()
        size = len(self.tree_pos)
        if self.tree is None:
            return np.full((len(points), 1), -1, dtype=np.int64), True
        k = min(k, size)
        _, index = self.tree.query(points, k=k, distance_upper_bound=self.chord)
        index = np.asarray(index).reshape(len(points), k)
        places = np.where(index < size, self.tree_pos[np.minimum(index, size - 1)], -1)
        return places, k == size

    def exhaust(self, place: int, producer: int) -> None:
        members = self.alive[place]
        members.remove(producer)
        if not members:
            del self.alive[place]
            self.dead += 1


def greedy(needs, producers) -> Matching:
    """The baseline: needs by decreasing weight, then id; each takes the nearest producer
    with capacity left that has it within range (ties: lower producer id), then the next
    nearest, until it is served or no producer is left in range.

    Producers are searched by bands of ranges (a k-d tree of places per band, queried for
    the k nearest, then 4k, 16k…), candidates of all bands merged by distance; a band's
    candidates are taken only closer than its k-th place, so the order is exact.
    `needs_out_of_reach` is not computed here (empty)."""
    inst = _instance(needs, producers)
    pieces: list[tuple[int, int, int, float]] = []
    if len(inst.need_ids) == 0 or len(inst.prod_ids) == 0:
        return _result(inst, pieces, [], {"arcs": 0})
    ppos, prod_pos_array = _unique_rows(inst.prod_lat, inst.prod_lon)
    pos_lat, pos_lon = ppos[:, 0], ppos[:, 1]
    pos_vectors = _unit_vectors(pos_lat, pos_lon)
    if len(np.unique(inst.prod_km)) <= _GREEDY_MAX_BANDS:
        band_radius = inst.prod_km
    else:
        band_radius = 10.0 * 2.0 ** np.maximum(0, np.ceil(np.log2(inst.prod_km / 10.0)))
    radii, band_of = np.unique(band_radius, return_inverse=True)
    band_of = band_of.reshape(-1)
    bands: list[_RangeBand] = []
    for b in range(len(radii)):
        members = np.flatnonzero(band_of == b)
        alive: dict[int, list[int]] = defaultdict(list)
        for producer in members.tolist():  # producer indexes are in id order
            alive[int(prod_pos_array[producer])].append(producer)
        bands.append(_RangeBand(float(inst.prod_km[members].max()), dict(alive), pos_vectors))

    # One batch query per band for every need; candidates of all bands merged by km.
    need_vectors = _unit_vectors(inst.need_lat, inst.need_lon)
    n = len(inst.need_ids)
    all_places, all_km, all_band = [], [], []
    band_cutoff = np.full((n, len(bands)), np.inf)
    for b, band in enumerate(bands):
        places, complete = band.query(need_vectors, _GREEDY_FIRST_K)
        safe = np.maximum(places, 0)
        km = haversine_km(
            inst.need_lat[:, None], inst.need_lon[:, None], pos_lat[safe], pos_lon[safe]
        )
        km = np.where(places >= 0, km, np.inf)
        if not complete:  # a band's places are known up to its k-th, when it has k
            band_cutoff[:, b] = np.where((places >= 0).all(axis=1), km[:, -1], np.inf)
        all_places.append(places)
        all_km.append(km)
        all_band.append(np.full(places.shape, b, dtype=np.int64))
    merged_km = np.concatenate(all_km, axis=1)
    order_in_row = np.argsort(merged_km, axis=1, kind="stable")
    merged_km = np.take_along_axis(merged_km, order_in_row, axis=1)
    merged_places = np.take_along_axis(np.concatenate(all_places, axis=1), order_in_row, axis=1)
    merged_band = np.take_along_axis(np.concatenate(all_band, axis=1), order_in_row, axis=1)
    del all_places, all_km, all_band, order_in_row
    first_cutoff = band_cutoff.min(axis=1)

    left = inst.prod_cap.tolist()
    prod_km = inst.prod_km.tolist()
    prod_ids = inst.prod_ids.tolist()
    prod_band = band_of.tolist()
    prod_pos = prod_pos_array.tolist()

    def take(need: int, remaining: int, pool: list) -> int:
        pool.sort()
        for km, _id, producer in pool:
            units = min(remaining, left[producer])
            pieces.append((need, producer, units, km))
            left[producer] -= units
            remaining -= units
            if left[producer] == 0:
                bands[prod_band[producer]].exhaust(prod_pos[producer], producer)
            if remaining == 0:
                break
        return remaining

    for need in np.lexsort((inst.need_ids, -inst.need_weight)).tolist():
        cutoff = float(first_cutoff[need])
        visited: set[tuple[int, int]] = set()
        pool = []
        row = list(
            zip(
                merged_places[need].tolist(),
                merged_km[need].tolist(),
                merged_band[need].tolist(),
                strict=True,
            )
        )
        for place, km, b in row:
            if km >= cutoff:
                break
            visited.add((b, place))
            for producer in bands[b].alive.get(place, ()):
                if prod_km[producer] >= km:
                    pool.append((km, prod_ids[producer], producer))
        remaining = take(need, int(inst.need_qty[need]), pool)
        if remaining and cutoff < math.inf:
            state = [[[], [], float(c), _GREEDY_FIRST_K] for c in band_cutoff[need].tolist()]
            for place, km, b in row:
                if km < math.inf and (b, place) not in visited:
                    state[b][0].append(place)
                    state[b][1].append(km)
            _greedy_slow(
                need, remaining, inst, bands, need_vectors, (pos_lat, pos_lon), visited, take, state
            )
    return _result(inst, pieces, [], {"arcs": 0})


def _greedy_slow(need, remaining, inst, bands, need_vectors, pos, visited, take, state):
    """A need not served by its first candidates: ask the limiting bands (`state`, per
    band: places not yet seen, their km, the band's cutoff, its k) for 4× more places,
    take those closer than every band's cutoff, until served or out of places."""
    pos_lat, pos_lon = pos
    lat, lon = inst.need_lat[need], inst.need_lon[need]
    prod_km = inst.prod_km
    while True:
        cutoff = min(s[2] for s in state)
        for b, s in enumerate(state):
            if s[2] != cutoff:
                continue
            k = s[3] * 4
            places, complete = bands[b].query(need_vectors[need : need + 1], k)
            places = places[0][places[0] >= 0]
            kms = haversine_km(lat, lon, pos_lat[places], pos_lon[places])
            full = not complete and len(places) == k
            s[:] = [places.tolist(), kms.tolist(), float(kms[-1]) if full else math.inf, k]
        cutoff = min(s[2] for s in state)
        pool = []
        for b, (places, kms, _cut, _k) in enumerate(state):
            alive = bands[b].alive
            for place, km in zip(places, kms, strict=True):
                if km >= cutoff:
                    break
                if (b, place) in visited:
                    continue
                visited.add((b, place))
                for producer in alive.get(place, ()):
                    if prod_km[producer] >= km:
                        pool.append((km, int(inst.prod_ids[producer]), producer))
        remaining = take(need, remaining, pool)
        if remaining == 0 or cutoff == math.inf:
            return


# --- a lower bound of the distance, for the benchmark and the tests --------------------


# Column generation of the LP bound: the nearest pairs of each place in the first LP;
# then, each round, the pairs whose reduced cost is below this margin (at most so many).
_PRICING_FIRST_NEAREST = 8
_PRICING_MARGIN_KM = 1.0
_PRICING_MAX_COLUMNS = 200_000


@dataclass(frozen=True)
class LowerBound:
    km: float  # unit-km
    kind: str  # "lp" or "nearest"
    what: str  # what it bounds, in words
    exact: bool = False  # "lp": the bound is the LP's optimum (no arc left to price in)
    rounds: int = 0  # "lp": restricted LPs solved


def _brute_force_pairs(inst: _Instance, chunk: int = 4_000_000):
    """Every pair (producer place, need place) within the place's longest range, by brute
    force over places × places (no k-d tree: independent of `match`'s arcs)."""
    places, need_place = _unique_rows(inst.need_lat, inst.need_lon)
    ppos, prod_pos = _unique_rows(inst.prod_lat, inst.prod_lon)
    rmax = np.zeros(len(ppos))
    np.maximum.at(rmax, prod_pos, inst.prod_km)
    pos_parts, place_parts, km_parts = [], [], []
    if len(places) and len(ppos):
        step = max(1, chunk // len(places))
        for start in range(0, len(ppos), step):
            block = ppos[start : start + step]
            km = haversine_km(block[:, :1], block[:, 1:], places[None, :, 0], places[None, :, 1])
            i, j = np.nonzero(km <= rmax[start : start + step, None])
            pos_parts.append(i + start)
            place_parts.append(j)
            km_parts.append(km[i, j])
    if pos_parts:
        pairs = (np.concatenate(pos_parts), np.concatenate(place_parts), np.concatenate(km_parts))
    else:
        pairs = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))
    return places, need_place, prod_pos, pairs


def distance_lower_bound(
    needs, producers, matching: Matching, method: str = "lp", max_rounds: int = 12
) -> LowerBound:
    """A lower bound of the unit-km, to measure `match` against (benchmark, tests).

    * "lp": the linear relaxation of "serve at least `matching.weighted_units` weighted
      units at the least unit-km" on every producer × need pair within range (pairs of
      places enumerated by brute force), with the exact haversine km (not the metres of
      the flow). No assignment, fractional or not, that serves as many weighted units
      travels fewer unit-km. When `matching` has the most weighted units, the LP's
      optimum is the least distance of any optimal matching (the network's polytope is
      integral, and so is its face of maximal weighted units): `match` should meet it up
      to the metre rounding of its costs.

      Millions of pairs are too many for one LP, so it is solved by column generation:
      HiGHS (`scipy.optimize.linprog`, interior point then crossover: its duals price
      out fewer pairs than the simplex's) solves the LP restricted to the pairs `matching`
      uses plus a few nearest per need place; its duals price every pair; the most
      negative are added, and again. Each round gives a valid bound by Lagrangian (weak)
      duality — the restricted duals, made sign-feasible, evaluated on the full LP with
      each variable at its bound where its reduced cost is negative:
          Σ b·duals + Σ min(0, reduced cost) × upper bound;
      the best is returned, `exact` when no pair prices out (then it is the LP optimum).
    * "nearest": each unit served to a need in `matching`, at the distance of the
      nearest producer that has that need within range. Weaker: it bounds the unit-km of
      any assignment serving the same units to the same needs. Cheap at any scale.
    """
    inst = _instance(needs, producers)
    places, need_place, prod_pos, (pos, place, km) = _brute_force_pairs(inst)
    if method == "nearest":
        # A pair is within the longest range at its producer place: someone reaches it.
        nearest = np.full(len(places), np.inf)
        np.minimum.at(nearest, place, km)
        served = matching.served()
        total = math.fsum(
            served.get(need_id, 0) * float(nearest[need_place[index]])
            for index, need_id in enumerate(inst.need_ids.tolist())
            if served.get(need_id, 0)
        )
        return LowerBound(
            km=total,
            kind="nearest",
            what="each served unit at its need's nearest producer within range "
            "(same units to the same needs)",
        )
    if method != "lp":
        raise ValueError(f"unknown method {method!r}")
    if len(pos) == 0 or matching.weighted_units == 0:
        return LowerBound(km=0.0, kind="lp", what="nothing to serve", exact=True)
    return _lp_bound(inst, places, need_place, prod_pos, (pos, place, km), matching, max_rounds)


def _lp_bound(inst, places, need_place, prod_pos, pairs, matching, max_rounds) -> LowerBound:
    from scipy import sparse
    from scipy.optimize import linprog

    pos, place, km = pairs
    # Nodes (producer place, range), chained as in `match`: a pair belongs to the node of
    # the shortest range at its place that covers it; node j+1 may pass supply to node j.
    nodes, prod_node = _unique_rows(prod_pos.astype(float), inst.prod_km)
    node_pos = nodes[:, 0].astype(np.int64)
    node_radius = nodes[:, 1]
    supply = np.bincount(prod_node, weights=inst.prod_cap, minlength=len(nodes))
    count = np.bincount(node_pos, minlength=int(node_pos.max()) + 1)
    first = np.cumsum(count) - count
    level = np.zeros(len(pos), dtype=np.int64)
    for j in range(int(count.max()) - 1):  # a plain scan of the ranges, one level a time
        has = count[pos] > j + 1
        level += has & (node_radius[first[pos] + np.minimum(j, count[pos] - 1)] < km)
    node = first[pos] + level
    cum = supply.copy()  # supply of the node and of the longer ranges at its place
    for j in range(len(nodes) - 2, -1, -1):
        if node_pos[j + 1] == node_pos[j]:
            cum[j] += cum[j + 1]
    chain = np.flatnonzero(node_pos[1:] == node_pos[:-1]) + 1  # arc chain[i] -> chain[i]-1

    top = int(inst.need_weight.max()) + 1
    class_keys, need_class = np.unique(need_place * top + inst.need_weight, return_inverse=True)
    class_place, class_weight = class_keys // top, (class_keys % top).astype(float)
    class_qty = np.bincount(
        need_class.reshape(-1), weights=inst.need_qty, minlength=len(class_keys)
    )
    place_qty = np.bincount(class_place, weights=class_qty, minlength=len(places))
    upper = np.minimum(cum[node], place_qty[place])  # a pair never carries more
    n_nodes, n_places, n_classes, n_chain = len(nodes), len(places), len(class_keys), len(chain)
    weighted = float(matching.weighted_units)

    # First columns: the pairs the matching uses, and the 4 nearest pairs of each place.
    index_of = {(int(n), int(p)): i for i, (n, p) in enumerate(zip(node, place, strict=True))}
    need_index = {int(i): k for k, i in enumerate(inst.need_ids.tolist())}
    prod_index = {int(i): k for k, i in enumerate(inst.prod_ids.tolist())}
    chosen = set()
    for a in matching.assignments:
        producer, need = prod_index[a.producer_id], need_index[a.need_id]
        p_pos, n_place = int(prod_pos[producer]), int(need_place[need])
        lo = int(first[p_pos])
        for n in range(lo, lo + int(count[p_pos])):
            key = (n, n_place)
            if key in index_of:
                chosen.add(index_of[key])
    by_place = np.lexsort((km, place))
    starts = np.searchsorted(place[by_place], np.arange(n_places))
    rank = np.arange(len(place)) - starts[place[by_place]]
    chosen.update(by_place[rank < _PRICING_FIRST_NEAREST].tolist())
    columns = np.array(sorted(chosen), dtype=np.int64)

    best, exact, rounds = -math.inf, False, 0
    while rounds < max_rounds:
        rounds += 1
        n_x = len(columns)
        xn, xp = node[columns], place[columns]
        # Columns: x (pairs), c (chain arcs), y (weight classes).
        c0, y0 = n_x, n_x + n_chain
        n_cols = y0 + n_classes
        a_ub = sparse.coo_matrix(
            (
                np.concatenate((np.ones(n_x), np.ones(n_chain), -np.ones(n_chain), -class_weight)),
                (
                    np.concatenate((xn, chain, chain - 1, np.full(n_classes, n_nodes))),
                    np.concatenate(
                        (
                            np.arange(n_x),
                            c0 + np.arange(n_chain),
                            c0 + np.arange(n_chain),
                            y0 + np.arange(n_classes),
                        )
                    ),
                ),
            ),
            shape=(n_nodes + 1, n_cols),
        ).tocsr()
        b_ub = np.append(supply, -weighted)
        a_eq = sparse.coo_matrix(
            (
                np.concatenate((np.ones(n_x), -np.ones(n_classes))),
                (
                    np.concatenate((xp, class_place)),
                    np.concatenate((np.arange(n_x), y0 + np.arange(n_classes))),
                ),
            ),
            shape=(n_places, n_cols),
        ).tocsr()
        cost = np.concatenate((km[columns], np.zeros(n_chain + n_classes)))
        bounds = np.column_stack(
            (
                np.zeros(n_cols),
                np.concatenate((np.full(n_x, np.inf), np.full(n_chain, np.inf), class_qty)),
            )
        )
        result = linprog(
            cost,
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a_eq,
            b_eq=np.zeros(n_places),
            bounds=bounds,
            method="highs-ipm",
        )
        if result.status != 0:
            raise RuntimeError(f"LP bound failed: {result.message}")
        u = np.minimum(result.ineqlin.marginals[:n_nodes], 0.0)
        v = min(float(result.ineqlin.marginals[n_nodes]), 0.0)
        p = result.eqlin.marginals
        # Reduced costs on the full LP, and the Lagrangian bound they give.
        rc_x = km - u[node] - p[place]
        rc_c = u[chain - 1] - u[chain]
        rc_y = class_weight * v + p[class_place]
        bound = (
            math.fsum(u * supply)
            - v * weighted
            + math.fsum(np.minimum(rc_x, 0.0) * upper)
            + math.fsum(np.minimum(rc_c, 0.0) * cum[chain])
            + math.fsum(np.minimum(rc_y, 0.0) * class_qty)
        )
        best = max(best, bound)
        in_lp = np.zeros(len(km), dtype=bool)
        in_lp[columns] = True
        tolerance = 1e-7 * max(1.0, float(np.abs(km).max()))
        if not np.any((rc_x < -tolerance) & ~in_lp):
            exact = True
            break
        # Add the pairs that price out, and those close to it (they would enter next).
        priced = np.flatnonzero((rc_x < _PRICING_MARGIN_KM) & ~in_lp)
        if len(priced) > _PRICING_MAX_COLUMNS:
            priced = priced[np.argsort(rc_x[priced], kind="stable")[:_PRICING_MAX_COLUMNS]]
        columns = np.union1d(columns, priced)
    what = (
        "LP relaxation: least unit-km of any assignment reaching the same weighted units, "
        f"on all {len(km)} pairs of places within range (HiGHS, column generation, "
        f"{rounds} rounds, {'optimal' if exact else 'Lagrangian bound'})"
    )
    return LowerBound(km=best, kind="lp", what=what, exact=exact, rounds=rounds)

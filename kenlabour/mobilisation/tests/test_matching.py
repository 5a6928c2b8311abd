"""The optimal matching of needs to producers, against hand-checked cases, brute force,
an independent LP (HiGHS) and the greedy baseline."""

import itertools
import math
import random
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from kenlabour.mobilisation.matching import (
    NeedIn,
    ProducerIn,
    distance_lower_bound,
    greedy,
    haversine_km,
    match,
    priority_weight,
)
from kenlabour.territories.geo import haversine_km as geo_haversine_km

# At latitude 48°, one degree of longitude is about 74.5 km.
LAT = 48.0
KM_PER_DEG_LON = geo_haversine_km(LAT, 0.0, LAT, 1.0)


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311  (reproducible instances, not secrets)


def at(km: float) -> tuple[float, float]:
    """A point `km` east of (48°, 0°) along the parallel (approximately km)."""
    return LAT, km / KM_PER_DEG_LON


def need(id_, quantity, weight=1, km=0.0, *, position=True):
    lat, lon = at(km) if position else (None, None)
    return NeedIn(id=id_, quantity=quantity, weight=weight, latitude=lat, longitude=lon)


def producer(id_, capacity, max_km, km=0.0, *, position=True):
    lat, lon = at(km) if position else (None, None)
    return ProducerIn(id=id_, capacity=capacity, max_km=max_km, latitude=lat, longitude=lon)


def km_between(n: NeedIn, p: ProducerIn) -> float:
    return float(haversine_km(n.latitude, n.longitude, p.latitude, p.longitude))


def positioned(x) -> bool:
    return x.latitude is not None and x.longitude is not None


def check_valid(result, needs, producers):
    """Every assignment within range, capacities and quantities kept, figures recomputed."""
    by_need = {n.id: n for n in needs}
    by_producer = {p.id: p for p in producers}
    used, got = {}, {}
    for a in result.assignments:
        n, p = by_need[a.need_id], by_producer[a.producer_id]
        assert positioned(n) and positioned(p)
        assert a.units > 0
        assert a.km == pytest.approx(
            geo_haversine_km(n.latitude, n.longitude, p.latitude, p.longitude), abs=1e-9
        )
        assert a.km <= p.max_km
        used[p.id] = used.get(p.id, 0) + a.units
        got[n.id] = got.get(n.id, 0) + a.units
    for pid, units in used.items():
        assert units <= by_producer[pid].capacity
    for nid, units in got.items():
        assert units <= by_need[nid].quantity
    assert result.units == sum(a.units for a in result.assignments)
    assert result.weighted_units == sum(
        by_need[a.need_id].weight * a.units for a in result.assignments
    )
    assert result.unit_km == pytest.approx(sum(a.units * a.km for a in result.assignments))
    expected_unserved = {
        n.id: n.quantity - got.get(n.id, 0) for n in needs if n.quantity - got.get(n.id, 0) > 0
    }
    assert result.unserved == expected_unserved
    assert result.needs_without_position == sorted(n.id for n in needs if not positioned(n))
    assert result.producers_without_position == sorted(p.id for p in producers if not positioned(p))
    expected_spare = {
        p.id: p.capacity - used.get(p.id, 0)
        for p in producers
        if p.capacity - used.get(p.id, 0) > 0
    }
    assert result.spare == expected_spare


def lp_reference(needs, producers):
    """Most weighted units, then least unit-km, by two LPs on the plain (not aggregated)
    need × producer network, solved by HiGHS. The network is totally unimodular, and
    so is the face of maximal weighted units, so both LPs have integral optima."""
    pairs = [
        (i, j, km_between(n, p))
        for i, n in enumerate(needs)
        for j, p in enumerate(producers)
        if positioned(n) and positioned(p) and km_between(n, p) <= p.max_km
    ]
    if not pairs:
        return 0, 0.0
    rows, cols, vals = [], [], []
    for col, (i, j, _km) in enumerate(pairs):
        rows += [i, len(needs) + j]
        cols += [col, col]
        vals += [1.0, 1.0]
    a = np.zeros((len(needs) + len(producers), len(pairs)))
    a[rows, cols] = vals
    b = [n.quantity for n in needs] + [p.capacity for p in producers]
    weights = np.array([needs[i].weight for i, _j, _km in pairs], dtype=float)
    first = linprog(-weights, A_ub=a, b_ub=b, bounds=(0, None), method="highs")
    assert first.status == 0
    best_weight = round(-first.fun)
    distance = np.array([km for _i, _j, km in pairs])
    second = linprog(
        distance,
        A_ub=np.vstack((a, -weights)),
        b_ub=[*b, -best_weight],
        bounds=(0, None),
        method="highs",
    )
    assert second.status == 0
    return best_weight, second.fun


def reference_greedy(needs, producers):
    """The baseline, written plainly: needs by (weight desc, id), nearest producers with
    capacity within their range, ties by producer id."""
    left = {p.id: p.capacity for p in producers}
    out = {}
    for n in sorted((n for n in needs if positioned(n)), key=lambda n: (-n.weight, n.id)):
        remaining = n.quantity
        candidates = sorted(
            (km_between(n, p), p.id)
            for p in producers
            if positioned(p) and km_between(n, p) <= p.max_km
        )
        for _km, pid in candidates:
            if remaining == 0:
                break
            take = min(remaining, left[pid])
            if take:
                out[(n.id, pid)] = take
                left[pid] -= take
                remaining -= take
    return out


def as_dict(result):
    return {(a.need_id, a.producer_id): a.units for a in result.assignments}


# --- the weight ------------------------------------------------------------------------


def test_priority_weight_grows_with_urgency_and_with_a_nearer_deadline():
    today = date(2020, 4, 6)
    deadlines = [today + timedelta(days=d) for d in (-3, 0, 2, 3, 7, 8, 14, 15, 60)]
    for deadline in deadlines:
        weights = [priority_weight(u, deadline, today) for u in (1, 2, 3)]
        assert weights == sorted(weights) and len(set(weights)) == 3
    for urgency in (1, 2, 3):
        weights = [priority_weight(urgency, d, today) for d in deadlines]
        assert weights == sorted(weights, reverse=True)
    # Urgency outweighs any deadline; the scale is 1..12.
    assert priority_weight(2, today + timedelta(days=90), today) > priority_weight(1, today, today)
    assert priority_weight(1, today + timedelta(days=90), today) == 1
    assert priority_weight(3, today - timedelta(days=1), today) == 12
    assert priority_weight(0, today + timedelta(days=90), today) == 1  # clamped


def test_the_vectorised_haversine_is_the_gazetteer_s():
    rng = seeded(3)
    for _ in range(50):
        a = (rng.uniform(-60, 60), rng.uniform(-180, 180))
        b = (rng.uniform(-60, 60), rng.uniform(-180, 180))
        assert float(haversine_km(*a, *b)) == pytest.approx(geo_haversine_km(*a, *b), rel=1e-12)


# --- hand-checked cases ----------------------------------------------------------------


def test_a_need_out_of_every_range_is_not_served():
    needs = [need(1, 10, km=30)]
    producers = [producer(1, 50, max_km=20)]
    for result in (match(needs, producers), greedy(needs, producers)):
        assert result.assignments == []
        assert result.unserved == {1: 10}
        assert result.spare == {1: 50}
        check_valid(result, needs, producers)
    assert match(needs, producers).needs_out_of_reach == [1]


def test_capacities_run_out():
    needs = [need(1, 30, km=5), need(2, 30, km=-5)]
    producers = [producer(1, 20, max_km=20), producer(2, 15, max_km=20, km=2)]
    result = match(needs, producers)
    check_valid(result, needs, producers)
    assert result.units == 35
    assert sum(result.unserved.values()) == 25
    assert result.spare == {}
    assert result.needs_out_of_reach == []


def test_the_urgent_need_wins_a_contested_producer_even_farther():
    needs = [need(1, 10, weight=1, km=2), need(2, 10, weight=9, km=-15)]
    producers = [producer(1, 10, max_km=20)]
    result = match(needs, producers)
    check_valid(result, needs, producers)
    assert as_dict(result) == {(2, 1): 10}
    assert result.unserved == {1: 10}
    assert result.weighted_units == 90


def test_more_units_before_more_weight_is_never_needed_but_weight_before_distance():
    """One producer may serve a close light need or a far heavy one; a second producer
    reaches only the close one: the optimum serves both, the heavy one from afar."""
    needs = [need(1, 5, weight=1, km=1), need(2, 5, weight=5, km=-18)]
    producers = [producer(1, 5, max_km=20), producer(2, 5, max_km=10, km=5)]
    result = match(needs, producers)
    check_valid(result, needs, producers)
    assert as_dict(result) == {(2, 1): 5, (1, 2): 5}


def test_one_more_weighted_unit_is_worth_a_long_chain_of_detours():
    """Producers P1..P4 on a line, each 1 km left of a need and 9 km right of the
    previous one; vital needs between, a weight-2 need H at the left end and a weight-1
    need L at the right end. Serving H instead of L shifts every producer 8 km farther:
    the optimum pays 32 km for one weighted unit (the first multiplier, longest arc + 1,
    does not: the solver must raise it)."""
    k = 4
    needs = [need(1, 1, weight=2, km=0)]
    needs += [need(1 + i, 1, weight=12, km=10 * i) for i in range(1, k)]
    needs += [need(100, 1, weight=1, km=10 * k)]
    producers = [producer(i, 1, max_km=9.5, km=10 * (i - 1) + 9) for i in range(1, k + 1)]
    result = match(needs, producers)
    check_valid(result, needs, producers)
    assert result.unserved == {100: 1}
    assert as_dict(result) == {(1, 1): 1, (2, 2): 1, (3, 3): 1, (4, 4): 1}
    assert result.stats["flow_solves"] >= 3
    assert result.stats["multiplier"] > 9001
    best_weight, least_km = lp_reference(needs, producers)
    assert result.weighted_units == best_weight
    assert result.unit_km == pytest.approx(least_km, abs=0.01)


def test_at_one_place_lower_ids_serve_and_are_served_first():
    needs = [need(10, 4, weight=3, km=8), need(2, 4, weight=3, km=8)]
    producers = [producer(7, 3, max_km=30), producer(3, 2, max_km=30)]
    result = match(needs, producers)
    check_valid(result, needs, producers)
    # Need 2 (lower id) is served in full, need 10 gets the last unit; producer 3 (lower
    # id) is used before producer 7.
    assert result.served() == {2: 4, 10: 1}
    assert result.spare == {}
    assert as_dict(result) == {(2, 3): 2, (2, 7): 2, (10, 7): 1}


def test_ranges_at_one_place_are_kept_apart():
    """Two producers at one place, 10 and 50 km ranges: the short one serves the near
    need, the long one the far need (the chain of ranges must not mix them)."""
    needs = [need(1, 5, km=5), need(2, 5, km=30)]
    producers = [producer(1, 5, max_km=50), producer(2, 5, max_km=10)]
    result = match(needs, producers)
    check_valid(result, needs, producers)
    assert as_dict(result) == {(1, 2): 5, (2, 1): 5}


def test_needs_and_producers_without_coordinates_are_reported_never_matched():
    needs = [need(1, 5, km=1), need(2, 7, position=False)]
    producers = [producer(1, 20, max_km=10), producer(2, 9, max_km=500, position=False)]
    for result in (match(needs, producers), greedy(needs, producers)):
        check_valid(result, needs, producers)
        assert as_dict(result) == {(1, 1): 5}
        assert result.unserved == {2: 7}
        assert result.needs_without_position == [2]
        assert result.producers_without_position == [2]
        assert result.spare == {1: 15, 2: 9}


def test_equal_distances_give_the_same_matching_every_run_and_in_any_order():
    # Producers at 10 km east and west of every need; needs at two places, ties everywhere.
    needs = [need(i, 3, weight=1 + i % 2, km=0) for i in range(1, 7)]
    needs += [need(i, 2, weight=2, km=20) for i in range(7, 10)]
    producers = [producer(j, 4, max_km=15, km=10 * (-1) ** j) for j in range(1, 5)]
    producers += [producer(j, 3, max_km=15, km=10) for j in range(5, 7)]
    first = match(needs, producers)
    check_valid(first, needs, producers)
    rng = seeded(7)
    for _ in range(5):
        shuffled_needs, shuffled_producers = needs[:], producers[:]
        rng.shuffle(shuffled_needs)
        rng.shuffle(shuffled_producers)
        again = match(shuffled_needs, shuffled_producers)
        assert again.assignments == first.assignments
        assert greedy(shuffled_needs, shuffled_producers).assignments == (
            greedy(needs, producers).assignments
        )


def test_same_units_but_more_weight_may_cost_kilometres():
    """Why "less distance than greedy" only holds at equal weighted units: greedy gives
    the heavy need its nearest producer and strands a medium one; the optimum serves
    the heavy need from farther to serve the medium one too."""
    needs = [
        need(1, 1, weight=12, km=15),
        need(2, 1, weight=5, km=-15),
        need(3, 1, weight=1, km=55),
    ]
    producers = [producer(1, 1, max_km=30, km=0), producer(2, 1, max_km=30, km=37)]
    optimal, baseline = match(needs, producers), greedy(needs, producers)
    check_valid(optimal, needs, producers)
    check_valid(baseline, needs, producers)
    assert as_dict(baseline) == {(1, 1): 1, (3, 2): 1}
    assert as_dict(optimal) == {(1, 2): 1, (2, 1): 1}
    assert optimal.units == baseline.units == 2
    assert optimal.weighted_units == 17 > baseline.weighted_units == 13
    assert optimal.unit_km > baseline.unit_km


def test_brute_force_on_tiny_instances():
    """Every integer assignment of small instances, enumerated: the lexicographic optimum
    (weighted units, then unit-km) is match's."""
    rng = seeded(11)
    for _ in range(25):
        needs = [
            need(i, rng.randint(1, 3), rng.randint(1, 4), km=rng.uniform(-20, 20))
            for i in range(1, 4)
        ]
        producers = [
            producer(j, rng.randint(1, 3), rng.choice((8, 15, 30)), km=rng.uniform(-20, 20))
            for j in range(1, 4)
        ]
        pairs = [(n, p) for n in needs for p in producers if km_between(n, p) <= p.max_km]
        best = (0, 0.0)
        ranges = [range(min(n.quantity, p.capacity) + 1) for n, p in pairs]
        for units in itertools.product(*ranges):
            served, used = {}, {}
            for (n, p), u in zip(pairs, units, strict=True):
                served[n.id] = served.get(n.id, 0) + u
                used[p.id] = used.get(p.id, 0) + u
            if any(served[n.id] > n.quantity for n, _p in pairs) or any(
                used[p.id] > p.capacity for _n, p in pairs
            ):
                continue
            weight = sum(n.weight * u for (n, _p), u in zip(pairs, units, strict=True))
            km = sum(km_between(n, p) * u for (n, p), u in zip(pairs, units, strict=True))
            if (weight, -km) > (best[0], -best[1]):
                best = (weight, km)
        result = match(needs, producers)
        check_valid(result, needs, producers)
        assert result.weighted_units == best[0]
        assert result.unit_km == pytest.approx(best[1], abs=result.units * 1e-3 + 1e-9)


# --- properties on random instances -------------------------------------------------------

coordinate = st.tuples(st.floats(47.8, 48.2), st.floats(-2.0, -1.4))
maybe_place = st.one_of(st.just(None), coordinate, coordinate, coordinate, coordinate)
# A few fixed places make equal positions (aggregation, ties) frequent.
shared_places = [(48.0, -1.7), (48.1, -1.6), (47.9, -1.5), (48.05, -1.9)]
place = st.one_of(maybe_place, st.sampled_from(shared_places))


@st.composite
def instances(draw):
    n_needs = draw(st.integers(1, 7))
    n_producers = draw(st.integers(1, 6))
    needs = []
    for i in range(n_needs):
        where = draw(place) or (None, None)
        needs.append(
            NeedIn(
                id=draw(st.integers(1, 10**6)) * 10 + i,
                quantity=draw(st.integers(1, 25)),
                weight=draw(st.integers(1, 12)),
                latitude=where[0],
                longitude=where[1],
            )
        )
    producers = []
    for j in range(n_producers):
        where = draw(place) or (None, None)
        producers.append(
            ProducerIn(
                id=draw(st.integers(1, 10**6)) * 10 + j,
                capacity=draw(st.integers(1, 30)),
                max_km=draw(st.sampled_from((3.0, 10.0, 15.0, 25.0, 40.0, 80.0))),
                latitude=where[0],
                longitude=where[1],
            )
        )
    return needs, producers


@settings(max_examples=150, deadline=None)
@given(instances())
def test_optimal_beats_greedy_and_meets_the_lp(instance):
    needs, producers = instance
    optimal, baseline = match(needs, producers), greedy(needs, producers)
    check_valid(optimal, needs, producers)
    check_valid(baseline, needs, producers)
    assert optimal.units >= baseline.units
    assert optimal.weighted_units >= baseline.weighted_units
    if optimal.weighted_units == baseline.weighted_units:
        assert optimal.unit_km <= baseline.unit_km + optimal.units * 1e-3 + 1e-9
    assert as_dict(baseline) == reference_greedy(needs, producers)
    best_weight, least_km = lp_reference(needs, producers)
    assert optimal.weighted_units == best_weight
    # The flow's costs are metres: its true km is within a metre per unit of the LP's.
    assert least_km - 1e-6 <= optimal.unit_km <= least_km + optimal.units * 1e-3 + 1e-6


def random_instance(seed, n_needs, n_producers, n_places):
    """Needs and producers on a few dozen places of a 100 km square, mixed ranges."""
    rng = seeded(seed)
    places = [(rng.uniform(47.6, 48.4), rng.uniform(-2.3, -1.0)) for _ in range(n_places)]
    needs = []
    for i in range(1, n_needs + 1):
        lat, lon = rng.choice(places)
        needs.append(NeedIn(i, rng.randint(1, 40), rng.randint(1, 12), lat, lon))
    producers = []
    for j in range(1, n_producers + 1):
        lat, lon = rng.choice(places)
        producers.append(
            ProducerIn(j, rng.randint(1, 60), rng.choice((5.0, 10.0, 20.0, 30.0, 60.0)), lat, lon)
        )
    return needs, producers


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_larger_instance_is_exact_and_greedy_is_the_plain_greedy(seed):
    needs, producers = random_instance(seed, n_needs=160, n_producers=70, n_places=30)
    optimal, baseline = match(needs, producers), greedy(needs, producers)
    check_valid(optimal, needs, producers)
    check_valid(baseline, needs, producers)
    best_weight, least_km = lp_reference(needs, producers)
    assert optimal.weighted_units == best_weight
    assert least_km - 1e-6 <= optimal.unit_km <= least_km + optimal.units * 1e-3 + 1e-6
    assert optimal.units >= baseline.units
    assert as_dict(baseline) == reference_greedy(needs, producers)
    # The LP bound of the module (column generation, brute-force pairs) is the LP's.
    bound = distance_lower_bound(needs, producers, optimal)
    assert bound.exact
    assert bound.km == pytest.approx(least_km, rel=1e-7)
    nearest = distance_lower_bound(needs, producers, optimal, method="nearest")
    assert nearest.km <= optimal.unit_km + 1e-6


def test_greedy_searches_past_its_first_candidates():
    """Forty producers of one unit on a line; heavy needs at one end exhaust the nearest,
    so later needs must look past the first k places of the k-d trees."""
    producers = [producer(j, 1, max_km=60 if j % 3 else 25, km=j * 1.0) for j in range(1, 41)]
    needs = [need(i, 1, weight=12, km=0) for i in range(1, 16)]
    needs += [need(100, 30, weight=1, km=2), need(101, 5, weight=5, km=45)]
    baseline = greedy(needs, producers)
    check_valid(baseline, needs, producers)
    assert as_dict(baseline) == reference_greedy(needs, producers)
    # Need 100 found producers far past its first 8 places (1..15 went to heavy needs).
    assert max(a.producer_id for a in baseline.assignments if a.need_id == 100) > 30
    # Greedy strands three 25 km producers that need 101 could have used; the optimum
    # places all 40 units.
    assert baseline.units == 37 and baseline.spare == {27: 1, 30: 1, 33: 1}
    assert match(needs, producers).units == 40


def test_greedy_with_many_distinct_ranges_uses_bands_and_stays_exact():
    rng = seeded(5)
    needs, producers = random_instance(9, n_needs=120, n_producers=80, n_places=40)
    producers = [
        ProducerIn(p.id, p.capacity, rng.uniform(3.0, 70.0), p.latitude, p.longitude)
        for p in producers
    ]
    baseline = greedy(needs, producers)
    check_valid(baseline, needs, producers)
    assert as_dict(baseline) == reference_greedy(needs, producers)
    optimal = match(needs, producers)
    check_valid(optimal, needs, producers)
    best_weight, least_km = lp_reference(needs, producers)
    assert optimal.weighted_units == best_weight
    assert least_km - 1e-6 <= optimal.unit_km <= least_km + optimal.units * 1e-3 + 1e-6


def test_duplicate_ids_and_negative_quantities_are_refused():
    with pytest.raises(ValueError):
        match([need(1, 2), need(1, 3)], [producer(1, 5, 10)])
    with pytest.raises(ValueError):
        match([need(1, -2)], [producer(1, 5, 10)])
    with pytest.raises(ValueError):
        greedy([need(1, 2)], [producer(1, -5, 10)])


def test_empty_inputs():
    assert match([], []).units == 0
    assert greedy([], [producer(1, 5, 10)]).spare == {1: 5}
    result = match([need(1, 4)], [])
    assert result.unserved == {1: 4} and result.needs_out_of_reach == [1]
    assert math.isclose(result.unit_km, 0.0)

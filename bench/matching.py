"""The optimal matching of needs to producers at national scale, beside the greedy baseline.

Draws a synthetic national mobilisation over France's communes (the gazetteer's
`communes.csv.gz`, current communes only): 100,000 needs placed in proportion to the
population (quantities 10–500, most small; urgency 1–3; deadlines within a month) and
20,000 producers, also by population: makers at home (10–50 km), fablabs and
associations (50–80 km), a few firms (100–200 km) with larger capacities. The total
capacity is 80 % of the total demand, as in spring 2020: not everyone can be served,
so the choice matters.

Then, in one run, side by side:

- `match` (the min-cost flow) and `greedy` (nearest producer first, needs by weight),
  each timed with `time.perf_counter`;
- a lower bound of the distance, from `distance_lower_bound`: the linear relaxation of
  "serve at least the optimal weighted units at the least unit-km" on every pair of
  places within range (enumerated by brute force, not by `match`'s k-d tree), solved by
  HiGHS (an LP solver independent of OR-Tools) by column generation; every round's
  duals give a valid (Lagrangian) bound, and `bound_exact` says the last one is the
  LP's optimum (no pair left with a negative reduced cost). No assignment serving as
  many weighted units can travel less. `--bound nearest` gives instead a weaker, cheap
  bound: each served unit at its need's nearest producer within range.

Targets (issue 6): never fewer units than greedy, total distance within 1 % of the
bound, under 60 s and under 4 GiB for `match` at full size on a 2-core machine.

`km` is the total unit-km (units × great-circle km, summed over assignments) of the
optimal matching; `greedy_km` the same for greedy. Peak memory is the process's
maximum resident set (`ru_maxrss`), measured after the matchings (`peak_gib`) and at
the end, with the bound's LP (`peak_with_bound_gib`). The last line is one JSON object.

    .venv/bin/python bench/matching.py                      # 100,000 needs, 20,000 producers
    .venv/bin/python bench/matching.py --needs 2000 --producers 400
"""

from __future__ import annotations

import argparse
import csv
import datetime
import gzip
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kenlabour.mobilisation.matching import (  # noqa: E402
    NeedIn,
    ProducerIn,
    distance_lower_bound,
    greedy,
    match,
    priority_weight,
)

COMMUNES = ROOT / "kenlabour" / "territories" / "data" / "communes.csv.gz"
SEED = 20200320
TARGET_S = 60.0
TARGET_GIB = 4.0
CAPACITY_SHARE = 0.8  # total capacity / total demand
TODAY = datetime.date(2020, 4, 6)

# Producers: (share, ranges in km, capacity scale).
PRODUCER_KINDS = {
    "maker": (0.85, (10, 15, 20, 30, 40, 50), 1.0),
    "fablab": (0.12, (50, 60, 80), 6.0),
    "firm": (0.03, (100, 150, 200), 25.0),
}


def communes() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitude, longitude and population of the current communes with inhabitants."""
    lat, lon, pop = [], [], []
    with gzip.open(COMMUNES, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] != "commune-actuelle" or not row["latitude"]:
                continue
            population = int(row["population"] or 0)
            if population <= 0:
                continue
            lat.append(float(row["latitude"]))
            lon.append(float(row["longitude"]))
            pop.append(population)
    return np.array(lat), np.array(lon), np.array(pop, dtype=float)


def draw(needs: int, producers: int, seed: int) -> tuple[list[NeedIn], list[ProducerIn]]:
    rng = np.random.default_rng(seed)
    lat, lon, pop = communes()
    share = pop / pop.sum()

    where = rng.choice(len(pop), size=needs, p=share)
    quantity = np.clip(np.rint(rng.lognormal(np.log(40), 0.9, needs)), 10, 500).astype(int)
    urgency = rng.choice((1, 2, 3), size=needs, p=(0.5, 0.35, 0.15))
    days = rng.integers(0, 31, size=needs)
    need_list = [
        NeedIn(
            id=i + 1,
            quantity=int(quantity[i]),
            weight=priority_weight(
                int(urgency[i]), TODAY + datetime.timedelta(days=int(days[i])), TODAY
            ),
            latitude=float(lat[where[i]]),
            longitude=float(lon[where[i]]),
        )
        for i in range(needs)
    ]

    where = rng.choice(len(pop), size=producers, p=share)
    kinds = list(PRODUCER_KINDS)
    kind = rng.choice(len(kinds), size=producers, p=[PRODUCER_KINDS[k][0] for k in kinds])
    raw = rng.lognormal(np.log(60), 0.8, producers)
    ranges = np.empty(producers)
    for k, name in enumerate(kinds):
        _share, choices, scale = PRODUCER_KINDS[name]
        members = kind == k
        raw[members] *= scale
        ranges[members] = rng.choice(choices, size=int(members.sum()))
    capacity = np.maximum(1, np.rint(raw * CAPACITY_SHARE * quantity.sum() / raw.sum()))
    producer_list = [
        ProducerIn(
            id=i + 1,
            capacity=int(capacity[i]),
            max_km=float(ranges[i]),
            latitude=float(lat[where[i]]),
            longitude=float(lon[where[i]]),
        )
        for i in range(producers)
    ]
    return need_list, producer_list


def n(value: float) -> str:
    """A figure with thin spaces between thousands, rounded to units."""
    return f"{round(value):,}".replace(",", "\u202f")


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux


def within_range_and_capacity(result, needs, producers) -> bool:
    """Every assignment within its producer's range; capacities and quantities kept."""
    producer = {p.id: p for p in producers}
    need = {n.id: n for n in needs}
    used: dict[int, int] = {}
    got: dict[int, int] = {}
    for a in result.assignments:
        if a.km > producer[a.producer_id].max_km or a.units <= 0:
            return False
        used[a.producer_id] = used.get(a.producer_id, 0) + a.units
        got[a.need_id] = got.get(a.need_id, 0) + a.units
    return all(u <= producer[i].capacity for i, u in used.items()) and all(
        g <= need[i].quantity for i, g in got.items()
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--producers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--bound",
        choices=("lp", "nearest", "none"),
        default="lp",
        help="lower bound of the distance: the LP (default), the weaker nearest-producer "
        "bound, or none",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    needs, producers = draw(args.needs, args.producers, args.seed)
    demand = sum(n.quantity for n in needs)
    capacity = sum(p.capacity for p in producers)
    print(
        f"instance: {n(len(needs))} needs ({n(demand)} units), {n(len(producers))} producers "
        f"({n(capacity)} units, {capacity / demand:.0%} of demand), seed {args.seed}, "
        f"drawn in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    started = time.perf_counter()
    optimal = match(needs, producers)
    seconds = time.perf_counter() - started
    print(
        f"match:  {seconds:6.2f} s, {n(optimal.units)} units served, weighted "
        f"{n(optimal.weighted_units)}, {n(optimal.unit_km)} unit-km; network of "
        f"{n(optimal.stats['arcs'])} arcs, {n(optimal.stats['producer_nodes'])} producer nodes, "
        f"{n(optimal.stats['need_places'])} need places",
        flush=True,
    )
    started = time.perf_counter()
    baseline = greedy(needs, producers)
    greedy_seconds = time.perf_counter() - started
    print(
        f"greedy: {greedy_seconds:6.2f} s, {n(baseline.units)} units served, weighted "
        f"{n(baseline.weighted_units)}, {n(baseline.unit_km)} unit-km",
        flush=True,
    )
    peak = peak_gib()
    valid = within_range_and_capacity(optimal, needs, producers) and within_range_and_capacity(
        baseline, needs, producers
    )

    bound_km, bound_kind, bound_seconds, bound_exact, bound_rounds = None, args.bound, 0.0, None, 0
    if args.bound != "none":
        started = time.perf_counter()
        bound = distance_lower_bound(needs, producers, optimal, method=args.bound)
        bound_seconds = time.perf_counter() - started
        bound_km, bound_kind = bound.km, bound.kind
        bound_exact, bound_rounds = bound.exact, bound.rounds
        print(f"bound:  {bound_seconds:6.2f} s, {n(bound_km)} unit-km — {bound.what}")
    ratio = optimal.unit_km / bound_km if bound_km else None

    summary = {
        "needs": args.needs,
        "producers": args.producers,
        "seed": args.seed,
        "demand_units": demand,
        "capacity_units": capacity,
        "arcs": optimal.stats["arcs"],
        "producer_nodes": optimal.stats["producer_nodes"],
        "need_places": optimal.stats["need_places"],
        "units": optimal.units,
        "greedy_units": baseline.units,
        "weighted_units": optimal.weighted_units,
        "greedy_weighted_units": baseline.weighted_units,
        "km": round(optimal.unit_km, 1),
        "greedy_km": round(baseline.unit_km, 1),
        "bound_km": None if bound_km is None else round(bound_km, 1),
        "bound_kind": bound_kind,
        "bound_exact": bound_exact,
        "bound_rounds": bound_rounds,
        "km_to_bound": None if ratio is None else round(ratio, 9),
        "within_1pct_of_bound": None if ratio is None else ratio <= 1.01,
        "seconds": round(seconds, 2),
        "greedy_seconds": round(greedy_seconds, 2),
        "bound_seconds": round(bound_seconds, 2),
        "peak_gib": round(peak, 3),
        "peak_with_bound_gib": round(peak_gib(), 3),
        "assignments_valid": valid,
        "target_s": TARGET_S,
        "target_gib": TARGET_GIB,
    }
    summary["never_fewer_units"] = summary["units"] >= summary["greedy_units"]
    summary["under_targets"] = seconds < TARGET_S and peak < TARGET_GIB
    print(
        f"units: optimal {n(summary['units'])} vs greedy {n(summary['greedy_units'])} "
        f"({'+' if optimal.units >= baseline.units else '−'}"
        f"{n(abs(optimal.units - baseline.units))}); weighted "
        f"{n(summary['weighted_units'])} vs {n(summary['greedy_weighted_units'])}"
    )
    if optimal.units:
        print(
            f"km (total unit-km of the optimal matching): {n(summary['km'])}, "
            f"{optimal.unit_km / optimal.units:.2f} km per unit; greedy "
            f"{n(summary['greedy_km'])}, {baseline.unit_km / max(baseline.units, 1):.2f} "
            "km per unit"
        )
    if ratio is not None:
        print(f"bound ({bound_kind}): {n(summary['bound_km'])} unit-km; km / bound = {ratio:.9f}")
    print(
        f"time: match {seconds:.2f} s, greedy {greedy_seconds:.2f} s "
        f"(match / greedy ×{seconds / max(greedy_seconds, 1e-9):.2f}); target {TARGET_S:.0f} s"
    )
    print(
        f"peak memory: {summary['peak_gib']:.2f} GiB after the matchings, "
        f"{summary['peak_with_bound_gib']:.2f} GiB with the bound; target {TARGET_GIB:.0f} GiB"
    )
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

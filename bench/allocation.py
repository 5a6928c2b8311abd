"""Allocation of a grant envelope: 100,000 claims shared exactly to the cent in under a second.

Run: .venv/bin/python bench/allocation.py [--claims 100000] [--runs 5]

Synthetic claims, generated deterministically: makers declare units of face shields,
masks and gowns (Pareto-distributed: a few makers produced a lot) at a rate per item
type, some add expenses on receipts (log-normal); one maker in five holds two to four
claims; every maker has a cap (a default one, some a cap of their own), and the envelope
is half of what the caps allow (oversubscribed ×2), so the largest producers are held
at their cap and everyone else is reduced pro rata.

1. `allocate` is timed: best and median wall-clock time of `--runs` runs (and the best
   CPU time of the process, steadier on a busy machine).
2. `check` verifies every invariant on the result (`exact` is true only when all of
   them were verified), including the determinism and monotonicity probes.
3. Side by side, the same rule written the plain way with `fractions.Fraction`
   (`allocate_with_fractions`), once, on the same claims: its time, and whether it gives
   the same shares.
The last line is one JSON object with the figures. No database needed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kenlabour.funding.allocation import (  # noqa: E402
    INVARIANTS,
    Claim,
    InvariantError,
    allocate,
    allocate_with_fractions,
    asked_cents,
    check,
)

SEED = 2020
RATES_CENTS = {"visiere": 150, "masque": 90, "surblouse": 450}
DEFAULT_CAP_CENTS = 150_000  # 1,500 €


def synthetic_claims(count: int) -> tuple[list[Claim], dict[int, int]]:
    """`count` claims of about 0.8 × `count` makers, and the makers' own caps."""
    rng = random.Random(SEED)  # noqa: S311 - deterministic data, not secrets
    makers = max(1, int(count * 0.8))
    owners = list(range(1, makers + 1))
    owners += [rng.randrange(1, makers // 4 + 2) for _ in range(count - makers)]
    rng.shuffle(owners)
    claims = []
    for number, owner in enumerate(owners[:count], start=1):
        kinds = rng.sample(sorted(RATES_CENTS), rng.choice((1, 1, 1, 2)))
        units = {kind: int(rng.paretovariate(1.3) * 12) for kind in kinds}
        expenses = int(rng.lognormvariate(8.5, 1.0)) if rng.random() < 0.4 else 0
        claims.append(Claim(number, owner, asked_cents(units, RATES_CENTS, expenses)))
    own_caps = {
        owner: rng.choice((50_000, 100_000, 300_000))
        for owner in rng.sample(range(1, makers + 1), max(1, makers // 100))
    }
    rng.shuffle(claims)  # arrival order, not id order
    return claims, own_caps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--probes", type=int, default=3, help="monotonicity probes of check")
    parser.add_argument(
        "--no-fractions", action="store_true", help="skip the plain Fraction version"
    )
    args = parser.parse_args()

    claims, caps = synthetic_claims(args.claims)
    claimants = len({c.claimant_id for c in claims})
    several = len(claims) - claimants
    asked = sum(c.asked_cents for c in claims)
    demand: dict[int, int] = {}
    for claim in claims:
        demand[claim.claimant_id] = demand.get(claim.claimant_id, 0) + claim.asked_cents
    eligible = sum(min(d, caps.get(o, DEFAULT_CAP_CENTS)) for o, d in demand.items())
    above_cap = sum(d > caps.get(o, DEFAULT_CAP_CENTS) for o, d in demand.items())
    envelope = eligible // 2
    print(
        f"{len(claims)} claims of {claimants} claimants ({several} extra claims), "
        f"asked {asked / 100:,.2f} €, {eligible / 100:,.2f} € within the caps, "
        f"envelope {envelope / 100:,.2f} €; {above_cap} claimants ask more than their cap"
    )

    timings, cpu = [], []
    for _ in range(max(1, args.runs)):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = allocate(claims, envelope, caps, DEFAULT_CAP_CENTS)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    best, median = min(timings), statistics.median(timings)
    num, den = result.level
    print(
        f"allocate: best {best * 1000:.0f} ms, median {median * 1000:.0f} ms "
        f"({len(timings)} runs; best CPU time {min(cpu) * 1000:.0f} ms); "
        f"level {num / den:.4f}, {len(result.capped)} claimants at their cap, "
        f"{result.allocated_cents / 100:,.2f} € allocated"
    )

    started = time.perf_counter()
    try:
        checked = check(result, claims, envelope, caps, DEFAULT_CAP_CENTS, probes=args.probes)
        broken = None
    except InvariantError as error:
        checked, broken = (), str(error)
    check_s = time.perf_counter() - started
    exact = checked == INVARIANTS
    print(
        f"check: {len(checked)}/{len(INVARIANTS)} invariants verified in {check_s:.1f} s"
        + (f"; BROKEN {broken}" if broken else "")
    )

    figures = {
        "claims": len(claims),
        "claimants": claimants,
        "exact": exact,
        "seconds": round(best, 4),
        "median_seconds": round(median, 4),
        "cpu_seconds": round(min(cpu), 4),
        "runs": len(timings),
        "envelope_cents": envelope,
        "allocated_cents": result.allocated_cents,
        "asked_cents": asked,
        "eligible_cents": eligible,
        "oversubscription": round(eligible / envelope, 3) if envelope else None,
        "claimants_above_cap": above_cap,
        "capped": len(result.capped),
        "level": round(num / den, 6),
        "invariants_checked": list(checked),
        "check_seconds": round(check_s, 2),
    }
    if broken:
        figures["broken"] = broken
    if not args.no_fractions:
        started = time.perf_counter()
        plain = allocate_with_fractions(claims, envelope, caps, DEFAULT_CAP_CENTS)
        plain_s = time.perf_counter() - started
        same = plain == result.shares
        print(
            f"Plain Fraction version: {plain_s:.2f} s, same shares: {same} "
            f"(integer version ×{plain_s / best:.0f} faster)"
        )
        figures |= {
            "fractions_seconds": round(plain_s, 3),
            "fractions_same_shares": same,
            "speedup": round(plain_s / best, 1),
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

"""Sharing a grant envelope among claims, exact to the cent.

Pure module (no Django): the services turn the reviewed claims of one envelope into
`Claim` values, call `allocate`, and record the `Allocation` it returns.

The input
---------
* ``envelope_cents``: the amount to share, in integer cents.
* ``claims``: `Claim(id, claimant_id, asked_cents)`. The asked amount is computed by the
  caller from the validated lines (units × the rate of their item type, plus the
  validated expenses on receipts: `asked_cents` does that sum). Claim ids are unique and
  of one sortable type (all integers or all strings); claimant ids need only be hashable.
* Caps, **per claimant** across all their claims of the envelope: ``caps`` maps a
  claimant id to its cap in cents (``None`` in the mapping: no cap for that claimant);
  claimants absent from ``caps`` get ``default_cap`` (``None``: no cap). A claimant may
  hold several claims (one per declaration period, say): their claims are added up
  against the cap, and whatever the claimant receives is split among their claims as
  described below. (With one claim per claimant, which the app may require, nothing
  changes: a claimant's cap is its claim's cap.)

Amounts are integers only (``bool`` and ``float`` are refused), and every decision below
is made in integer arithmetic, so the result is exact whatever the sizes.

The rule
--------
Let D_c be the sum of claimant c's asks and cap_c its cap. The claimant's *eligible*
amount is min(D_c, cap_c).

1. If the eligible amounts fit in the envelope, every claimant receives its eligible
   amount: an uncapped claimant exactly what it asked; a capped one exactly its cap.
2. Otherwise (*oversubscribed*) every ask is reduced by the same proportion λ, the
   *water level*, except that no claimant receives more than its cap: claimant c
   receives min(cap_c, λ·D_c), and λ is the unique level at which these amounts add up
   to the envelope ("water-filling": a claimant whose pro-rata share would exceed its
   cap gets the cap, and what that frees is shared pro rata among the others, until
   stable). Then λ < 1, and the whole envelope is shared.

Every claim i of a claimant c thus has an exact (rational) value: λ·ask_i for a claimant
below its cap, cap_c·ask_i/D_c for a claimant held at its cap (its cap shared pro rata
among its claims); in case 1, λ = 1. Those values are rounded to whole cents by the
largest remainder (Hamilton): every claim gets the floor of its value, and the cents
left over go one each to the claims with the largest fractional parts. Two roundings:

* a capped claimant's claims share exactly its cap among themselves (fractional parts
  of its claims add up to a whole number of cents, which they receive);
* the claims of all uncapped claimants share the rest of the envelope together, by one
  global ranking; a claimant with several claims and a cap is skipped once its claims
  have reached its cap (rounding several of its claims up could pass the cap, since
  λ·D_c ≤ cap_c only holds before rounding). Skipping never leaves cents unshared:
  each uncapped claimant can still take at least the ceiling of the sum of its
  fractional parts, and those ceilings add up to at least the cents left.

Ties between equal fractional parts: the larger ask first, then the smaller claim id.

What is guaranteed (and verified by `check`, which the bench calls)
-------------------------------------------------------------------
* every share is an integer, 0 ≤ share ≤ ask; every claimant's total is ≤ its cap;
* the shares add up to the envelope exactly when oversubscribed, else to the sum of
  eligible amounts;
* every share differs from its exact value by less than one cent; hence for two claims
  i, j of uncapped claimants, |share_i·ask_j − share_j·ask_i| < ask_i + ask_j;
* a claimant whose cap is below λ·D_c (the water level is above its cap) receives
  exactly its cap;
* asking more never gives less, other things equal (the claim's exact value does not
  decrease, the others' do not increase, so the ranking of remainders only improves
  for it; property-tested, and probed by `check`);
* the same claims in any order give the same shares.

Speed (100,000 claims in well under a second): sorting dominates, O(n log n). The level
is found by a walk over the claimants that could be capped, in increasing order of
cap/D_c (a float sort), each step decided exactly by cross-multiplying integers; a final
exact pass catches any claimant that the floats put out of order. Remainders of the
uncapped claims share one denominator, so they are compared as integers. While the asks
add up to less than 2**53 cents (and ask × level numerator fits in 64 bits), the floors,
remainders, sums by claimant and the ranking run on numpy int64 arrays, exactly (sums in
float64 are exact below 2**53); beyond, the same steps run on Python integers (any
size). The tests check that both paths give the same result.

Rounds: allocating again while the envelope is open
---------------------------------------------------
Claims keep arriving while the envelope is open, and some are paid before the next ones are
approved. A round never takes back money: `allocate_round` takes the amounts already
*granted* (claims scheduled or paid: `Granted(id, claimant_id, cents)`) as fixed floors and
shares only what is left among the new claims, by the same rule as above:

* remaining = envelope − Σ granted (refused if the granted amounts exceed the envelope);
* each claimant's cap counts what it already got: remaining cap = max(0, cap − granted);
* the new claims are shared with `allocate(new claims, remaining, remaining caps)`.

Why this stays fair across rounds:

* A round shares either everything that is left (when oversubscribed: the remaining budget
  is then 0 and every later claim gets 0) or every eligible amount in full (level 1). So the
  levels of successive rounds never increase: an earlier claim never got a smaller
  proportion of its ask than a later one (first rounds are never worse off), and a later
  claimant cannot dilute what was already promised to an earlier one.
* Nobody is above its cap over all rounds, and the total never exceeds the envelope.
* With nothing granted yet, a round is exactly the one-shot allocation. When everything
  fits, splitting the claims into rounds in any way gives the one-shot shares too (every
  claimant gets min(its asks, its cap) either way).
* Rounding stays the largest remainder within the round; granted amounts never move, so
  a rerun with no new claim changes nothing.

These are property-tested (kenlabour/funding/tests/test_allocation.py).

`allocate_with_fractions` is the same rule written the plain way, with
`fractions.Fraction` and the level found by iterating until stable: slow, it serves as
a reference for the tests and the bench.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from operator import attrgetter, itemgetter

import numpy as np

NO_CAP = None
INT64_LIMIT = 2**63
# Below this total of asks, sums by claimant are exact in numpy (float64 holds every
# integer below 2**53): the vector path is taken. Above it, Python integers only.
NUMPY_BELOW = 2**53


@dataclass(frozen=True, slots=True)
class Claim:
    id: Hashable
    claimant_id: Hashable
    asked_cents: int


@dataclass(frozen=True)
class Allocation:
    """The shares of one envelope.

    `level` is the water level λ as a reduced fraction (numerator, denominator): the
    proportion of its ask that a claim of an uncapped claimant receives before rounding;
    (1, 1) when everything fits. `capped` holds the claimants held at their cap
    (their cap is below λ × their asks).
    """

    shares: dict  # claim id -> cents, in claim id order
    claimant_totals: dict  # claimant id -> cents
    envelope_cents: int
    asked_cents: int
    eligible_cents: int
    allocated_cents: int
    oversubscribed: bool
    level: tuple[int, int]
    capped: frozenset

    @property
    def unallocated_cents(self) -> int:
        return self.envelope_cents - self.allocated_cents


@dataclass(frozen=True, slots=True)
class Granted:
    """An amount already granted to a claim in an earlier round (scheduled or paid): a
    floor that no later round lowers."""

    id: Hashable
    claimant_id: Hashable
    cents: int


@dataclass(frozen=True)
class Round:
    """One round: the new claims' `allocation` of the `remaining_cents` (the envelope less
    the `granted_cents` of earlier rounds), with the caps left to each claimant."""

    allocation: Allocation
    envelope_cents: int
    granted_cents: int
    remaining_cents: int
    caps: dict  # claimant id -> cap left (None: no cap), for the new claims' claimants

    @property
    def shares(self) -> dict:
        return self.allocation.shares


class InvariantError(AssertionError):
    """An allocation breaks one of the guarantees (`check`)."""

    def __init__(self, invariant: str, message: str):
        super().__init__(f"{invariant}: {message}")
        self.invariant = invariant


def asked_cents(
    units: Mapping[Hashable, int], rates_cents: Mapping[Hashable, int], expenses_cents: int = 0
) -> int:
    """What a claim asks: validated units × the rate of their item type, plus validated
    expenses, all in integer cents."""
    _require_cents(expenses_cents, "expenses_cents")
    total = expenses_cents
    for item_type, count in units.items():
        _require_cents(count, f"units[{item_type!r}]")
        if item_type not in rates_cents:
            raise ValueError(f"no rate for item type {item_type!r}")
        rate = rates_cents[item_type]
        _require_cents(rate, f"rates_cents[{item_type!r}]")
        total += count * rate
    return total


def _require_cents(value, name: str) -> None:
    if type(value) is not int:
        raise TypeError(f"{name} must be an integer number of cents, not {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


def _caps_for(claimants: Sequence, caps: Mapping | None, default_cap: int | None) -> list:
    """Each claimant's cap (None: no cap), validated, in the order of `claimants`."""
    if default_cap is not None:
        _require_cents(default_cap, "default_cap")
    if not caps:
        return [default_cap] * len(claimants)
    for claimant, cap in caps.items():
        if cap is not None:
            _require_cents(cap, f"caps[{claimant!r}]")
    return [caps.get(o, default_cap) for o in claimants]


def _prepare(claims: Iterable[Claim]):
    """The claims in id order, validated: (claims, ids, asks, claimant ids)."""
    ordered = sorted(claims, key=attrgetter("id"))
    ids = [claim.id for claim in ordered]
    asks = [claim.asked_cents for claim in ordered]
    if set(map(type, asks)) - {int} or (asks and min(asks) < 0):
        for claim in ordered:
            _require_cents(claim.asked_cents, f"claim {claim.id!r}: asked_cents")
    if len(set(ids)) != len(ids):
        for before, after in itertools.pairwise(ids):
            if before == after:
                raise ValueError(f"claim id {after!r} appears twice")
    return ordered, ids, asks, [claim.claimant_id for claim in ordered]


def allocate(
    claims: Iterable[Claim],
    envelope_cents: int,
    caps: Mapping[Hashable, int | None] | None = None,
    default_cap: int | None = NO_CAP,
) -> Allocation:
    """Share `envelope_cents` among `claims` (see the module's docstring for the rule)."""
    _require_cents(envelope_cents, "envelope_cents")
    _, ids, asks, owners = _prepare(claims)
    n = len(asks)
    # Claimants by code, in the order of their first claim.
    index: dict = {}
    codes = [index.setdefault(owner, len(index)) for owner in owners]
    claimants = list(index)
    m = len(claimants)
    cap = _caps_for(claimants, caps, default_cap)
    total_asked = sum(asks)
    vector = n > 0 and total_asked < NUMPY_BELOW
    if vector:
        code_arr = np.array(codes, dtype=np.intp)
        ask_arr = np.array(asks, dtype=np.int64)
        demand = _sum_by_claimant(code_arr, ask_arr, m)
        counts = np.bincount(code_arr, minlength=m).tolist()
    else:
        demand = [0] * m
        counts = [0] * m
        for code, ask in zip(codes, asks, strict=True):
            demand[code] += ask
            counts[code] += 1
    eligible = sum(d if c is None or d <= c else c for d, c in zip(demand, cap, strict=True))

    if eligible <= envelope_cents:
        num, den = 1, 1
        capped = {j for j in range(m) if cap[j] is not None and cap[j] < demand[j]}
    else:
        num, den, capped = _water_level(envelope_cents, total_asked, demand, cap)

    # The capped claimants' claims share exactly their cap.
    splits = []
    if capped:
        members: dict = {j: [] for j in capped}
        for k, code in enumerate(codes):
            group = members.get(code)
            if group is not None:
                group.append(k)
        for j, group in members.items():
            splits.extend(_split(cap[j], demand[j], group, asks))

    if num == den:  # everything fits: the uncapped claims get exactly what they asked
        shares = asks[:]
        for k, share in splits:
            shares[k] = share
    elif vector and max(asks) * num < INT64_LIMIT:
        shares = _round_vector(envelope_cents, (num, den), ask_arr, code_arr, cap, capped, splits)
    else:
        level = (num, den)
        shares = _round_python(envelope_cents, level, asks, codes, cap, counts, capped, splits)

    if vector:
        totals = _sum_by_claimant(code_arr, np.array(shares, dtype=np.int64), m)
    else:
        totals = [0] * m
        for code, share in zip(codes, shares, strict=True):
            totals[code] += share
    allocated = sum(totals)
    return Allocation(
        shares=dict(zip(ids, shares, strict=True)),
        claimant_totals=dict(zip(claimants, totals, strict=True)),
        envelope_cents=envelope_cents,
        asked_cents=total_asked,
        eligible_cents=eligible,
        allocated_cents=allocated,
        oversubscribed=eligible > envelope_cents,
        level=(num, den),
        capped=frozenset(claimants[j] for j in capped),
    )


def allocate_round(
    claims: Iterable[Claim],
    envelope_cents: int,
    granted: Iterable[Granted] = (),
    caps: Mapping[Hashable, int | None] | None = None,
    default_cap: int | None = NO_CAP,
) -> Round:
    """Share what earlier rounds left of `envelope_cents` among the new `claims`, the
    `granted` amounts kept as they are, each claimant's cap counting what it already got
    (see "Rounds" in the module's docstring)."""
    _require_cents(envelope_cents, "envelope_cents")
    claims = list(claims)
    granted = list(granted)
    by_claimant: dict = {}
    for row in granted:
        _require_cents(row.cents, f"granted {row.id!r}: cents")
        by_claimant[row.claimant_id] = by_claimant.get(row.claimant_id, 0) + row.cents
    granted_ids = {row.id for row in granted}
    if len(granted_ids) != len(granted):
        raise ValueError("a granted claim appears twice")
    if granted_ids & {claim.id for claim in claims}:
        raise ValueError("a claim is both granted and new")
    granted_cents = sum(by_claimant.values())
    if granted_cents > envelope_cents:
        raise ValueError(f"{granted_cents} granted exceed the envelope of {envelope_cents}")
    remaining = envelope_cents - granted_cents
    owners = list(dict.fromkeys(claim.claimant_id for claim in claims))
    left_caps = {}
    for owner, cap in zip(owners, _caps_for(owners, caps, default_cap), strict=True):
        left_caps[owner] = None if cap is None else max(0, cap - by_claimant.get(owner, 0))
    result = allocate(claims, remaining, caps=left_caps)
    return Round(
        allocation=result,
        envelope_cents=envelope_cents,
        granted_cents=granted_cents,
        remaining_cents=remaining,
        caps=left_caps,
    )


def _sum_by_claimant(code_arr, values, m: int) -> list[int]:
    """Exact sums by claimant code: float64 holds every integer below 2**53."""
    return np.bincount(code_arr, weights=values, minlength=m).astype(np.int64).tolist()


def _water_level(envelope: int, total_asked: int, demand: list, cap: list):
    """The level num/den (reduced) and the capped claimants, when oversubscribed.

    With the set S of capped claimants, the level is (envelope − Σ_S caps) / (Σ_¬S asks).
    Starting from S = ∅, adding claimants whose cap/D is below the current level only
    raises it, and never adds a claimant that the true level would not cap: the classic
    water-filling converges to the answer. Claimants are tried in increasing cap/D.
    """
    candidates = [
        (c / d, j)
        for j, (d, c) in enumerate(zip(demand, cap, strict=True))
        if c is not None and c < d
    ]
    candidates.sort(key=itemgetter(0))
    num, den = envelope, total_asked
    capped = set()
    walked = 0
    for _, j in candidates:
        if cap[j] * den < num * demand[j]:
            capped.add(j)
            num -= cap[j]
            den -= demand[j]
            walked += 1
        else:
            break
    # Floats may have put two close ratios out of order: an exact pass over the rest.
    rest = [j for _, j in candidates[walked:]]
    while True:
        more = [j for j in rest if cap[j] * den < num * demand[j]]
        if not more:
            break
        for j in more:
            capped.add(j)
            num -= cap[j]
            den -= demand[j]
        rest = [j for j in rest if j not in capped]
    if den <= 0:  # cannot happen: oversubscribed means the caps alone exceed the envelope
        raise RuntimeError("water level without uncapped demand")
    g = math.gcd(num, den)
    return num // g, den // g, capped


def _split(total: int, demand: int, group: list[int], asks: list[int]) -> list[tuple[int, int]]:
    """Share `total` (≤ demand) among the claims `group` (indexes in id order) pro rata to
    their asks, by the largest remainder (ties: larger ask, then smaller id):
    [(index, share)]."""
    if len(group) == 1:
        return [(group[0], total)]
    if total == demand:
        return [(k, asks[k]) for k in group]
    parts = [divmod(asks[k] * total, demand) for k in group]
    shares = [q for q, _ in parts]
    left = total - sum(shares)
    if left:
        order = sorted(
            range(len(group)), key=lambda i: (parts[i][1], asks[group[i]]), reverse=True
        )  # stable: the group's (id) order among ties
        for i in order[:left]:
            shares[i] += 1
    return list(zip(group, shares, strict=True))


def _round_python(envelope, level, asks, codes, cap, counts, capped, splits) -> list[int]:
    """Shares when oversubscribed, with Python integers (any size)."""
    num, den = level
    parts = [divmod(ask * num, den) for ask in asks]
    for k, _ in splits:
        parts[k] = (0, 0)
    shares = [q for q, _ in parts]
    # Claimants with a cap and several claims, not capped: cents left before their cap.
    room = {j: c for j, c in enumerate(cap) if c is not None and counts[j] > 1 and j not in capped}
    if room:
        for code, share in zip(codes, shares, strict=True):
            if code in room:
                room[code] -= share
    for k, share in splits:
        shares[k] = share
    # The capped claimants hold exactly their caps; the uncapped claims' exact values add
    # up to the rest of the envelope: the cents left after the floors go one each by
    # largest remainder (ties: larger ask, then smaller id), skipping claimants that
    # reached their cap. Remainders share the denominator `den`: compared as integers.
    left = envelope - sum(shares)
    if not left:
        return shares
    n = len(asks)
    scale = max(asks) + 1
    # One integer orders the claims: remainder, then ask, then the index reversed.
    keys = [(r * scale + asks[k]) * n + (n - 1 - k) for k, (_, r) in enumerate(parts) if r]
    keys.sort(reverse=True)
    for key in keys:
        k = n - 1 - key % n
        if room:
            space = room.get(codes[k])
            if space is not None:
                if space == 0:
                    continue
                room[codes[k]] = space - 1
        shares[k] += 1
        left -= 1
        if not left:
            return shares
    raise RuntimeError("cents left over after rounding")  # impossible, see the docstring


def _round_vector(envelope, level, ask_arr, code_arr, cap, capped, splits) -> list[int]:
    """The same as `_round_python` on numpy int64 arrays, when every product fits."""
    num, den = level
    m = len(cap)
    q, r = np.divmod(ask_arr * num, den)
    capped_mask = np.zeros(m, dtype=bool)
    capped_mask[list(capped)] = True
    claim_capped = capped_mask[code_arr]
    q[claim_capped] = 0
    r[claim_capped] = 0
    floors = np.bincount(code_arr, weights=q, minlength=m).astype(np.int64)
    shares = q
    if splits:
        at, values = zip(*splits, strict=True)
        shares[list(at)] = values
    left = envelope - int(shares.sum())
    if not left:
        return shares.tolist()
    idx = np.flatnonzero(r)
    order = idx[np.lexsort((idx, -ask_arr[idx], -r[idx]))]
    # Only an uncapped claimant with a cap whose pending claims outnumber the cents left
    # before its cap may be skipped: walk the claims of those few, in order.
    has_cap = np.array([c is not None for c in cap], dtype=bool)
    cap_arr = np.array([0 if c is None else min(c, NUMPY_BELOW) for c in cap], dtype=np.int64)
    room = cap_arr - floors
    pending = np.bincount(code_arr[idx], minlength=m)
    tight = has_cap & ~capped_mask & (room < pending)
    if tight.any():
        space = room.tolist()
        order_codes = code_arr[order]
        skip = []
        for position in np.flatnonzero(tight[order_codes]).tolist():
            j = int(order_codes[position])
            if space[j] == 0:
                skip.append(position)
            else:
                space[j] -= 1
        order = np.delete(order, skip)
    if len(order) < left:
        raise RuntimeError("cents left over after rounding")  # impossible, see the docstring
    shares[order[:left]] += 1
    return shares.tolist()


# ---------------------------------------------------------------------------------------
# The plain way, with fractions: a reference for the tests and the bench.


def allocate_with_fractions(
    claims: Iterable[Claim],
    envelope_cents: int,
    caps: Mapping[Hashable, int | None] | None = None,
    default_cap: int | None = NO_CAP,
) -> dict:
    """The same rule as `allocate`, written plainly with `Fraction` (slow): returns the
    shares by claim id."""
    _require_cents(envelope_cents, "envelope_cents")
    claims = _prepare(claims)[0]
    demand: dict = {}
    for claim in claims:
        demand[claim.claimant_id] = demand.get(claim.claimant_id, 0) + claim.asked_cents
    cap = dict(zip(demand, _caps_for(list(demand), caps, default_cap), strict=True))
    eligible = sum(d if cap[o] is None else min(d, cap[o]) for o, d in demand.items())

    capped: set = set()
    if eligible <= envelope_cents:
        level = Fraction(1)
        capped = {o for o, d in demand.items() if cap[o] is not None and cap[o] < d}
    else:
        while True:  # water-filling: cap those above their cap, share again, until stable
            free = sum(d for o, d in demand.items() if o not in capped)
            level = Fraction(envelope_cents - sum(cap[o] for o in capped), free)
            above = {
                o
                for o, d in demand.items()
                if o not in capped and cap[o] is not None and cap[o] < level * d
            }
            if not above:
                break
            capped |= above

    exact = {}
    for claim in claims:
        owner = claim.claimant_id
        if owner in capped:
            exact[claim.id] = Fraction(cap[owner] * claim.asked_cents, demand[owner])
        else:
            exact[claim.id] = level * claim.asked_cents
    shares = {claim.id: math.floor(exact[claim.id]) for claim in claims}

    def ranking(group):  # largest remainder, then larger ask, then smaller id
        return sorted(group, key=lambda c: (-(exact[c.id] - shares[c.id]), -c.asked_cents, c.id))

    groups: dict = {}
    for claim in claims:
        groups.setdefault(claim.claimant_id, []).append(claim)
    for owner in capped:  # each capped claimant's claims share its cap
        left = cap[owner] - sum(shares[c.id] for c in groups[owner])
        for claim in ranking(groups[owner])[:left]:
            shares[claim.id] += 1
    free_claims = [c for c in claims if c.claimant_id not in capped]
    left = sum(exact[c.id] for c in free_claims) - sum(shares[c.id] for c in free_claims)
    totals: dict = {}
    for claim in free_claims:
        totals[claim.claimant_id] = totals.get(claim.claimant_id, 0) + shares[claim.id]
    for claim in ranking(free_claims):
        if left == 0:
            break
        owner = claim.claimant_id
        if exact[claim.id] == shares[claim.id]:
            continue
        if cap[owner] is not None and totals[owner] >= cap[owner]:
            continue
        shares[claim.id] += 1
        totals[owner] += 1
        left -= 1
    if left:
        raise RuntimeError("cents left over after rounding")
    return shares


# ---------------------------------------------------------------------------------------
# Verification.

INVARIANTS = (
    "complete",
    "integers",
    "within_caps",
    "total",
    "level",
    "proportional",
    "capped_at_cap",
    "deterministic",
    "monotone",
)


def check(
    allocation: Allocation,
    claims: Sequence[Claim],
    envelope_cents: int,
    caps: Mapping[Hashable, int | None] | None = None,
    default_cap: int | None = NO_CAP,
    *,
    probes: int = 3,
    seed: int = 0,
) -> tuple[str, ...]:
    """Verify every guarantee of the module docstring on `allocation`, the result of
    `allocate(claims, envelope_cents, caps, default_cap)`, recomputing each figure from
    the claims with integers. Returns the names of the invariants verified (all of
    `INVARIANTS` when `probes` > 0: the determinism and monotonicity probes run
    `allocate` again on reordered claims and on `probes` claims asking more); raises
    `InvariantError` at the first one broken."""
    done = []
    claims = list(claims)
    shares = allocation.shares

    if len(shares) != len(claims) or any(c.id not in shares for c in claims):
        raise InvariantError("complete", "the shares are not one per claim")
    done.append("complete")

    for claim in claims:
        share = shares[claim.id]
        if type(share) is not int or not 0 <= share <= claim.asked_cents:
            raise InvariantError("integers", f"claim {claim.id!r}: {share!r}")
    done.append("integers")

    demand: dict = {}
    received: dict = {}
    for claim in claims:
        owner = claim.claimant_id
        demand[owner] = demand.get(owner, 0) + claim.asked_cents
        received[owner] = received.get(owner, 0) + shares[claim.id]
    cap = dict(zip(demand, _caps_for(list(demand), caps, default_cap), strict=True))
    if allocation.claimant_totals != received:
        raise InvariantError("within_caps", "the claimants' totals are not their shares' sums")
    for owner, total in received.items():
        if cap[owner] is not None and total > cap[owner]:
            raise InvariantError("within_caps", f"claimant {owner!r}: {total} > {cap[owner]}")
    done.append("within_caps")

    total = sum(received.values())
    eligible = sum(d if cap[o] is None else min(d, cap[o]) for o, d in demand.items())
    oversubscribed = eligible > envelope_cents
    expected = envelope_cents if oversubscribed else eligible
    if (
        total != expected
        or allocation.allocated_cents != total
        or allocation.oversubscribed != oversubscribed
    ):
        raise InvariantError("total", f"{total} allocated, {expected} expected")
    done.append("total")

    num, den = allocation.level
    if oversubscribed:
        # The level must be the water level: the claimants' exact amounts fill the envelope.
        filled = sum(
            num * d if cap[o] is None else min(cap[o] * den, num * d) for o, d in demand.items()
        )
        if not (0 <= num < den) or filled != envelope_cents * den:
            raise InvariantError("level", f"{num}/{den} is not the water level")
    elif (num, den) != (1, 1):
        raise InvariantError("level", f"{num}/{den} where everything fits")
    done.append("level")

    def exact_times(owner):  # the claimant's exact amount × den
        d = demand[owner]
        return num * d if cap[owner] is None else min(cap[owner] * den, num * d)

    amount = {o: exact_times(o) for o in demand}
    for claim in claims:
        owner = claim.claimant_id
        d = demand[owner]
        if d and abs(shares[claim.id] * den * d - amount[owner] * claim.asked_cents) >= den * d:
            raise InvariantError(
                "proportional", f"claim {claim.id!r} is a cent or more from its exact share"
            )
    done.append("proportional")

    held = {o for o, d in demand.items() if cap[o] is not None and cap[o] * den < num * d}
    if held != set(allocation.capped):
        raise InvariantError("capped_at_cap", "the capped claimants differ")
    for owner in held:
        if received[owner] != cap[owner]:
            raise InvariantError("capped_at_cap", f"claimant {owner!r} is not at its cap")
    done.append("capped_at_cap")

    if probes <= 0:
        return tuple(done)
    rng = random.Random(seed)  # noqa: S311 - sampling for a check, not secrets
    shuffled = claims[:]
    rng.shuffle(shuffled)
    for order in (claims[::-1], shuffled):
        if allocate(order, envelope_cents, caps, default_cap).shares != shares:
            raise InvariantError("deterministic", "another order gives other shares")
    done.append("deterministic")

    for _ in range(probes):
        k = rng.randrange(len(claims)) if claims else None
        if k is None:
            break
        claim = claims[k]
        more = claim.asked_cents + rng.choice((1, rng.randint(1, max(1, claim.asked_cents))))
        bumped = [*claims[:k], Claim(claim.id, claim.claimant_id, more), *claims[k + 1 :]]
        after = allocate(bumped, envelope_cents, caps, default_cap).shares[claim.id]
        if after < shares[claim.id]:
            raise InvariantError(
                "monotone", f"claim {claim.id!r} asking {more} gets {after} < {shares[claim.id]}"
            )
    done.append("monotone")
    return tuple(done)

"""Allocation of an envelope: examples worked out by hand, then properties on random
problems (hypothesis), each recomputed here from the claims with exact fractions."""

import itertools
from fractions import Fraction
from unittest import mock

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kenlabour.funding import allocation as module
from kenlabour.funding.allocation import (
    INVARIANTS,
    Allocation,
    Claim,
    Granted,
    InvariantError,
    allocate,
    allocate_round,
    allocate_with_fractions,
    asked_cents,
    check,
)


def claims_of(*asks_by_claimant):
    """Claims numbered 1, 2, … from (claimant, ask) pairs."""
    return [Claim(n, who, ask) for n, (who, ask) in enumerate(asks_by_claimant, start=1)]


# --- Examples (each on both paths: numpy int64 arrays, and Python integers only) ------


@pytest.fixture(params=["numpy", "integers"])
def each_path(request, monkeypatch):
    if request.param == "integers":
        monkeypatch.setattr(module, "NUMPY_BELOW", 0)
    return request.param


@pytest.mark.usefixtures("each_path")
class TestExamples:
    def test_when_everything_fits_everyone_gets_what_they_asked_up_to_the_cap(self):
        claims = claims_of(("ana", 1200), ("bo", 800), ("cy", 5000))
        result = allocate(claims, 10_000, default_cap=3000)
        assert result.shares == {1: 1200, 2: 800, 3: 3000}
        assert not result.oversubscribed
        assert result.eligible_cents == 5000 and result.allocated_cents == 5000
        assert result.unallocated_cents == 5000
        assert result.capped == {"cy"} and result.level == (1, 1)

    def test_ten_cents_for_three_equal_claims_the_extra_cent_goes_to_the_smallest_id(self):
        claims = [Claim(7, "a", 5), Claim(3, "b", 5), Claim(5, "c", 5)]
        result = allocate(claims, 10)
        # 10/15 × 5 = 3.33… each: 3 each, and one cent left for the smallest id.
        assert result.shares == {3: 4, 5: 3, 7: 3}
        assert result.level == (2, 3)

    def test_equal_remainders_the_larger_ask_gets_the_cent_first(self):
        # Level 1/2: 3 → 1.5 and 5 → 2.5, the same remainder; one cent left.
        result = allocate([Claim(1, "a", 3), Claim(2, "b", 5)], 4)
        assert result.shares == {1: 1, 2: 3}
        result = allocate([Claim(1, "a", 5), Claim(2, "b", 3)], 4)
        assert result.shares == {1: 3, 2: 1}

    def test_a_cap_frees_money_that_the_others_share_pro_rata(self):
        claims = claims_of(("a", 100), ("b", 60), ("c", 40))
        result = allocate(claims, 100, caps={"a": 20})
        # a would get 100 × 100/200 = 50 > 20: capped; b and c share 80 of their 100 asked.
        assert result.shares == {1: 20, 2: 48, 3: 32}
        assert result.level == (4, 5) and result.capped == {"a"}

    def test_water_filling_caps_in_successive_rounds(self):
        claims = claims_of(("a", 400), ("b", 200), ("c", 100), ("d", 100))
        result = allocate(claims, 300, caps={"a": 50, "b": 90})
        # 300/800 = .375 caps a (150 > 50); then 250/400 = .625 caps b (125 > 90);
        # then c and d share 160 of their 200: .8.
        assert result.shares == {1: 50, 2: 90, 3: 80, 4: 80}
        assert result.level == (4, 5) and result.capped == {"a", "b"}

    def test_a_claimant_cap_is_shared_among_its_claims_pro_rata(self):
        claims = claims_of(("x", 30), ("x", 10), ("y", 10))
        result = allocate(claims, 1000, caps={"x": 20})
        assert result.shares == {1: 15, 2: 5, 3: 10}
        assert result.claimant_totals == {"x": 20, "y": 10}
        # Three claims of 1 under a cap of 2: 2/3 each; the two smallest ids get a cent.
        result = allocate(claims_of(("x", 1), ("x", 1), ("x", 1)), 1000, caps={"x": 2})
        assert result.shares == {1: 1, 2: 1, 3: 0}

    def test_rounding_up_never_pushes_a_claimant_with_several_claims_past_its_cap(self):
        # Level 101/1010 = 1/10. y asks 3 × 333 = 999 under a cap of 100: 99.9 ≤ 100, so y is
        # not capped, but its three claims of 33.3 have the largest remainders: rounding all
        # three up would give it 102. It gets one cent; the next cent goes to the 0.2s.
        claims = [Claim(n, "y", 333) for n in (1, 2, 3)]
        claims += [Claim(10 + n, f"w{n}", 2) for n in range(5)] + [Claim(20, "v", 1)]
        result = allocate(claims, 101, caps={"y": 100})
        assert result.level == (1, 10) and not result.capped
        assert result.shares == {1: 34, 2: 33, 3: 33, 10: 1, 11: 0, 12: 0, 13: 0, 14: 0, 20: 0}
        assert result.claimant_totals["y"] == 100

    def test_an_empty_envelope_and_empty_claims(self):
        assert allocate(claims_of(("a", 10), ("b", 0)), 0).shares == {1: 0, 2: 0}
        result = allocate([], 500)
        assert result.shares == {} and result.allocated_cents == 0 and not result.oversubscribed

    def test_a_zero_cap_gets_nothing_and_leaves_the_rest_to_others(self):
        result = allocate(claims_of(("a", 100), ("b", 100)), 50, caps={"a": 0})
        assert result.shares == {1: 0, 2: 50}

    def test_string_ids_and_a_cap_of_none_in_the_mapping_lifts_the_default(self):
        claims = [Claim("r-2", "ana", 500), Claim("r-1", "bo", 500)]
        result = allocate(claims, 10_000, caps={"ana": None}, default_cap=100)
        assert result.shares == {"r-1": 100, "r-2": 500}
        assert list(result.shares) == ["r-1", "r-2"]  # in id order


@pytest.mark.parametrize(
    ("claims", "envelope", "caps", "error"),
    [
        ([Claim(1, "a", -1)], 10, None, ValueError),
        ([Claim(1, "a", 1.5)], 10, None, TypeError),
        ([Claim(1, "a", True)], 10, None, TypeError),
        ([Claim(1, "a", 1), Claim(1, "b", 2)], 10, None, ValueError),
        ([Claim(1, "a", 1)], -5, None, ValueError),
        ([Claim(1, "a", 1)], 10.0, None, TypeError),
        ([Claim(1, "a", 1)], 10, {"a": -1}, ValueError),
        ([Claim(1, "a", 1)], 10, {"a": "100"}, TypeError),
    ],
)
def test_bad_input_is_refused(claims, envelope, caps, error):
    with pytest.raises(error):
        allocate(claims, envelope, caps)


def test_a_bad_default_cap_is_refused():
    with pytest.raises(ValueError):
        allocate([Claim(1, "a", 1)], 10, default_cap=-1)


def test_asked_cents_adds_units_at_their_rates_and_expenses():
    rates = {"visiere": 150, "masque": 90}
    assert asked_cents({"visiere": 10, "masque": 3}, rates, 1234) == 10 * 150 + 3 * 90 + 1234
    assert asked_cents({}, rates) == 0
    with pytest.raises(ValueError, match="no rate"):
        asked_cents({"surblouse": 1}, rates)
    with pytest.raises(TypeError):
        asked_cents({"visiere": 1.0}, rates)
    with pytest.raises(ValueError):
        asked_cents({"visiere": 1}, rates, -1)


# --- Properties --------------------------------------------------------------------------


@st.composite
def problems(draw, large=False):
    """(claims, envelope, caps, default_cap): a few claimants, several claims each
    sometimes, caps for some, an envelope anywhere from 0 to above what is asked."""
    people = [f"p{n}" for n in range(draw(st.integers(1, 6)))]
    amounts = (
        st.integers(0, 2**70)
        if large
        else st.one_of(st.integers(0, 40), st.integers(0, 5000), st.sampled_from([0, 1, 99]))
    )
    rows = draw(st.lists(st.tuples(st.sampled_from(people), amounts), max_size=12))
    ids = draw(st.lists(st.integers(0, 10**6), min_size=len(rows), max_size=len(rows), unique=True))
    claims = [Claim(i, who, ask) for i, (who, ask) in zip(ids, rows, strict=True)]
    cap_values = st.one_of(st.none(), amounts)
    caps = draw(st.dictionaries(st.sampled_from(people), cap_values, max_size=len(people)))
    default_cap = draw(cap_values)
    eligible = eligible_cents(claims, caps, default_cap)
    envelope = draw(st.one_of(st.integers(0, eligible), st.integers(0, 2 * eligible + 3)))
    return claims, envelope, caps, default_cap


@st.composite
def tight_problems(draw):
    """Problems where a claimant with several claims, not capped, has a cap just above its
    exact amount: rounding its claims up one by one would pass the cap."""
    people = ["p0", "p1", "p2", "p3"]
    claims = [Claim(n, "p0", draw(st.integers(1, 400))) for n in range(draw(st.integers(2, 5)))]
    rows = draw(
        st.lists(st.tuples(st.sampled_from(people), st.integers(0, 400)), min_size=1, max_size=8)
    )
    claims += [Claim(100 + n, who, ask) for n, (who, ask) in enumerate(rows)]
    total = sum(c.asked_cents for c in claims)
    envelope = draw(st.integers(0, max(0, total - 1)))
    num, den = allocate(claims, envelope).level
    d = demands(claims)["p0"]
    cap = -(-num * d // den)  # the ceiling of p0's exact amount: p0 stays uncapped
    caps = {"p0": cap + draw(st.sampled_from([0, 0, 1]))}
    return claims, envelope, caps, None


def cap_of(who, caps, default_cap):
    return caps.get(who, default_cap)


def demands(claims):
    out = {}
    for claim in claims:
        out[claim.claimant_id] = out.get(claim.claimant_id, 0) + claim.asked_cents
    return out


def eligible_cents(claims, caps, default_cap):
    total = 0
    for who, asked in demands(claims).items():
        cap = cap_of(who, caps, default_cap)
        total += asked if cap is None else min(asked, cap)
    return total


def exact_values(claims, envelope, caps, default_cap):
    """The water level and every claim's exact value, found here another way: the level
    is the λ solving Σ min(cap, λ·D) = envelope, a piecewise linear increasing function
    whose pieces end at the ratios cap/D; interpolate on the piece that holds it."""
    demand = demands(claims)
    cap = {who: cap_of(who, caps, default_cap) for who in demand}

    def filled(level):
        return sum(
            d * level if cap[w] is None else min(cap[w], d * level) for w, d in demand.items()
        )

    if filled(Fraction(1)) <= envelope:
        level = Fraction(1)
    else:
        # f is piecewise linear and increasing; find the piece holding the envelope.
        points = sorted(
            {Fraction(0), Fraction(1)}
            | {
                Fraction(cap[w], d)
                for w, d in demand.items()
                if d and cap[w] is not None and cap[w] < d
            }
        )
        for low, high in itertools.pairwise(points):
            if filled(high) >= envelope:
                f_low, f_high = filled(low), filled(high)
                level = low + (high - low) * (envelope - f_low) / (f_high - f_low)
                break
    values = {}
    for claim in claims:
        d = demand[claim.claimant_id]
        c = cap[claim.claimant_id]
        total = d * level if c is None else min(Fraction(c), d * level)
        values[claim.id] = total * claim.asked_cents / d if d else Fraction(0)
    return level, values


@settings(max_examples=400, deadline=None)
@given(st.one_of(problems(), tight_problems()))
def test_every_guarantee_holds(problem):
    claims, envelope, caps, default_cap = problem
    result = allocate(claims, envelope, caps, default_cap)
    shares = result.shares
    assert set(shares) == {c.id for c in claims}
    for claim in claims:
        assert type(shares[claim.id]) is int and 0 <= shares[claim.id] <= claim.asked_cents
    received = {}
    for claim in claims:
        received[claim.claimant_id] = received.get(claim.claimant_id, 0) + shares[claim.id]
    assert received == result.claimant_totals
    for who, total in received.items():
        cap = cap_of(who, caps, default_cap)
        assert cap is None or total <= cap
    eligible = eligible_cents(claims, caps, default_cap)
    assert result.oversubscribed == (eligible > envelope)
    assert sum(shares.values()) == (envelope if eligible > envelope else eligible)
    assert sum(shares.values()) <= envelope

    level, values = exact_values(claims, envelope, caps, default_cap)
    assert Fraction(*result.level) == level
    for claim in claims:  # within one cent of the exact value: Hamilton's rounding
        assert abs(shares[claim.id] - values[claim.id]) < 1
    demand = demands(claims)
    for who, d in demand.items():
        cap = cap_of(who, caps, default_cap)
        if cap is not None and cap < level * d:  # the water is above the cap
            assert received[who] == cap
            assert who in result.capped
        else:
            assert who not in result.capped
    # Two claims of uncapped claimants: shares proportional to the asks within the bound.
    free = [c for c in claims if c.claimant_id not in result.capped]
    for i in free:
        for j in free:
            gap = shares[i.id] * j.asked_cents - shares[j.id] * i.asked_cents
            assert abs(gap) < i.asked_cents + j.asked_cents or (i.asked_cents == j.asked_cents == 0)
    assert check(result, claims, envelope, caps, default_cap, probes=2) == INVARIANTS


@settings(max_examples=300, deadline=None)
@given(st.one_of(problems(), tight_problems()))
def test_the_same_shares_as_the_plain_fraction_version(problem):
    claims, envelope, caps, default_cap = problem
    expected = allocate_with_fractions(claims, envelope, caps, default_cap)
    assert allocate(claims, envelope, caps, default_cap).shares == expected


@settings(max_examples=150, deadline=None)
@given(problems(large=True))
def test_amounts_far_beyond_64_bits_stay_exact(problem):
    claims, envelope, caps, default_cap = problem
    result = allocate(claims, envelope, caps, default_cap)
    assert result.shares == allocate_with_fractions(claims, envelope, caps, default_cap)
    assert check(result, claims, envelope, caps, default_cap, probes=1) == INVARIANTS


@settings(max_examples=300, deadline=None)
@given(st.one_of(problems(), tight_problems()))
def test_the_integer_path_and_the_numpy_path_agree(problem):
    claims, envelope, caps, default_cap = problem
    vector = allocate(claims, envelope, caps, default_cap)
    with mock.patch.object(module, "NUMPY_BELOW", 0):  # Python integers only
        python = allocate(claims, envelope, caps, default_cap)
    assert python == vector


@settings(max_examples=400, deadline=None)
@given(st.one_of(problems(), tight_problems()), st.data())
def test_asking_more_never_gives_less(problem, data):
    claims, envelope, caps, default_cap = problem
    assume(claims)
    k = data.draw(st.integers(0, len(claims) - 1))
    more = data.draw(st.integers(1, 3000))
    before = allocate(claims, envelope, caps, default_cap).shares[claims[k].id]
    bumped = list(claims)
    bumped[k] = Claim(claims[k].id, claims[k].claimant_id, claims[k].asked_cents + more)
    after = allocate(bumped, envelope, caps, default_cap).shares[claims[k].id]
    assert after >= before


@settings(max_examples=200, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_the_order_of_the_claims_does_not_matter(problem, rng):
    claims, envelope, caps, default_cap = problem
    shuffled = list(claims)
    rng.shuffle(shuffled)
    first = allocate(claims, envelope, caps, default_cap)
    again = allocate(shuffled, envelope, caps, default_cap)
    assert again.shares == first.shares and list(again.shares) == list(first.shares)


# --- The checker catches broken allocations ------------------------------------------------


def tampered(result: Allocation, **changes) -> Allocation:
    fields = {**result.__dict__, **changes}
    return Allocation(**fields)


def test_check_names_the_broken_invariant():
    claims = claims_of(("a", 100), ("b", 60), ("c", 40), ("c", 7))
    caps = {"a": 20}
    result = allocate(claims, 100, caps)
    assert check(result, claims, 100, caps) == INVARIANTS
    assert check(result, claims, 100, caps, probes=0) == INVARIANTS[:-2]

    def broken(**changes):
        if "shares" in changes and "claimant_totals" not in changes:  # keep them consistent
            totals = dict.fromkeys(result.claimant_totals, 0)
            for claim in claims:
                totals[claim.claimant_id] += changes["shares"].get(claim.id, 0)
            changes["claimant_totals"] = totals
        with pytest.raises(InvariantError) as caught:
            check(tampered(result, **changes), claims, 100, caps)
        return caught.value.invariant

    shares, totals = result.shares, result.claimant_totals
    assert broken(shares={k: v for k, v in shares.items() if k != 4}) == "complete"
    assert broken(shares={**shares, 2: shares[2] + 0.0}) == "integers"
    assert broken(claimant_totals={**totals, "b": totals["b"] + 1}) == "within_caps"
    assert broken(shares={**shares, 1: 21, 2: shares[2] - 1}) == "within_caps"
    assert broken(shares={**shares, 2: shares[2] - 1}) == "total"
    assert broken(level=(1, 2)) == "level"
    # Two cents moved from one uncapped claim to another: same total, no longer pro rata.
    assert broken(shares={**shares, 2: shares[2] + 2, 3: shares[3] - 2}) == "proportional"
    assert broken(capped=frozenset()) == "capped_at_cap"


# --- Rounds: allocating again after some claims are scheduled or paid --------------------


def test_a_second_round_shares_what_is_left_and_counts_what_a_claimant_already_got():
    first = allocate(claims_of(("ana", 3000), ("bo", 2000)), 10_000, default_cap=4000)
    assert first.shares == {1: 3000, 2: 2000}
    granted = [Granted(1, "ana", 3000), Granted(2, "bo", 2000)]
    new = [Claim(3, "ana", 4000), Claim(4, "cy", 9000)]
    second = allocate_round(new, 10_000, granted, default_cap=4000)
    # 5,000 left; ana may get 1,000 more (cap 4,000), cy at most 4,000: it all fits.
    assert second.remaining_cents == 5000 and second.caps == {"ana": 1000, "cy": 4000}
    assert second.shares == {3: 1000, 4: 4000}


def test_once_a_round_shared_the_whole_envelope_later_claims_get_nothing():
    granted = [Granted(1, "ana", 6000), Granted(2, "bo", 4000)]
    later = allocate_round([Claim(3, "cy", 500)], 10_000, granted)
    assert later.remaining_cents == 0 and later.shares == {3: 0}


@pytest.mark.parametrize(
    "granted, error",
    [
        ([Granted(1, "a", 11_000)], ValueError),
        ([Granted(1, "a", 10), Granted(1, "b", 10)], ValueError),
        ([Granted(2, "a", 10)], ValueError),  # both granted and new
        ([Granted(1, "a", -1)], ValueError),
        ([Granted(1, "a", 1.5)], TypeError),
    ],
)
def test_a_bad_round_is_refused(granted, error):
    with pytest.raises(error):
        allocate_round([Claim(2, "a", 100)], 10_000, granted)


@st.composite
def rounds(draw):
    """A problem cut into successive rounds: (batches of claims, envelope, caps, default)."""
    claims, envelope, caps, default_cap = draw(problems())
    cuts = sorted(draw(st.lists(st.integers(0, len(claims)), max_size=3)))
    batches, start = [], 0
    for cut in [*cuts, len(claims)]:
        batches.append(claims[start:cut])
        start = cut
    return batches, envelope, caps, default_cap


def run_rounds(batches, envelope, caps, default_cap):
    """Each round's shares become the next rounds' floors: (granted, [Round])."""
    granted, done = [], []
    for batch in batches:
        result = allocate_round(batch, envelope, granted, caps, default_cap)
        check(result.allocation, batch, result.remaining_cents, result.caps, probes=0)
        done.append(result)
        by_id = {c.id: c for c in batch}
        granted += [Granted(i, by_id[i].claimant_id, s) for i, s in result.shares.items()]
    return granted, done


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_rounds_keep_floors_caps_and_the_envelope(problem):
    batches, envelope, caps, default_cap = problem
    granted, done = run_rounds(batches, envelope, caps, default_cap)
    # Floors kept: what a round granted is passed on untouched, and each round only
    # shares what the earlier rounds left.
    for k, result in enumerate(done):
        before = sum(s for r in done[:k] for s in r.shares.values())
        assert result.granted_cents == before
        assert result.remaining_cents == envelope - before
    total = sum(g.cents for g in granted)
    assert total <= envelope
    got: dict = {}
    for g in granted:
        got[g.claimant_id] = got.get(g.claimant_id, 0) + g.cents
    for who, cents in got.items():
        cap = cap_of(who, caps, default_cap)
        assert cap is None or cents <= cap
    asked = {c.id: c.asked_cents for batch in batches for c in batch}
    assert all(0 <= g.cents <= asked[g.id] for g in granted)


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_later_rounds_never_get_a_larger_proportion(problem):
    batches, envelope, caps, default_cap = problem
    _, done = run_rounds(batches, envelope, caps, default_cap)
    # (a round with nothing eligible, all asks nil or every cap reached, has no level)
    levels = [Fraction(*r.allocation.level) for r in done if r.allocation.eligible_cents]
    assert levels == sorted(levels, reverse=True)
    for k, result in enumerate(done):
        if result.allocation.oversubscribed:  # the whole envelope is shared: nothing left
            assert all(s == 0 for later in done[k + 1 :] for s in later.shares.values())


@settings(max_examples=300, deadline=None)
@given(problems())
def test_a_first_round_is_the_one_shot_allocation(problem):
    claims, envelope, caps, default_cap = problem
    assert (
        allocate_round(claims, envelope, (), caps, default_cap).shares
        == allocate(claims, envelope, caps, default_cap).shares
    )


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_when_everything_fits_rounds_give_the_one_shot_shares(problem):
    batches, envelope, caps, default_cap = problem
    claims = [c for batch in batches for c in batch]
    one_shot = allocate(claims, envelope, caps, default_cap)
    assume(not one_shot.oversubscribed)
    got: dict = {}
    for g in run_rounds(batches, envelope, caps, default_cap)[0]:
        got[g.claimant_id] = got.get(g.claimant_id, 0) + g.cents
    assert got == one_shot.claimant_totals

"""Who could help, on plain graphs whose right answer is known by hand, and against a
brute-force search on small random graphs."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from kenlabour.network.reach import (
    MAX_HOPS,
    Candidate,
    lookup_from_adjacency,
    lookup_from_edges,
    rank,
    shortest_chains,
)


def graph(*edges):
    return lookup_from_edges(edges)


def test_a_chain_of_three_links_is_found_through_two_people():
    # seeker 1 knows 2, who knows 3, who knows 4 (the candidate).
    chains = shortest_chains(1, [4], graph((1, 2), (2, 3), (3, 4)))
    assert chains == {4: (1, 2, 3, 4)}


def test_direct_and_one_intermediary_chains():
    chains = shortest_chains(1, [2, 3], graph((1, 2), (2, 3)))
    assert chains == {2: (1, 2), 3: (1, 2, 3)}


def test_beyond_three_links_a_candidate_is_unreachable():
    chains = shortest_chains(1, [5], graph((1, 2), (2, 3), (3, 4), (4, 5)))
    assert chains == {}


def test_the_shortest_chain_wins_over_a_longer_one():
    # 1-2-3-4-9 (4 links) and 1-7-9 (2 links).
    chains = shortest_chains(1, [9], graph((1, 2), (2, 3), (3, 4), (4, 9), (1, 7), (7, 9)))
    assert chains == {9: (1, 7, 9)}


def test_two_equally_short_chains_give_the_same_answer_every_time():
    # 1 reaches 9 through 5 or through 3 (both 2 links): the smaller id, whatever the order.
    edges = [(1, 5), (5, 9), (1, 3), (3, 9)]
    for order in itertools.permutations(edges):
        assert shortest_chains(1, [9], graph(*order)) == {9: (1, 3, 9)}
    # Three links: 1-3-8-9, 1-3-6-9 and 1-4-2-9 → the smallest from the seeker: 1-3-6-9.
    edges = [(1, 4), (4, 2), (2, 9), (1, 3), (3, 8), (8, 9), (3, 6), (6, 9)]
    assert shortest_chains(1, [9], graph(*edges)) == {9: (1, 3, 6, 9)}
    assert shortest_chains(1, [9], graph(*reversed(edges))) == {9: (1, 3, 6, 9)}


def test_the_seeker_as_a_candidate_is_zero_links_away():
    ranked = rank(1, [Candidate(1, 0.0), Candidate(2, 1.0)], graph((1, 2)))
    assert [(r.id, r.hops, r.chain) for r in ranked] == [(1, 0, (1,)), (2, 1, (1, 2))]


def test_no_links_at_all_ranks_by_distance_then_quantity_then_id():
    candidates = [
        Candidate(4, 12.0, quantity=1),
        Candidate(3, 5.0, quantity=1),
        Candidate(2, 5.0, quantity=7),
        Candidate(5, 5.0, quantity=7),
    ]
    ranked = rank(1, candidates, {})
    assert [r.id for r in ranked] == [2, 5, 3, 4]
    assert all(r.hops is None and r.chain == () and not r.reachable for r in ranked)


def test_unreachable_candidates_come_after_every_reachable_one():
    candidates = [Candidate(9, 0.5), Candidate(4, 80.0), Candidate(3, 40.0)]
    ranked = rank(1, candidates, graph((1, 2), (2, 3), (3, 4)))
    # 9 is the nearest, but nobody the seeker knows knows it.
    assert [(r.id, r.hops) for r in ranked] == [(3, 2), (4, 3), (9, None)]


def test_chain_length_comes_before_distance():
    candidates = [Candidate(3, 1.0), Candidate(2, 90.0)]
    ranked = rank(1, candidates, graph((1, 2), (2, 3)))
    assert [r.id for r in ranked] == [2, 3]
    assert ranked[1].intermediaries == (2,)


def test_without_a_seeker_distance_decides():
    ranked = rank(None, [Candidate(2, 9.0), Candidate(3, 1.0)], graph((1, 2)))
    assert [r.id for r in ranked] == [3, 2]


def test_limit_keeps_the_first():
    ranked = rank(1, [Candidate(i, float(i)) for i in range(2, 30)], {}, limit=5)
    assert [r.id for r in ranked] == [2, 3, 4, 5, 6]


def test_the_graph_is_read_only_around_the_seeker_and_the_candidates():
    """Meet in the middle: the seeker's 2 levels, then the candidates restricted to level 2;
    never a node beyond."""
    edges = [(1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (10, 4)]
    full = lookup_from_edges(edges)
    asked: list[tuple[frozenset, frozenset | None]] = []

    def spy(ids, within=None):
        asked.append((frozenset(ids), None if within is None else frozenset(within)))
        return full(ids, within)

    assert shortest_chains(1, [4, 10], spy) == {4: (1, 2, 3, 4)}
    assert asked == [
        (frozenset({1}), None),
        (frozenset({2}), None),
        (frozenset({4, 10}), frozenset({3})),
    ]


def test_a_lookup_returning_more_than_asked_is_filtered():
    def sloppy(ids, within=None):
        return {1: {2, 1}, 2: {1, 3, 2}, 3: {2, 4}, 4: {3}}

    assert shortest_chains(1, [4], sloppy) == {4: (1, 2, 3, 4)}


# --- property tests against a brute-force search -------------------------------------


def brute_force_chains(adjacency: dict[int, set[int]], seeker: int, targets) -> dict:
    """Every walk of at most MAX_HOPS links from the seeker; for each target the shortest,
    smallest in lexicographic order."""
    best: dict[int, tuple[int, ...]] = {seeker: (seeker,)}
    walks = [(seeker,)]
    for _ in range(MAX_HOPS):
        walks = [(*w, n) for w in walks for n in sorted(adjacency.get(w[-1], ())) if n not in w]
        for walk in sorted(walks):
            end = walk[-1]
            if end not in best or len(walk) < len(best[end]):
                best[end] = walk
    return {t: best[t] for t in targets if t in best}


edges_strategy = st.lists(
    st.tuples(st.integers(0, 14), st.integers(0, 14)).filter(lambda e: e[0] != e[1]),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(
    edges=edges_strategy,
    seeker=st.integers(0, 14),
    targets=st.sets(st.integers(0, 14), max_size=15),
)
def test_meet_in_the_middle_agrees_with_brute_force(edges, seeker, targets):
    adjacency: dict[int, set[int]] = {}
    for a, b in edges:
        adjacency.setdefault(a, set()).add(b)
        adjacency.setdefault(b, set()).add(a)
    expected = brute_force_chains(adjacency, seeker, targets)
    assert shortest_chains(seeker, targets, lookup_from_adjacency(adjacency)) == expected


@settings(max_examples=200, deadline=None)
@given(
    edges=edges_strategy,
    seeker=st.integers(0, 14),
    candidates=st.lists(
        st.tuples(st.integers(0, 14), st.integers(0, 50), st.integers(1, 5)),
        unique_by=lambda c: c[0],
        max_size=15,
    ),
)
def test_ranking_is_by_hops_then_distance_then_quantity_then_id(edges, seeker, candidates):
    adjacency: dict[int, set[int]] = {}
    for a, b in edges:
        adjacency.setdefault(a, set()).add(b)
        adjacency.setdefault(b, set()).add(a)
    ranked = rank(seeker, [Candidate(i, float(d), q) for i, d, q in candidates], adjacency)
    assert sorted(r.id for r in ranked) == sorted(c[0] for c in candidates)
    keys = [
        (MAX_HOPS + 1 if r.hops is None else r.hops, r.distance_km, -r.quantity, r.id)
        for r in ranked
    ]
    assert keys == sorted(keys)
    for r in ranked:
        if r.chain:
            assert r.chain[0] == seeker and r.chain[-1] == r.id
            assert all(b in adjacency.get(a, ()) for a, b in itertools.pairwise(r.chain))


@settings(max_examples=200, deadline=None)
@given(
    edges=edges_strategy,
    seeker=st.integers(0, 14),
    candidates=st.lists(
        st.tuples(st.integers(0, 14), st.integers(0, 50), st.integers(1, 5)),
        unique_by=lambda c: c[0],
        max_size=15,
    ),
    limit=st.integers(1, 6),
)
def test_a_limit_gives_the_first_rows_of_the_full_ranking(edges, seeker, candidates, limit):
    """Skipping the third level once `limit` candidates are within two links changes
    nothing in what is shown."""
    adjacency: dict[int, set[int]] = {}
    for a, b in edges:
        adjacency.setdefault(a, set()).add(b)
        adjacency.setdefault(b, set()).add(a)
    pool = [Candidate(i, float(d), q) for i, d, q in candidates]
    assert rank(seeker, pool, adjacency, limit=limit) == rank(seeker, pool, adjacency)[:limit]


def test_the_third_level_is_not_read_when_enough_are_within_two_links():
    full = lookup_from_edges([(1, 2), (2, 3), (2, 4), (3, 9)])
    asked = []

    def spy(ids, within=None):
        asked.append(frozenset(ids))
        return full(ids, within)

    ranked = rank(1, [Candidate(3, 5.0), Candidate(4, 6.0), Candidate(9, 0.1)], spy, limit=2)
    assert [(r.id, r.hops) for r in ranked] == [(3, 2), (4, 2)]
    assert asked == [frozenset({1}), frozenset({2})]

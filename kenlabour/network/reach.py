"""Who could help: rank the actors who have a resource by how close they are to a seeker
in the acquaintance graph, then by distance on the ground.

Pure module (no Django): the graph is read through a neighbour-lookup callable, so the
selector fetches only the few neighbourhoods it needs from the database, and the tests and
the benchmark can hand it a plain dictionary.

A chain is the list of actor ids from the seeker to a candidate: ``[seeker, candidate]``
when they know each other directly (1 hop), ``[seeker, m, candidate]`` through one person
(2 hops), ``[seeker, m1, m2, candidate]`` through two (3 hops). Beyond 3 hops a candidate
is "unreachable" and ranked after every reachable one.

Meet in the middle: a breadth-first search from the seeker for 2 levels (its acquaintances
and theirs), then one level from the candidates, restricted to the seeker's second level.
A national graph (2,000,000 links) is never loaded: three small neighbourhood lookups.

When several chains are equally short, the one chosen is the smallest in lexicographic
order of its ids, read from the seeker: the same answer every time, whatever the order in
which the lookups return their rows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

MAX_HOPS = 3

# neighbours(ids, within) -> {id: ids of its neighbours}. `within`, when not None, is a hint:
# only neighbours in that set are needed (a lookup may return more; they are ignored).
NeighbourLookup = Callable[[Collection[int], Collection[int] | None], Mapping[int, Iterable[int]]]


@dataclass(frozen=True)
class Candidate:
    """An actor who has the resource: its id, distance from the place asked about (km) and
    how many of the resource it has."""

    id: int
    distance_km: float
    quantity: int = 1


@dataclass(frozen=True)
class Reach:
    """A ranked candidate. `hops` is None when unreachable within MAX_HOPS (then `chain` is
    empty); 0 when the candidate is the seeker itself."""

    id: int
    distance_km: float
    quantity: int
    hops: int | None
    chain: tuple[int, ...]

    @property
    def reachable(self) -> bool:
        return self.hops is not None

    @property
    def intermediaries(self) -> tuple[int, ...]:
        """The people or groups between the seeker and the candidate."""
        return self.chain[1:-1]


def lookup_from_adjacency(adjacency: Mapping[int, Iterable[int]]) -> NeighbourLookup:
    """A neighbour lookup over an in-memory adjacency (symmetric or not: each edge is read
    in both directions)."""
    symmetric: dict[int, set[int]] = {}
    for node, neighbours in adjacency.items():
        for other in neighbours:
            if other == node:
                continue
            symmetric.setdefault(node, set()).add(other)
            symmetric.setdefault(other, set()).add(node)

    def neighbours(ids: Collection[int], within: Collection[int] | None = None):
        return {node: symmetric.get(node, set()) for node in ids}

    return neighbours


def lookup_from_edges(edges: Iterable[tuple[int, int]]) -> NeighbourLookup:
    """A neighbour lookup over a list of (a, b) pairs."""
    adjacency: dict[int, set[int]] = {}
    for a, b in edges:
        adjacency.setdefault(a, set()).add(b)
    return lookup_from_adjacency(adjacency)


def _as_lookup(graph: NeighbourLookup | Mapping[int, Iterable[int]]) -> NeighbourLookup:
    if callable(graph):
        return graph
    return lookup_from_adjacency(graph)


def _expand(
    lookup: NeighbourLookup, ids: Collection[int], within: Collection[int] | None = None
) -> dict[int, set[int]]:
    """Neighbours of `ids` (restricted to `within` when given), without self-loops."""
    if not ids:
        return {}
    found = lookup(ids, within)
    result: dict[int, set[int]] = {}
    for node in ids:
        others = {other for other in found.get(node, ()) if other != node}
        if within is not None:
            others &= within if isinstance(within, set | frozenset) else set(within)
        result[node] = others
    return result


def shortest_chains(
    seeker: int,
    targets: Iterable[int],
    graph: NeighbourLookup | Mapping[int, Iterable[int]],
    *,
    enough: int | None = None,
) -> dict[int, tuple[int, ...]]:
    """The shortest chain (at most MAX_HOPS links) from `seeker` to each target that can be
    reached, as a tuple of ids starting with the seeker and ending with the target.
    Unreachable targets are absent from the result.

    With `enough`, the search stops before the third level once that many targets are
    reached within two links: whoever is three links away would rank after them."""
    lookup = _as_lookup(graph)
    targets = set(targets)
    chains: dict[int, tuple[int, ...]] = {}
    if seeker in targets:
        chains[seeker] = (seeker,)
    remaining = targets - {seeker}
    if not remaining:
        return chains

    # Level 1: the seeker's acquaintances.
    level1 = _expand(lookup, [seeker]).get(seeker, set())
    level1.discard(seeker)
    for target in remaining & level1:
        chains[target] = (seeker, target)
    remaining -= level1
    if not remaining or not level1:
        return chains

    # Level 2: their acquaintances, each with its smallest level-1 parent.
    parent2: dict[int, int] = {}
    for middle, others in _expand(lookup, level1).items():
        for other in others:
            if other == seeker or other in level1:
                continue
            if other not in parent2 or middle < parent2[other]:
                parent2[other] = middle
    for target in remaining & parent2.keys():
        chains[target] = (seeker, parent2[target], target)
    remaining -= parent2.keys()
    if not remaining or not parent2 or (enough is not None and len(chains) >= enough):
        return chains

    # Meet in the middle: the targets left, one level out, met at the seeker's level 2.
    level2 = set(parent2)
    for target, others in _expand(lookup, remaining, level2).items():
        best: tuple[int, int] | None = None
        for middle in others:
            if middle in parent2:
                step = (parent2[middle], middle)
                if best is None or step < best:
                    best = step
        if best is not None:
            chains[target] = (seeker, *best, target)
    return chains


def rank(
    seeker: int | None,
    candidates: Iterable[Candidate],
    graph: NeighbourLookup | Mapping[int, Iterable[int]] | None,
    *,
    limit: int | None = None,
) -> list[Reach]:
    """The candidates ranked: by length of the shortest chain of acquaintances from the
    seeker (unreachable last), then by distance, then by quantity (most first), then by id.
    Without a seeker (or a graph), every candidate is unreachable and distance decides.

    With a `limit`, only the first `limit` are returned, and the third level of the graph
    is not read when `limit` candidates are already within two links."""
    candidates = list(candidates)
    chains: dict[int, tuple[int, ...]] = {}
    if seeker is not None and graph is not None:
        chains = shortest_chains(seeker, (c.id for c in candidates), graph, enough=limit)
    ranked = []
    for candidate in candidates:
        chain = chains.get(candidate.id, ())
        ranked.append(
            Reach(
                id=candidate.id,
                distance_km=candidate.distance_km,
                quantity=candidate.quantity,
                hops=len(chain) - 1 if chain else None,
                chain=chain,
            )
        )
    ranked.sort(
        key=lambda r: (
            MAX_HOPS + 1 if r.hops is None else r.hops,
            r.distance_km,
            -r.quantity,
            r.id,
        )
    )
    return ranked if limit is None else ranked[:limit]

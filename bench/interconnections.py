"""Interconnections of experiments: quality on the labelled set, speed among 50,000.

Run: .venv/bin/python bench/interconnections.py [--experiments 50000] [--queries 300]

1. recall@5 on the labelled set (kenlabour/lab/tests/data/interconnections.json):
   directional, each known pair (a, b) counts twice (b in a's top 5; a in b's top 5).
2. Suggestions for one experiment among N synthetic experiments, generated
   deterministically from the labelled set's vocabulary (sentences, publics, partners,
   themes) plus synthetic territories and local partners:
   * with the index (built once; each query is one sparse product + argpartition);
   * beside brute force: the same answer without a precomputed index, every experiment
     analysed and vectorised again for the query (a few queries only: it is slow).
The last line is one JSON object with the figures. No database needed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kenlabour.lab.similarity import (  # noqa: E402
    Document,
    SimilarityIndex,
    brute_force_related,
    recall_at_k,
)

DATA = ROOT / "kenlabour" / "lab" / "tests" / "data" / "interconnections.json"
SEED = 2026


def labelled_documents() -> tuple[list[Document], list[tuple[int, int]], dict]:
    data = json.loads(DATA.read_text())
    keys = {e["slug"]: n for n, e in enumerate(data["experiments"], start=1)}
    documents = [
        Document(
            key=keys[e["slug"]],
            text=" ".join((e["title"], e["problem"], e["reframed"])),
            publics=frozenset(e["publics"]),
            territories=frozenset(e["territories"]),
            partners=frozenset(e["partners"]),
            themes=frozenset(e["themes"]),
        )
        for e in data["experiments"]
    ]
    pairs = [(keys[a], keys[b]) for a, b in data["pairs"]]
    return documents, pairs, data


def synthetic_documents(count: int, data: dict) -> list[Document]:
    """`count` experiments made of the labelled set's sentences and labels: each starts
    from one labelled experiment and borrows a sentence and labels from others."""
    rng = random.Random(SEED)  # noqa: S311 - deterministic data, not secrets
    experiments = data["experiments"]
    sentences = [
        s.strip()
        for e in experiments
        for field in ("problem", "reframed")
        for s in re.split(r"(?<=[.?;:])\s+", e[field])
        if s.strip()
    ]
    publics = sorted({p for e in experiments for p in e["publics"]})
    partners = sorted({p for e in experiments for p in e["partners"]})
    territories = [f"Territoire {n:03d}" for n in range(300)]
    documents = []
    for key in range(1, count + 1):
        base = rng.choice(experiments)
        text = " ".join(
            [base["title"], base["problem"], rng.choice(sentences), rng.choice(sentences)]
        )
        documents.append(
            Document(
                key=key,
                text=text,
                publics=frozenset([*base["publics"][:1], rng.choice(publics)]),
                territories=frozenset([rng.choice(territories)]),
                partners=frozenset(
                    [
                        rng.choice(base["partners"]),
                        rng.choice(partners),
                        f"Partenaire local {rng.randrange(5000)}",
                    ]
                ),
                themes=frozenset(rng.sample(base["themes"], 1)),
            )
        )
    return documents


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--brute-queries", type=int, default=3)
    args = parser.parse_args()

    documents, pairs, data = labelled_documents()
    recall, hits, directions = recall_at_k(SimilarityIndex(documents), pairs, k=5)
    print(
        f"Labelled set: {len(documents)} experiments, {len(pairs)} related pairs, "
        f"recall@5 = {recall:.3f} ({hits}/{directions} directions)"
    )

    synthetic = synthetic_documents(args.experiments, data)
    started = time.perf_counter()
    index = SimilarityIndex(synthetic)
    build_s = time.perf_counter() - started
    print(
        f"Index of {len(index)} synthetic experiments built in {build_s:.1f} s "
        f"({index.matrix.shape[1]} features, {index.matrix.nnz} non-zeros)"
    )

    rng = random.Random(SEED + 1)  # noqa: S311
    queries = [rng.randrange(1, args.experiments + 1) for _ in range(args.queries)]
    index.related(queries[0], 5)  # warm-up (stemmer cache, page faults)
    timings = []
    for key in queries:
        started = time.perf_counter()
        suggestions = index.related(key, 5)
        timings.append((time.perf_counter() - started) * 1000)
    p50 = statistics.median(timings)
    p95 = percentile(timings, 0.95)
    print(f"With the index: {len(queries)} queries, p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    print(f"  e.g. experiment {queries[-1]}: {suggestions[0].reason()}")

    brute = []
    agree = True
    for key in queries[: args.brute_queries]:
        started = time.perf_counter()
        answer = brute_force_related(synthetic, key, 5)
        brute.append((time.perf_counter() - started) * 1000)
        agree &= [s.key for s in answer] == [s.key for s in index.related(key, 5)]
    brute_p95 = percentile(brute, 0.95)
    print(
        f"Brute force (re-vectorising all {args.experiments} experiments per query, "
        f"{len(brute)} queries): median {statistics.median(brute):.0f} ms, "
        f"p95 {brute_p95:.0f} ms; same answers as the index: {agree}"
    )
    print(f"Speed-up of the index over brute force: ×{brute_p95 / p95:.0f} (p95)")
    print(
        json.dumps(
            {
                "recall_at_5": round(recall, 4),
                "labelled_experiments": len(documents),
                "labelled_pairs": len(pairs),
                "experiments": args.experiments,
                "queries": len(queries),
                "build_s": round(build_s, 2),
                "p50_ms": round(p50, 3),
                "p95_ms": round(p95, 3),
                "brute_force_queries": len(brute),
                "brute_force_p95_ms": round(brute_p95, 1),
                "brute_force_same_answers": agree,
                "speedup_p95": round(brute_p95 / p95, 1),
            }
        )
    )


if __name__ == "__main__":
    main()

"""Interconnections of experiments: quality on two labelled sets, speed among 50,000.

Run: .venv/bin/python bench/interconnections.py [--experiments 50000] [--queries 300]

1. On each labelled set, suggestions as a page shows them (the top 5 reaching the
   threshold):
   * tuning (kenlabour/lab/tests/data/interconnections.json), the set the weights and the
     threshold were chosen on;
   * unseen (kenlabour/lab/tests/data/interconnections_unseen.json), written apart in
     another style and never used to tune anything;
   recall@5 is directional: each known pair (a, b) counts twice, forward (b in a's top 5)
   and backward (a in b's top 5), both reported; recall without the threshold is shown
   beside it. precision_controls is the share of the controls (experiments nothing else
   in their set is about) that get no suggestion at all.
2. Suggestions for one experiment among N synthetic experiments, generated
   deterministically from the labelled sets' vocabulary (sentences, publics, partners,
   themes) plus synthetic territories and local partners; their lemmas are those of their
   pieces (each sentence lemmatised once), as the site keeps them cached:
   * with the index (built once; each query is one sparse product, one dense product of
     n × 300 and argpartition, plus the reasons of the five kept);
   * beside brute force: the same answer without a precomputed index, every experiment
     vectorised again for the query (a few queries only: it is slow).
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
    DEFAULT_THRESHOLD,
    Document,
    SimilarityIndex,
    brute_force_related,
    content_lemmas,
    content_verbs,
    evaluate,
    word_vectors,
)

DATA = ROOT / "kenlabour" / "lab" / "tests" / "data"
SETS = {"tuning": DATA / "interconnections.json", "unseen": DATA / "interconnections_unseen.json"}
SEED = 2026


def labelled_documents(
    path: Path = SETS["tuning"],
) -> tuple[list[Document], list[tuple[int, int]], list[int], dict]:
    """A labelled set as documents, its related pairs and its controls, by key."""
    data = json.loads(path.read_text())
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
    controls = [keys[slug] for slug in data.get("controls", [])]
    return documents, pairs, controls, data


def quality(path: Path) -> dict:
    documents, pairs, controls, _data = labelled_documents(path)
    index = SimilarityIndex(documents)
    shown = evaluate(index, pairs, controls)
    unthresholded = evaluate(index, pairs, controls, threshold=0)
    return {
        "experiments": len(documents),
        "pairs": len(pairs),
        "controls": len(controls),
        "recall": shown.recall,
        "forward": shown.forward,
        "backward": shown.backward,
        "hits": shown.hits,
        "directions": shown.directions,
        "recall_without_threshold": unthresholded.recall,
        "controls_without_suggestion": shown.controls_without_suggestion,
        "precision_shown": shown.precision_shown,
    }


def synthetic_documents(count: int, data: dict) -> list[Document]:
    """`count` experiments made of the labelled sets' sentences and labels: each starts
    from one labelled experiment and borrows a sentence and labels from others. Their
    lemmas are those of their pieces, each piece lemmatised once."""
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
    themes = sorted({t for e in experiments for t in e["themes"]})
    territories = [f"Territoire {n:03d}" for n in range(300)]
    pieces = sorted(
        {e["title"] for e in experiments}
        | {e["problem"] for e in experiments}
        | set(sentences)
        | set(publics)
        | set(themes)
    )
    lemmas = dict(zip(pieces, content_lemmas(pieces), strict=True))
    verbs = dict(zip(pieces, content_verbs(pieces), strict=True))
    documents = []
    for key in range(1, count + 1):
        base = rng.choice(experiments)
        parts = [base["title"], base["problem"], rng.choice(sentences), rng.choice(sentences)]
        chosen_publics = frozenset([*base["publics"][:1], rng.choice(publics)])
        chosen_themes = frozenset(rng.sample(base["themes"], 1))
        documents.append(
            Document(
                key=key,
                text=" ".join(parts),
                publics=chosen_publics,
                territories=frozenset([rng.choice(territories)]),
                partners=frozenset(
                    [
                        rng.choice(base["partners"]),
                        rng.choice(partners),
                        f"Partenaire local {rng.randrange(5000)}",
                    ]
                ),
                themes=chosen_themes,
                lemmas=tuple(
                    lemma
                    for piece in [*parts, *sorted(chosen_publics), *sorted(chosen_themes)]
                    for lemma in lemmas[piece]
                ),
                verbs=frozenset().union(*(verbs[piece] for piece in parts)),
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

    started = time.perf_counter()
    figures = {name: quality(path) for name, path in SETS.items()}
    quality_s = time.perf_counter() - started
    print(f"Threshold {DEFAULT_THRESHOLD} (calibrated on the tuning set only)")
    for name, f in figures.items():
        print(
            f"{name}: {f['experiments']} experiments, {f['pairs']} related pairs, "
            f"{f['controls']} controls; recall@5 = {f['recall']:.3f} "
            f"({f['hits']}/{f['directions']} directions; forward {f['forward']:.3f}, "
            f"backward {f['backward']:.3f}; without threshold "
            f"{f['recall_without_threshold']:.3f}); suggestions shown that are related "
            f"{f['precision_shown']:.3f}"
            + (
                f"; controls without any suggestion {f['controls_without_suggestion']}"
                f"/{f['controls']}"
                if f["controls"]
                else ""
            )
        )
    controls = sum(f["controls"] for f in figures.values())
    quiet = sum(f["controls_without_suggestion"] for f in figures.values())
    precision_controls = quiet / controls if controls else 1.0
    print(f"Precision on controls (share with no suggestion): {precision_controls:.3f}")

    data = {"experiments": []}
    for path in SETS.values():
        data["experiments"] += json.loads(path.read_text())["experiments"]
    synthetic = synthetic_documents(args.experiments, data)
    vectors = word_vectors(sorted({lemma for d in synthetic for lemma in d.lemmas}))
    started = time.perf_counter()
    index = SimilarityIndex(synthetic, vectors=vectors)
    build_s = time.perf_counter() - started
    print(
        f"Index of {len(index)} synthetic experiments built in {build_s:.1f} s "
        f"({index.matrix.shape[1]} features, {index.matrix.nnz} non-zeros, "
        f"meaning vectors {len(index)} × 300)"
    )

    rng = random.Random(SEED + 1)  # noqa: S311
    queries = [rng.randrange(1, args.experiments + 1) for _ in range(args.queries)]
    index.related(queries[0], 5)  # warm-up (stemmer cache, page faults)
    timings = []
    answered = 0
    for key in queries:
        started = time.perf_counter()
        suggestions = index.related(key, 5)
        timings.append((time.perf_counter() - started) * 1000)
        answered += bool(suggestions)
    p50 = statistics.median(timings)
    p95 = percentile(timings, 0.95)
    print(
        f"With the index: {len(queries)} queries, p50 {p50:.2f} ms, p95 {p95:.2f} ms "
        f"({answered} with at least one suggestion)"
    )
    example = next((s for s in index.related(queries[-1], 5)), None)
    if example is not None:
        print(f"  e.g. experiment {queries[-1]}: {example.reason()}")

    brute = []
    agree = True
    for key in queries[: args.brute_queries]:
        started = time.perf_counter()
        answer = brute_force_related(synthetic, key, 5, vectors=vectors)
        brute.append((time.perf_counter() - started) * 1000)
        agree &= [s.key for s in answer] == [s.key for s in index.related(key, 5)]
    brute_p95 = percentile(brute, 0.95) if brute else 0.0
    if brute:
        print(
            f"Brute force (re-vectorising all {args.experiments} experiments per query, "
            f"{len(brute)} queries): median {statistics.median(brute):.0f} ms, "
            f"p95 {brute_p95:.0f} ms; same answers as the index: {agree}"
        )
        print(f"Speed-up of the index over brute force: ×{brute_p95 / p95:.0f} (p95)")
    result = {f"recall_at_5_{name}": round(f["recall"], 4) for name, f in figures.items()}
    for name, f in figures.items():
        result[f"recall_at_5_{name}_forward"] = round(f["forward"], 4)
        result[f"recall_at_5_{name}_backward"] = round(f["backward"], 4)
        result[f"recall_at_5_{name}_without_threshold"] = round(f["recall_without_threshold"], 4)
        result[f"precision_shown_{name}"] = round(f["precision_shown"], 4)
    result.update(
        {
            "precision_controls": round(precision_controls, 4),
            "controls": controls,
            "threshold": DEFAULT_THRESHOLD,
            "quality_s": round(quality_s, 2),
            "experiments": args.experiments,
            "queries": len(queries),
            "build_s": round(build_s, 2),
            "p50_ms": round(p50, 3),
            "p95_ms": round(p95, 3),
            "brute_force_queries": len(brute),
            "brute_force_p95_ms": round(brute_p95, 1),
            "brute_force_same_answers": agree,
            "speedup_p95": round(brute_p95 / p95, 1) if brute else None,
        }
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()

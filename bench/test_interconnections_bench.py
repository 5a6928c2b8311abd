"""The interconnections bench runs, tiny, and ends with its JSON line."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent / "interconnections.py"
TINY = ("--experiments", "400", "--queries", "20", "--brute-queries", "1")
KEYS = (
    "recall_at_5_tuning",
    "recall_at_5_unseen",
    "recall_at_5_tuning_forward",
    "recall_at_5_tuning_backward",
    "recall_at_5_unseen_forward",
    "recall_at_5_unseen_backward",
    "precision_controls",
    "threshold",
    "experiments",
    "p95_ms",
    "brute_force_same_answers",
)


def test_the_bench_runs_tiny_and_its_last_line_is_json():
    out = subprocess.run(
        [sys.executable, str(BENCH), *TINY],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(KEYS) <= set(figures)
    assert figures["experiments"] == 400
    assert figures["brute_force_same_answers"] is True
    for key in KEYS:
        if key.startswith(("recall", "precision")):
            assert 0 <= figures[key] <= 1

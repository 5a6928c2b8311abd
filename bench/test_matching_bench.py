"""The national matching bench runs, tiny, and ends with its JSON line."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent / "matching.py"
KEYS = (
    "needs",
    "producers",
    "arcs",
    "units",
    "greedy_units",
    "weighted_units",
    "greedy_weighted_units",
    "km",
    "greedy_km",
    "bound_km",
    "bound_kind",
    "bound_exact",
    "within_1pct_of_bound",
    "seconds",
    "greedy_seconds",
    "peak_gib",
    "assignments_valid",
)


def test_the_bench_runs_tiny_and_its_last_line_is_json():
    completed = subprocess.run(
        [sys.executable, str(BENCH), "--needs", "2000", "--producers", "400", "--seed", "7"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = completed.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    for key in KEYS:
        assert key in figures, key
    assert figures["needs"] == 2000 and figures["producers"] == 400
    assert figures["arcs"] > 0
    assert figures["assignments_valid"] is True
    assert figures["units"] >= figures["greedy_units"] > 0
    assert figures["weighted_units"] >= figures["greedy_weighted_units"]
    assert figures["bound_kind"] == "lp"
    # The bound is a lower bound (the flow's costs are whole metres: allow 1 m a unit)...
    assert figures["km"] >= figures["bound_km"] - 1e-3 * figures["units"] - 1e-6
    # ... and at this size the column generation reaches the LP's optimum, which the
    # optimal matching meets.
    assert figures["bound_exact"] is True
    assert figures["within_1pct_of_bound"] is True
    assert figures["seconds"] > 0 and figures["greedy_seconds"] > 0
    assert 0 < figures["peak_gib"] < 4
    assert any(line.startswith("km (total unit-km of the optimal matching)") for line in lines)

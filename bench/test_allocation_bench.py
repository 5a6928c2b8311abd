"""The allocation bench runs, small, and ends with its JSON line (no database needed)."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent / "allocation.py"


def test_the_bench_runs_small_and_its_last_line_is_json():
    completed = subprocess.run(
        [sys.executable, str(BENCH), "--claims", "3000", "--runs", "2", "--probes", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    assert figures["claims"] == 3000
    assert figures["exact"] is True
    assert figures["invariants_checked"] == [
        "complete",
        "integers",
        "within_caps",
        "total",
        "level",
        "proportional",
        "capped_at_cap",
        "deterministic",
        "monotone",
    ]
    # Oversubscribed ×2: the whole envelope is shared, some makers are held at their cap.
    assert figures["oversubscription"] >= 1.99
    assert figures["allocated_cents"] == figures["envelope_cents"] > 0
    assert figures["claimants_above_cap"] >= figures["capped"] > 0
    assert 0 < figures["level"] < 1
    assert figures["seconds"] > 0 and figures["median_seconds"] >= figures["seconds"]
    assert figures["fractions_same_shares"] is True


def test_without_the_probes_the_result_is_not_called_exact():
    completed = subprocess.run(
        [sys.executable, str(BENCH), "--claims", "500", "--runs", "1", "--probes", "0",
         "--no-fractions"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    assert figures["exact"] is False
    assert "monotone" not in figures["invariants_checked"]

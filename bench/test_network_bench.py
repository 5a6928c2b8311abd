"""The national network bench runs, tiny, and ends with its JSON line."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

BENCH = Path(__file__).parent / "network.py"
SERVER = "postgres://postgres@127.0.0.1:5432/"


# A database of the bench's own, one per test process so that two runs never share it.
NAME = f"kenlabour_tiny_{os.getpid()}_bench"


def bench_server_url() -> str:
    """The bench's database on the PostgreSQL server of DATABASE_URL (or the local one):
    never the test database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = SERVER + "kenlabour"
    return urlunsplit(urlsplit(url)._replace(path=f"/{NAME}"))


def postgresql_reachable(url: str) -> str:
    try:
        import psycopg

        parts = urlsplit(url)
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), connect_timeout=3):
            return ""
    except Exception as error:  # any failure means: no server to run the bench on
        return str(error).strip().splitlines()[0] if str(error).strip() else repr(error)


def test_the_bench_runs_tiny_and_its_last_line_is_json():
    url = bench_server_url()
    problem = postgresql_reachable(url)
    if problem:
        pytest.skip(f"PostgreSQL is unreachable at {urlsplit(url).netloc}: {problem}")
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    completed = subprocess.run(
        [sys.executable, str(BENCH), "--actors", "2000", "--links", "10000", "--queries", "10"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    assert figures["actors"] == 2000 and figures["links"] == 10000
    assert figures["actors_rows"] == 2000 and figures["links_rows"] == 10000
    for key in ("search_p95_ms", "map_p95_ms", "help_p95_ms"):
        assert figures[key] > 0
    for key in ("search_baseline_pk_p95_ms", "map_baseline_pk_p95_ms", "help_baseline_pk_p95_ms"):
        assert figures[key] > 0
    # The bench dropped its database.
    import psycopg

    with psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres"))) as conn:
        names = [row[0] for row in conn.execute("SELECT datname FROM pg_database")]
    assert NAME not in names

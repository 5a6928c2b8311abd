"""Settings come from the environment; production mode passes `check --deploy`; bad
configuration stops with a French message, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kenlabour import config
from kenlabour.web.themes import THEMES, contrast_failures, contrast_ratio, with_overrides

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "-production-secret-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "kenlabour.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def manage(*args, **env):
    unset = {"DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_passes_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "url", ["n'importe quoi", "mysql://root@localhost/kenlabour", "postgres://127.0.0.1:5432"]
)
def test_a_malformed_database_url_gets_a_clear_message_and_no_traceback(url):
    result = manage("check", **{**PRODUCTION, "DATABASE_URL": url})
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    assert "Erreur de configuration" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_database_url_selects_postgresql():
    db = config.database_from_url("postgres://postgres@127.0.0.1:5432/kenlabour")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["NAME"] == "kenlabour"


def test_sqlite_runs_in_wal_mode(tmp_path):
    db = config.sqlite(tmp_path / "db.sqlite3")
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


@pytest.mark.parametrize("name", sorted(THEMES))
def test_every_theme_meets_wcag_aa_contrast(name):
    assert contrast_failures(THEMES[name]) == []


def test_a_theme_override_with_poor_contrast_is_caught():
    theme = with_overrides(THEMES["kenlabour"], {"muted": "#aaaaaa"})
    assert any(failure.startswith("muted/background") for failure in contrast_failures(theme))


def test_contrast_ratio_matches_the_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_a_deployment_with_poor_contrast_fails_the_system_check():
    result = manage("check", **{**PRODUCTION, "PLATFORM_COLOURS": "primary=#9db6cc"})
    assert result.returncode != 0
    assert "Contraste insuffisant" in result.stderr


def test_production_static_files_collect_with_hashed_names(tmp_path):
    result = manage("collectstatic", "--noinput", **PRODUCTION, STATIC_ROOT=str(tmp_path))
    assert result.returncode == 0, result.stderr
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/htmx.org/htmx.min.js" in manifest
    assert list(tmp_path.glob("vendor/pico/pico.min.*.css.gz")), "compressed, versioned CSS"

"""Recovery: `manage.py backup` of the full demo, `manage.py restore` of it elsewhere, and
every table has the same number of rows and the ledger the same last hash. On SQLite the
copy goes to a new database file; on PostgreSQL to a second database."""

import io
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from kenlabour.web import backups

# A backup is made outside any transaction, as `manage.py backup` runs: SQLite's backup API
# cannot read a database its own connection is writing to.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def empty_database(tmp_path, django_db_blocker):
    """The URL of a new, empty database of the same kind as the tests' (dropped after)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restauree.sqlite3'}"
        return
    import psycopg

    params = connection.settings_dict
    name = f"{params['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    admin = {
        "host": params.get("HOST") or None,
        "port": params.get("PORT") or None,
        "user": params.get("USER") or None,
        "password": params.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as pg:
        pg.execute(f'CREATE DATABASE "{name}"')
    user = params.get("USER") or ""
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    yield f"postgres://{user}{password}@{host}:{port}/{name}"
    with psycopg.connect(**admin) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _media(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): backups.sha256_of(p) for p in root.rglob("*") if p.is_file()
    }


def test_the_demo_backed_up_and_restored_elsewhere_is_the_same(demo_site, empty_database, tmp_path):
    out = io.StringIO()
    call_command("backup", str(tmp_path / "sauvegardes"), stdout=out)
    archive = next((tmp_path / "sauvegardes").glob("kenlabour-*.tar.gz"))
    assert Path(f"{archive}.sha256").is_file()
    source_counts = backups.table_counts(connection)
    source_head = backups.ledger_head(connection)
    assert source_head and source_counts["funding_ledgerentry"] > 0
    assert source_counts["network_actor"] > 100  # the full demo, not a test's few rows
    restored_media = tmp_path / "media-restaure"

    call_command(
        "restore",
        str(archive),
        database_url=empty_database,
        media_root=str(restored_media),
        stdout=out,
    )

    target = backups.connection_for(empty_database)
    try:
        assert backups.table_counts(target) == source_counts
        assert backups.ledger_head(target) == source_head
        # Restored twice: the database is no longer empty, and nothing is written.
        with pytest.raises(CommandError, match="n'est pas vide"):
            call_command(
                "restore", str(archive), database_url=empty_database, media_root=str(tmp_path)
            )
        assert backups.table_counts(target) == source_counts
    finally:
        target.close()
    media = _media(Path(settings.MEDIA_ROOT))
    assert media, "the demo stores receipts and workshop files"
    assert _media(restored_media) == media
    assert "Restauration terminée" in out.getvalue()


def test_a_damaged_archive_is_refused_before_anything_is_restored(empty_database, tmp_path):
    archive = backups.create(tmp_path, media_root=tmp_path / "aucun-fichier")
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))

    with pytest.raises(CommandError, match="empreinte SHA-256"):
        call_command("restore", str(archive), database_url=empty_database, media_root=str(tmp_path))

    Path(f"{archive}.sha256").unlink()
    with pytest.raises(CommandError, match="fichier de contrôle"):
        call_command("restore", str(archive), database_url=empty_database, media_root=str(tmp_path))
    target = backups.connection_for(empty_database)
    try:
        assert not any(backups.table_counts(target).values())
    finally:
        target.close()

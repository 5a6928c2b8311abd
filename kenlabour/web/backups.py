"""Backups of the platform: the database and the uploaded files in one compressed,
checksummed archive, and their restoration into an empty database.

The archive (`.tar.gz`) holds:

- `database.sqlite3`, a consistent copy made by SQLite's online backup API while the
  platform runs, or `database.pgdump`, PostgreSQL's `pg_dump` custom format (one snapshot);
- `media/`, the uploaded files (workshop documents, receipts);
- `manifest.json`: the format, the database vendor, the date, the SHA-256 of every file of
  the archive, the row count of every table and the ledger's last hash.

Next to it, `<archive>.sha256` holds the archive's own SHA-256 (`sha256sum` format). A
restoration checks that checksum first, then each file's, refuses a database that holds any
row, restores, and compares every table's row count and the ledger's last hash with the
manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.db import connections
from django.db.utils import ConnectionHandler
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restoration that cannot go on; the message is for the operator."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def connection_for(url: str):
    """A database connection of its own for `url` (a DATABASE_URL)."""
    from kenlabour import config

    return ConnectionHandler({"default": config.database_from_url(url)})["default"]


def table_counts(connection) -> dict[str, int]:
    """Every table of the database and its number of rows."""
    tables = sorted(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def ledger_head(connection) -> str | None:
    """The hash of the ledger's last entry (None when the ledger is empty or absent)."""
    if "funding_ledgerentry" not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT hash FROM funding_ledgerentry ORDER BY position DESC LIMIT 1")
        row = cursor.fetchone()
    return row[0] if row else None


def _pg_env(settings_dict: dict) -> dict[str, str]:
    env = {**os.environ}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"L'outil {name} de PostgreSQL est introuvable : installez le paquet "
            "postgresql-client (de la même version que le serveur)."
        )
    return path


def _dump_database(connection, destination: Path) -> None:
    if connection.in_atomic_block:
        raise BackupError("Une sauvegarde se fait hors de toute transaction.")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(destination)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        result = subprocess.run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={destination}",
            ],
            env=_pg_env(connection.settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump a échoué : {result.stderr.strip()}")
    else:
        raise BackupError(f"Base de données non prise en charge : {connection.vendor}.")


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file())


def create(directory: Path, *, media_root: Path, alias: str = "default") -> Path:
    """Write a backup archive and its checksum file in `directory`; returns the archive."""
    connection = connections[alias]
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    archive = directory / f"kenlabour-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory() as work:
        database = Path(work) / DATABASE_FILES.get(connection.vendor, "database")
        # The database first: files it names were uploaded before its rows were written.
        _dump_database(connection, database)
        files = {database.name: sha256_of(database)}
        media = _media_files(media_root)
        for path in media:
            files["media/" + path.relative_to(media_root).as_posix()] = sha256_of(path)
        manifest = {
            "format": FORMAT,
            "vendor": connection.vendor,
            "created_at": timezone.now().isoformat(),
            "files": files,
            "tables": table_counts(connection),
            "ledger_head": ledger_head(connection),
        }
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            manifest_path = Path(work) / MANIFEST
            manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
            tar.add(manifest_path, arcname=MANIFEST)
            tar.add(database, arcname=database.name)
            for path in media:
                tar.add(path, arcname="media/" + path.relative_to(media_root).as_posix())
        partial.rename(archive)
    checksum = Path(f"{archive}.sha256")
    checksum.write_text(f"{sha256_of(archive)}  {archive.name}\n")
    return archive


def verify_checksum(archive: Path) -> None:
    checksum = Path(f"{archive}.sha256")
    if not archive.is_file():
        raise BackupError(f"L'archive {archive} est introuvable.")
    if not checksum.is_file():
        raise BackupError(
            f"Le fichier de contrôle {checksum.name} manque à côté de l'archive : "
            "rien n'a été restauré."
        )
    expected = checksum.read_text().split()[0] if checksum.read_text().split() else ""
    if sha256_of(archive) != expected:
        raise BackupError(
            "L'archive ne correspond pas à son empreinte SHA-256 (fichier abîmé ou "
            "incomplet) : rien n'a été restauré."
        )


def _extract(archive: Path, work: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(work, filter="data")
    manifest_path = work / MANIFEST
    if not manifest_path.is_file():
        raise BackupError("L'archive n'a pas de manifeste : ce n'est pas une sauvegarde Kenlabour.")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Format de sauvegarde inconnu : {manifest.get('format')}.")
    for name, digest in manifest["files"].items():
        path = work / name
        if not path.is_file() or sha256_of(path) != digest:
            raise BackupError(f"Le fichier {name} de l'archive est abîmé : rien n'a été restauré.")
    return manifest


def _refuse_unless_empty(connection) -> None:
    filled = {table: n for table, n in table_counts(connection).items() if n}
    if filled:
        raise BackupError(
            f"La base de données cible n'est pas vide ({len(filled)} tables ont des lignes, "
            f"par exemple {sorted(filled)[0]}) : la restauration se fait dans une base neuve, "
            "sans migration. Rien n'a été restauré."
        )


def _restore_database(connection, source: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        origin = sqlite3.connect(source)
        try:
            origin.backup(connection.connection)
        finally:
            origin.close()
    else:
        result = subprocess.run(
            [
                _pg_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--clean",
                "--if-exists",
                "--exit-on-error",
                f"--dbname={connection.settings_dict['NAME']}",
                str(source),
            ],
            env=_pg_env(connection.settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore a échoué : {result.stderr.strip()}")


def restore(archive: Path, *, connection, media_root: Path) -> dict:
    """Restore `archive` into the empty database of `connection` and into `media_root`;
    returns the manifest once every table's row count and the ledger's head match it."""
    verify_checksum(archive)
    with tempfile.TemporaryDirectory() as work:
        manifest = _extract(archive, Path(work))
        if manifest["vendor"] != connection.vendor:
            raise BackupError(
                f"L'archive vient d'une base {manifest['vendor']} et la cible est une base "
                f"{connection.vendor} : restaurez-la dans une base du même type."
            )
        _refuse_unless_empty(connection)
        _restore_database(connection, Path(work) / DATABASE_FILES[manifest["vendor"]])
        media = Path(work) / "media"
        if media.is_dir():
            shutil.copytree(media, media_root, dirs_exist_ok=True)
    counts = table_counts(connection)
    different = sorted(table for table, n in manifest["tables"].items() if counts.get(table) != n)
    if different or ledger_head(connection) != manifest["ledger_head"]:
        raise BackupError(
            "La base restaurée ne correspond pas au manifeste "
            f"(tables différentes : {', '.join(different) or 'aucune'} ; registre)."
        )
    return manifest

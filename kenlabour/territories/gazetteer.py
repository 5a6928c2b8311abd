"""The shipped gazetteer files: their columns, and how to write and read them.

The files live in `kenlabour/territories/data/` as gzipped CSV (UTF-8, comma-separated,
one header line). `scripts/build_gazetteer.py` writes them; the data migration and the
`load_territories` command read them. No Django import here.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

REGIONS_FILE = "regions.csv.gz"
DEPARTEMENTS_FILE = "departements.csv.gz"
EPCIS_FILE = "epcis.csv.gz"
COMMUNES_FILE = "communes.csv.gz"

REGION_FIELDS = ("code", "name", "chef_lieu")
DEPARTEMENT_FIELDS = ("code", "name", "region", "chef_lieu")
EPCI_FIELDS = ("code", "name", "kind")
# `postcodes` is a space-separated list; `epci` and `parent` may be empty.
COMMUNE_FIELDS = (
    "code",
    "name",
    "kind",
    "departement",
    "epci",
    "parent",
    "population",
    "latitude",
    "longitude",
    "coordinates_source",
    "postcodes",
)

# Coordinates are stored rounded to 5 decimals (about 1 m), far below their precision.
COORDINATE_DECIMALS = 5


def write_table(path: Path, fields: tuple[str, ...], rows: Iterable[dict]) -> None:
    """Write rows as a gzipped CSV, byte-for-byte reproducible (no timestamp in the header),
    so that regenerating unchanged data leaves the committed files unchanged."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({field: row[field] for field in fields})
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(buffer.getvalue().encode("utf-8"))


def _read_table(path: Path, fields: tuple[str, ...]) -> Iterator[dict[str, str]]:
    with gzip.open(path, mode="rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(fields) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path.name}: missing columns {sorted(missing)}")
        yield from reader


def read_regions(data_dir: Path = DATA_DIR) -> list[dict]:
    return list(_read_table(data_dir / REGIONS_FILE, REGION_FIELDS))


def read_departements(data_dir: Path = DATA_DIR) -> list[dict]:
    return list(_read_table(data_dir / DEPARTEMENTS_FILE, DEPARTEMENT_FIELDS))


def read_epcis(data_dir: Path = DATA_DIR) -> list[dict]:
    return list(_read_table(data_dir / EPCIS_FILE, EPCI_FIELDS))


def read_communes(data_dir: Path = DATA_DIR) -> list[dict]:
    """Communes with typed values: `population` int, `latitude`/`longitude` float,
    `postcodes` a list, `epci` and `parent` None when empty."""
    communes = []
    for row in _read_table(data_dir / COMMUNES_FILE, COMMUNE_FIELDS):
        row["population"] = int(row["population"])
        row["latitude"] = float(row["latitude"])
        row["longitude"] = float(row["longitude"])
        row["postcodes"] = row["postcodes"].split()
        row["epci"] = row["epci"] or None
        row["parent"] = row["parent"] or None
        communes.append(row)
    return communes

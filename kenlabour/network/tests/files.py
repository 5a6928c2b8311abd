"""Spreadsheets for the import tests, made in the test with csv and openpyxl."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from kenlabour.network import columns
from kenlabour.network.validators import luhn_valid

HEADER = list(columns.COLUMNS)


def siret(seed: int) -> str:
    """A made-up SIRET with a valid key."""
    base = f"{seed:013d}"[-13:]
    return next(base + str(key) for key in range(10) if luhn_valid(base + str(key)))


def wrong_siret(seed: int) -> str:
    good = siret(seed)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def row(**cells) -> dict:
    """A row of the file: the columns named by their keys in columns.py."""
    return {column: cells.get(column, "") for column in HEADER}


def organisation(name: str, **cells) -> dict:
    return row(
        **{
            "nom": name,
            "type": "organisation",
            "type_organisation": "Fablab",
            "commune": "Quimper",
            **cells,
        }
    )


def collective(name: str, **cells) -> dict:
    return row(**{"nom": name, "type": "collectif", "commune": "Brest", **cells})


def place_less(name: str, area: str = "Finistère", **cells) -> dict:
    return row(
        **{"nom": name, "type": "collectif", "sans_lieu": "oui", "zone_action": area, **cells}
    )


def person(name: str, **cells) -> dict:
    return row(**{"nom": name, "type": "personne", "commune": "Rennes", **cells})


def csv_bytes(rows, *, delimiter=";", encoding="utf-8", header=None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    header = header or HEADER
    writer.writerow(header)
    for cells in rows:
        writer.writerow([cells.get(column, "") for column in header])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    header = header or HEADER
    sheet.append(header)
    for cells in rows:
        sheet.append([cells.get(column, "") or None for column in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "acteurs.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")

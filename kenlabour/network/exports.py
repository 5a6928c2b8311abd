"""Writers of the directory's exports: a header and rows of plain values in, a file out.

No Django import. A row holds text, numbers (int or float) or None (an empty cell).

- CSV: UTF-8 with a byte-order mark and `;` between cells. French Excel splits a CSV on
  the list separator of the French locale, which is `;` (the comma is the decimal
  separator there), and reads a file without a BOM as Windows-1252, turning « é » into
  « Ã© ». For the same reason decimals are written with a comma ("48,00012"): with a dot,
  French Excel reads text, or worse a date.
- XLSX: openpyxl's write-only mode, which streams rows to a temporary file instead of
  holding every cell in memory: a national export stays in bounded memory.
- GeoJSON (RFC 7946): a FeatureCollection, a Point per actor with a position (longitude
  first), `null` geometry for the others; the columns become the properties.

Text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab
or a carriage return: "CSV injection") is neutralised: prefixed with an apostrophe in the
CSV, stored as a text cell in the XLSX. Names and descriptions are typed by the public,
and facilitators open exports in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence

CSV_DELIMITER = ";"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows written per chunk of a streamed file.
ROWS_PER_CHUNK = 200

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON_CONTENT_TYPE = "application/geo+json"


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_cell(value) -> str:
    """A value as a CSV cell for French spreadsheets."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text if is_formula_like(text) else text


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """The CSV file, piece by piece (a streamed response sends each as it comes)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(header)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(value) for value in row])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence], *, sheet_title: str) -> bytes:
    """The XLSX file: one sheet, the header in bold and frozen, texts always as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str) and is_formula_like(value):
                # openpyxl would store "=…" as a formula: force a text cell.
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def geojson_chunks(
    header: Sequence[str], rows: Iterable[Sequence], *, latitude: str, longitude: str
) -> Iterator[str]:
    """A GeoJSON FeatureCollection, piece by piece; `latitude` and `longitude` name the
    columns giving a row's position (None when it has none)."""
    lat_index, lon_index = header.index(latitude), header.index(longitude)
    yield '{"type": "FeatureCollection", "features": ['
    pieces = []
    for count, row in enumerate(rows):
        lat, lon = row[lat_index], row[lon_index]
        geometry = None
        if lat is not None and lon is not None:
            geometry = {"type": "Point", "coordinates": [lon, lat]}
        feature = {
            "type": "Feature",
            "geometry": geometry,
            "properties": dict(zip(header, row, strict=True)),
        }
        pieces.append(("," if count else "") + json.dumps(feature, ensure_ascii=False))
        if len(pieces) == ROWS_PER_CHUNK:
            yield "".join(pieces)
            pieces = []
    if pieces:
        yield "".join(pieces)
    yield "]}"

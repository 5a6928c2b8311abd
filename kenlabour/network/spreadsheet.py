"""Read a spreadsheet (CSV or XLSX) into rows of text: bytes in, plain values out.

No Django import: what goes wrong is raised as a `SpreadsheetError` carrying a code and
its parameters; the caller turns it into a message for the user, in their language.

- The format is told from the content, never from the file's name: an XLSX file is a zip
  holding `[Content_Types].xml` and `xl/workbook.xml`; anything else must be UTF-8 text
  (with or without a byte-order mark), read as CSV with `;` or `,` between cells,
  whichever the header line uses.
- Rows are numbered as a spreadsheet shows them: the header is line 1. Blank rows are
  skipped but keep their number, so "line 12" is line 12 in the user's file.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

XLSX_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls), old Word…
# Files people pick by mistake: PDF, images, OpenDocument is a zip (handled apart).
OTHER_MAGICS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
DELIMITERS = (";", ",", "\t")


# The longest cell a spreadsheet row may hold (the csv module's default field limit).
MAX_CELL_LENGTH = 131_072


class SpreadsheetError(ValueError):
    """The file cannot be read as a table. `code` says why; `params` say what was found.

    Codes: "empty", "not_utf8", "old_excel", "not_a_table", "damaged_xlsx",
    "unreadable_line", "too_many_rows", "no_header", "duplicate_header",
    "missing_columns"."""

    def __init__(self, code: str, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Row:
    line: int  # as the spreadsheet numbers it: the header is line 1
    cells: dict[str, str]  # column key -> text, stripped


@dataclass(frozen=True)
class Table:
    format: str  # "csv" or "xlsx"
    headers: list[str]  # as written in the file
    rows: list[Row]
    columns: dict[str, int]  # column key -> 0-based position
    ignored_columns: list[str] = field(default_factory=list)  # headers not recognised

    def letter(self, key: str) -> str:
        """The spreadsheet letter of a column ("A", "B", … "AA")."""
        return column_letter(self.columns[key])


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def header_key(text: str) -> str:
    """A header as a column key: case, accents, spaces and hyphens ignored
    ("Type organisation", "TYPE-ORGANISATION" -> "type_organisation")."""
    text = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def detect_format(data: bytes) -> str:
    """ "xlsx" or "csv", from the content; raises SpreadsheetError otherwise."""
    if not data.strip():
        raise SpreadsheetError("empty")
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            raise SpreadsheetError("damaged_xlsx") from None
        if all(member in names for member in XLSX_MEMBERS):
            return "xlsx"
        raise SpreadsheetError("not_a_table")
    if data.startswith(OLE2_MAGIC):
        raise SpreadsheetError("old_excel")
    if data.startswith(OTHER_MAGICS) or b"\x00" in data[:4096]:
        # UTF-16 text, an image, a PDF with binary parts…
        raise SpreadsheetError("not_a_table")
    return "csv"


def decode_text(data: bytes) -> str:
    """UTF-8 text, with or without a byte-order mark; raises SpreadsheetError("not_utf8")
    naming the line of the first wrong byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SpreadsheetError("not_utf8", line=line) from None


def sniff_delimiter(header_line: str) -> str:
    """The separator the header line uses most: `;` (French spreadsheets), `,` or tab."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties: the first in DELIMITERS
    return best if counts[best] else ","


def _cell_text(value) -> str:
    """A cell's value as text: numbers without a spurious ".0", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _csv_records(text: str) -> Iterator[list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            # A quote left open swallows the rest of the file into one cell. The csv
            # module's own limit is process-wide and other libraries raise it, so the
            # cell's length is checked here.
            if any(len(cell) > MAX_CELL_LENGTH for cell in record):
                raise SpreadsheetError("unreadable_line", line=reader.line_num)
            yield record
    except csv.Error:
        # A NUL byte, or a cell longer than the csv module accepts: say where.
        raise SpreadsheetError("unreadable_line", line=reader.line_num) from None


def _xlsx_records(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on a damaged file
        raise SpreadsheetError("damaged_xlsx") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise SpreadsheetError("empty")
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    except SpreadsheetError:
        raise
    except Exception:
        raise SpreadsheetError("damaged_xlsx") from None
    finally:
        workbook.close()


def records(data: bytes) -> tuple[str, Iterator[list[str]]]:
    """The file's format and its records (lists of cell texts), header first."""
    kind = detect_format(data)
    if kind == "xlsx":
        return kind, _xlsx_records(data)
    return kind, _csv_records(decode_text(data))


def read_table(
    data: bytes,
    *,
    known_columns: Iterable[str],
    required_columns: Iterable[str] = (),
    max_rows: int = 20_000,
) -> Table:
    """Read the file into a Table keyed by the known columns (by `header_key`).

    Raises SpreadsheetError when the file is not a readable table, lacks a required
    column, names a column twice, or holds more than `max_rows` non-blank rows."""
    known = {header_key(c): c for c in known_columns}
    kind, rows_iter = records(data)
    header: list[str] | None = None
    header_line = 0
    for line, record in enumerate(rows_iter, start=1):
        if any(cell.strip() for cell in record):
            header, header_line = [cell.strip() for cell in record], line
            break
    if header is None:
        raise SpreadsheetError("no_header")

    columns: dict[str, int] = {}
    ignored = []
    for position, title in enumerate(header):
        key = known.get(header_key(title))
        if key is None:
            if title:
                ignored.append(title)
            continue
        if key in columns:
            raise SpreadsheetError("duplicate_header", column=key)
        columns[key] = position
    missing = [c for c in required_columns if c not in columns]
    if missing:
        raise SpreadsheetError("missing_columns", columns=missing, found=header)

    rows = []
    for line, record in enumerate(rows_iter, start=header_line + 1):
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) >= max_rows:
            raise SpreadsheetError("too_many_rows", limit=max_rows)
        cells = {
            key: (record[position].strip() if position < len(record) else "")
            for key, position in columns.items()
        }
        rows.append(Row(line=line, cells=cells))
    return Table(format=kind, headers=header, rows=rows, columns=columns, ignored_columns=ignored)


def split_list(text: str, separator: str) -> list[str]:
    """The non-empty items of a list written in one cell ("a | b |" -> ["a", "b"])."""
    return [item.strip() for item in text.split(separator) if item.strip()]


def parse_quantities(
    text: str, *, separator: str = ",", quantity_separator: str = ":"
) -> list[tuple[str, str]]:
    """ "Imprimante 3D:4, Découpeuse laser" -> [("Imprimante 3D", "4"), ("Découpeuse laser", "")].

    Quantities stay text: the caller checks them and says what is wrong."""
    pairs = []
    for item in split_list(text, separator):
        label, _sep, quantity = item.rpartition(quantity_separator)
        if not _sep:
            label, quantity = item, ""
        pairs.append((label.strip(), quantity.strip()))
    return pairs

"""Read a spreadsheet (CSV or XLSX) into rows of text: bytes in, plain values out.

No Django import: what goes wrong is raised as a `SpreadsheetError` carrying a code and
its parameters; the caller turns it into a message for the user, in their language.

- The format is told from the content, never from the file's name: an XLSX file is a zip
  holding `[Content_Types].xml` and `xl/workbook.xml`; anything else is text, read as CSV
  with `;`, `,` or a tab between cells, whichever the header line uses. Its encoding is
  UTF-8 (with or without a byte-order mark) when it decodes as such; otherwise
  charset-normalizer tells Windows-1252 (Excel's "CSV" on a French Windows), Latin-1 and
  Mac Roman apart by how the text reads in each.
- Which column is which is the caller's choice (`Sheet.table(mapping)`); `propose_mapping`
  proposes one from the headers and their synonyms.
- Rows are numbered as a spreadsheet shows them: the header is line 1. Blank rows are
  skipped but keep their number, so "line 12" is line 12 in the user's file.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
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
# The encodings a CSV file may be in, besides UTF-8: what spreadsheets write on French
# Windows (Windows-1252), on old Unix and web exports (Latin-1), on old Macs (Mac Roman).
# Where a file reads the same in Windows-1252 and Latin-1, it is said to be Windows-1252.
LEGACY_ENCODINGS = ("cp1252", "latin_1", "mac_roman")
UTF8, UTF8_BOM = "utf_8", "utf_8_sig"


# The longest cell a spreadsheet row may hold (the csv module's default field limit).
MAX_CELL_LENGTH = 131_072


class SpreadsheetError(ValueError):
    """The file cannot be read as a table. `code` says why; `params` say what was found.

    Codes: "empty", "unknown_encoding", "old_excel", "not_a_table", "damaged_xlsx",
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
    encoding: str = ""  # a CSV file's: "utf_8", "utf_8_sig", "cp1252", "latin_1", "mac_roman"
    delimiter: str = ""  # a CSV file's: ";", "," or "\t"

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


def decode_text(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without a byte-order mark) when the bytes
    are UTF-8, else the legacy encoding in which they read best. Raises
    SpreadsheetError("unknown_encoding") naming the line of the first byte that is not
    UTF-8 when none fits (a binary file, UTF-16 without its mark…)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
    else:
        return text, (UTF8_BOM if data.startswith(b"\xef\xbb\xbf") else UTF8)
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
    if best is None or best.encoding not in LEGACY_ENCODINGS:
        raise SpreadsheetError("unknown_encoding", line=line)
    encoding = best.encoding
    if encoding == "latin_1" and data.decode("cp1252", errors="replace") == str(best):
        encoding = "cp1252"
    text = data.decode(encoding)
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
        raise SpreadsheetError("unknown_encoding", line=line)
    return text, encoding


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


def _csv_records(text: str, delimiter: str) -> Iterator[list[str]]:
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


def _first_line(text: str) -> str:
    """The first non-blank line (the header), for its separator."""
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


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


@dataclass(frozen=True)
class Sheet:
    """A file read as records of text, before its columns are chosen."""

    format: str  # "csv" or "xlsx"
    encoding: str  # "" for XLSX
    delimiter: str  # "" for XLSX
    headers: list[str]  # as written in the file, stripped
    records: list[tuple[int, list[str]]]  # (line, cells) of the non-blank rows under it

    def table(self, mapping: list[str | None], required_columns: Iterable[str] = ()) -> Table:
        """The table with the columns chosen: `mapping` gives, for each header in turn,
        the column key it holds, or None for a column to ignore. Raises SpreadsheetError
        on a column chosen twice or a required column not chosen."""
        columns: dict[str, int] = {}
        ignored = []
        for position, title in enumerate(self.headers):
            key = mapping[position] if position < len(mapping) else None
            if not key:
                if title:
                    ignored.append(title)
                continue
            if key in columns:
                raise SpreadsheetError("duplicate_header", column=key)
            columns[key] = position
        missing = [c for c in required_columns if c not in columns]
        if missing:
            raise SpreadsheetError("missing_columns", columns=missing, found=self.headers)
        rows = [
            Row(
                line=line,
                cells={
                    key: (record[position].strip() if position < len(record) else "")
                    for key, position in columns.items()
                },
            )
            for line, record in self.records
        ]
        return Table(
            format=self.format,
            headers=self.headers,
            rows=rows,
            columns=columns,
            ignored_columns=ignored,
            encoding=self.encoding,
            delimiter=self.delimiter,
        )


def read_sheet(data: bytes, *, max_rows: int = 20_000) -> Sheet:
    """Read the file's header and rows. Raises SpreadsheetError when it is not a readable
    table or holds more than `max_rows` non-blank rows."""
    kind = detect_format(data)
    encoding = delimiter = ""
    if kind == "xlsx":
        rows_iter = _xlsx_records(data)
    else:
        text, encoding = decode_text(data)
        delimiter = sniff_delimiter(_first_line(text))
        rows_iter = _csv_records(text, delimiter)
    header: list[str] | None = None
    header_line = 0
    for line, record in enumerate(rows_iter, start=1):
        if any(cell.strip() for cell in record):
            header, header_line = [cell.strip() for cell in record], line
            break
    if header is None:
        raise SpreadsheetError("no_header")
    found = []
    for line, record in enumerate(rows_iter, start=header_line + 1):
        if not any(cell.strip() for cell in record):
            continue
        if len(found) >= max_rows:
            raise SpreadsheetError("too_many_rows", limit=max_rows)
        found.append((line, record))
    return Sheet(format=kind, encoding=encoding, delimiter=delimiter, headers=header, records=found)


def propose_mapping(headers: list[str], synonyms: dict[str, Iterable[str]]) -> list[str | None]:
    """For each header, the column whose name or synonym it is (by `header_key`), or
    None; a column goes to its first header only."""
    index: dict[str, str] = {}
    for column, words in synonyms.items():
        for word in (column, *words):
            index.setdefault(header_key(word), column)
    taken: set[str] = set()
    mapping: list[str | None] = []
    for title in headers:
        column = index.get(header_key(title))
        if column in taken:
            column = None
        if column:
            taken.add(column)
        mapping.append(column)
    return mapping


def headers_signature(headers: list[str]) -> str:
    """The headers of a file as one key, the same for "Courriel;Nom" and "COURRIEL ; nom":
    the key a saved mapping is found by (a SHA-256 digest, whatever the headers' length)."""
    return hashlib.sha256("|".join(header_key(h) for h in headers).encode()).hexdigest()


def read_table(
    data: bytes,
    *,
    known_columns: Iterable[str],
    required_columns: Iterable[str] = (),
    max_rows: int = 20_000,
    synonyms: dict[str, Iterable[str]] | None = None,
) -> Table:
    """Read the file into a Table keyed by the known columns (by `header_key`, and the
    synonyms given), as `propose_mapping` proposes them.

    Raises SpreadsheetError when the file is not a readable table, lacks a required
    column, names a column twice, or holds more than `max_rows` non-blank rows."""
    sheet = read_sheet(data, max_rows=max_rows)
    known = {c: (synonyms or {}).get(c, ()) for c in known_columns}
    mapping = propose_mapping(sheet.headers, known)
    seen: set[str] = set()
    for title in sheet.headers:
        # Two headers naming one column exactly (not as synonyms) is a mistake to say.
        key = header_key(title)
        if key in {header_key(c) for c in known} and key in seen:
            raise SpreadsheetError("duplicate_header", column=key)
        seen.add(key)
    return sheet.table(mapping, required_columns)


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

"""The project's spreadsheet writers, shared by every export (the directory, the impact
dashboard, the mobilisation's figures, the funding's SCDL file and relay statements).

No Django import. A row holds text, numbers (int, float or Decimal), dates or None (an
empty cell).

**Cells that cannot attack a spreadsheet** ("CSV injection", OWASP): a text cell that
begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a formula by a
spreadsheet (`=HYPERLINK(…)`, `=cmd|…`, `@SUM(…)`). Names, notes and descriptions are typed
by the public, and people open exports in a spreadsheet. So:

- in a CSV, such text is prefixed with an apostrophe (`'=1+1`), which spreadsheets show as
  text, the apostrophe hidden;
- in an XLSX, such text is a text cell (never a formula), marked with the "quote prefix"
  that Excel and LibreOffice set when one types an apostrophe, so that editing the cell
  does not turn it into a formula either.

Only text is neutralised: numbers stay numbers (a negative amount is written `-12,50`, a
number, not text) and a column of figures is never turned into text. A writer that must
keep numbers pre-formatted as text (the SCDL file, whose schema types each column) calls
`neutral` on its text columns only.

We do not use `defusedcsv` (a drop-in replacement of the `csv` module): it covers only the
CSV writer, not the XLSX cells, and it escapes by looking at strings, so the typed
numbers and the pre-formatted numeric columns of the SCDL file would need the same
care anyway; the rule itself is one line (`is_formula_like`), shared here by every export.

CSV for people (`csv_chunks`): UTF-8 with a byte-order mark and `;` between cells. French
Excel splits a CSV on the list separator of the French locale, which is `;` (the comma is
the decimal separator there), and reads a file without a BOM as Windows-1252, turning « é »
into « Ã© ». For the same reason decimals are written with a comma ("48,00012").

XLSX (`xlsx_bytes`, `xlsx_cell`): openpyxl's write-only mode, which streams rows to a
temporary file instead of holding every cell in memory: a national export stays in
bounded memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

CSV_DELIMITER = ";"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows written per chunk of a streamed file.
ROWS_PER_CHUNK = 200

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would run this text as a formula."""
    return text.startswith(FORMULA_STARTS)


def neutral(text: str) -> str:
    """Text a spreadsheet shows as text: prefixed with an apostrophe if formula-like."""
    return "'" + text if is_formula_like(text) else text


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
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return neutral(str(value))


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """The CSV file, piece by piece (a streamed response sends each as it comes)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([csv_cell(title) for title in header])
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


def xlsx_cell(sheet, value, *, font=None, number_format: str | None = None):
    """A write-only cell; formula-like text is a quote-prefixed text cell."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and is_formula_like(value):
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence], *, sheet_title: str) -> bytes:
    """The XLSX file: one sheet, the header in bold and frozen, texts always as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([xlsx_cell(sheet, title, font=bold) for title in header])
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()

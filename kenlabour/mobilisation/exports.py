"""The campaign's figures as files, in the shape authorities ask for: one row per
territory and item type, with the territory's code (INSEE code of the département, SIREN
of the EPCI), its name, the item, then the figures.

- CSV (UTF-8 with a byte-order mark, `;` between cells, decimal comma: what French Excel
  opens as is): one table, a first column "Niveau" telling département, intercommunalité
  and whole-selection rows apart (filter on it before summing a column).
- XLSX: one sheet per level ("Départements", "Intercommunalités", "Ensemble"), same
  columns; the coverage is a number with one decimal.

The writers are the project's (kenlabour.web.spreadsheets): the same neutralising of text
a spreadsheet would run as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from kenlabour.mobilisation.selectors.figures import ExportTables, FigureRow
from kenlabour.web import spreadsheets as writers

CSV_CONTENT_TYPE = writers.CSV_CONTENT_TYPE
XLSX_CONTENT_TYPE = writers.XLSX_CONTENT_TYPE


def header() -> list[str]:
    return [
        _("Niveau"),
        _("Code"),
        _("Nom"),
        _("Article"),
        _("Besoins validés"),
        _("Unités demandées (besoins validés)"),
        _("Unités produites"),
        _("Unités livrées (déclarées par les producteurs)"),
        _("Unités reçues (confirmées par les destinataires)"),
        _("Couverture des besoins (%)"),
        _("Producteurs actifs"),
    ]


def row_values(level: str, row: FigureRow) -> list:
    figures = row.figures
    coverage = figures.coverage
    return [
        level,
        row.code,
        row.name,
        row.item.name if row.item else "",
        figures.needs,
        figures.requested,
        figures.produced,
        figures.delivered,
        figures.confirmed,
        float(coverage) if coverage is not None else None,
        figures.producers,
    ]


def sections(tables: ExportTables) -> list[tuple[str, str, list[list]]]:
    """(sheet title, level label, rows) of each level."""
    return [
        (
            _("Départements"),
            _("Département"),
            [row_values(_("Département"), row) for row in tables.departements],
        ),
        (
            _("Intercommunalités"),
            _("Intercommunalité"),
            [row_values(_("Intercommunalité"), row) for row in tables.epcis],
        ),
        (
            _("Ensemble"),
            _("Ensemble"),
            [
                row_values(
                    _("Ensemble"),
                    FigureRow("", _("Ensemble de la sélection"), row.figures, item=row.item),
                )
                for row in tables.totals
            ],
        ),
    ]


def csv_chunks(tables: ExportTables) -> Iterator[str]:
    rows = [row for _title, _level, section in sections(tables) for row in section]
    return writers.csv_chunks(header(), rows)


def xlsx_bytes(tables: ExportTables, *, title: str) -> bytes:
    """One sheet per level, the header in bold and frozen, texts always as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    workbook.properties.title = title
    bold = Font(bold=True)
    coverage_column = header().index(_("Couverture des besoins (%)"))
    for sheet_title, _level, rows in sections(tables):
        sheet = workbook.create_sheet(title=sheet_title[:31])
        sheet.freeze_panes = "A2"
        sheet.append([writers.xlsx_cell(sheet, text, font=bold) for text in header()])
        for values in rows:
            sheet.append(
                [
                    writers.xlsx_cell(
                        sheet, value, number_format="0.0" if i == coverage_column else None
                    )
                    for i, value in enumerate(values)
                ]
            )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()

"""The export writers (pure): CSV for French spreadsheets, XLSX, GeoJSON."""

import csv
import io
import json

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from kenlabour.network import exports, spreadsheet

HEADER = ["nom", "description", "latitude", "longitude", "nombre"]

cells = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)
rows = st.lists(st.lists(cells, min_size=len(HEADER), max_size=len(HEADER)), max_size=8)


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix(exports.BOM), newline=""), delimiter=";"))


def test_csv_starts_with_a_bom_and_separates_with_semicolons():
    text = "".join(exports.csv_chunks(HEADER, [["Fablab; Kemper", "Été", 48.5, -4.1, 3]]))

    assert text.startswith("\ufeffnom;description;latitude;longitude;nombre\r\n")
    assert read_csv(text)[1] == ["Fablab; Kemper", "Été", "48,5", "-4,1", "3"]


def test_csv_neutralises_what_a_spreadsheet_would_run_as_a_formula():
    text = "".join(exports.csv_chunks(["a"], [["=1+1"], ["+33 6"], ["-x"], ["@SUM(A1)"], ["ok"]]))

    assert [row[0] for row in read_csv(text)[1:]] == ["'=1+1", "'+33 6", "'-x", "'@SUM(A1)", "ok"]


@given(rows)
def test_csv_gives_back_every_cell(data):
    text = "".join(exports.csv_chunks(HEADER, data))

    parsed = read_csv(text)
    assert parsed[0] == HEADER
    assert len(parsed) == len(data) + 1
    for row, written in zip(data, parsed[1:], strict=True):
        for value, cell in zip(row, written, strict=True):
            if value is None:
                assert cell == ""
            elif isinstance(value, str):
                assert cell == (
                    "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value
                )
            elif isinstance(value, float):
                assert float(cell.replace(",", ".")) == value
            else:
                assert int(cell) == value


@given(rows)
def test_csv_is_read_by_the_import_reader(data):
    text = "".join(exports.csv_chunks(HEADER, data))

    table = spreadsheet.read_table(text.encode(), known_columns=HEADER)

    assert set(table.columns) == set(HEADER)


def test_xlsx_keeps_numbers_as_numbers_and_formulas_as_text():
    content = exports.xlsx_bytes(
        HEADER,
        [["=cmd|' /C calc'!A0", "texte", 48.00012, -4.5, 7], [None] * 5],
        sheet_title="Acteurs",
    )

    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Acteurs"
    assert [c.value for c in sheet[1]] == HEADER
    assert [c.value for c in sheet[2]] == ["=cmd|' /C calc'!A0", "texte", 48.00012, -4.5, 7]
    assert sheet["A2"].data_type == "s"
    assert sheet["A1"].font.bold
    assert [c.value for c in sheet[3]] == [None] * 5


def test_geojson_places_rows_with_a_position_and_keeps_the_others():
    text = "".join(
        exports.geojson_chunks(
            HEADER,
            [["Kemper", "", 48.0, -4.1, 1], ["Sans lieu", "", None, None, 2]],
            latitude="latitude",
            longitude="longitude",
        )
    )

    data = json.loads(text)
    assert data["type"] == "FeatureCollection"
    placed, placeless = data["features"]
    assert placed["geometry"] == {"type": "Point", "coordinates": [-4.1, 48.0]}
    assert placed["properties"]["nom"] == "Kemper"
    assert placeless["geometry"] is None
    assert placeless["properties"]["nombre"] == 2


@given(st.lists(st.text(), max_size=exports.ROWS_PER_CHUNK * 2 + 3))
def test_geojson_in_chunks_is_one_valid_document(names):
    data = [[name, "", 1.0, 2.0, 0] for name in names]
    text = "".join(exports.geojson_chunks(HEADER, data, latitude="latitude", longitude="longitude"))

    assert [f["properties"]["nom"] for f in json.loads(text)["features"]] == names

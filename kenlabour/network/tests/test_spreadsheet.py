"""Reading CSV and XLSX files into rows: the format from the content, the encoding detected, the
separator from the header, line numbers as the spreadsheet shows them."""

import csv
import io
import sys
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from kenlabour.network import spreadsheet
from kenlabour.network.spreadsheet import SpreadsheetError, read_table

COLUMNS = ("nom", "type", "commune", "siret")


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(data: bytes, **kwargs):
    kwargs.setdefault("known_columns", COLUMNS)
    kwargs.setdefault("required_columns", ("nom", "type"))
    return read_table(data, **kwargs)


def error_of(data: bytes, **kwargs) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as caught:
        read(data, **kwargs)
    return caught.value


def test_a_semicolon_csv_from_a_french_spreadsheet_is_read_with_its_line_numbers():
    data = "nom;type;commune\nFablab de Quimper;organisation;Quimper\n;;\nCouture;collectif;Brest\n"
    table = read(data.encode())
    assert table.format == "csv"
    assert [row.line for row in table.rows] == [2, 4], "the blank line 3 keeps its number"
    assert table.rows[0].cells == {
        "nom": "Fablab de Quimper",
        "type": "organisation",
        "commune": "Quimper",
    }
    assert table.rows[1].cells["commune"] == "Brest"


def test_a_comma_csv_with_a_byte_order_mark_and_quoted_cells_is_read():
    data = '\ufeffnom,type,commune\n"Dupont, Jean",personne,"Quimper"\n'.encode()
    table = read(data)
    assert table.columns == {"nom": 0, "type": 1, "commune": 2}
    assert table.rows[0].cells["nom"] == "Dupont, Jean"


def test_headers_are_matched_whatever_their_case_accents_and_spacing():
    table = read(b"NOM ; Type ; Commune\nA;collectif;Brest\n")
    assert set(table.columns) == {"nom", "type", "commune"}
    assert spreadsheet.header_key(" Type-Organisation ") == "type_organisation"
    assert spreadsheet.header_key("Zone d’action") == "zone_d_action"


def test_unknown_columns_are_ignored_and_named():
    table = read(b"nom;type;remarque\nA;collectif;rien\n")
    assert table.ignored_columns == ["remarque"]
    assert table.rows[0].cells == {"nom": "A", "type": "collectif"}


def test_a_short_row_has_its_missing_cells_empty():
    table = read(b"nom;type;commune\nA;collectif\n")
    assert table.rows[0].cells["commune"] == ""


def test_a_column_letter_is_given_for_each_known_column():
    table = read(b"type;remarque;nom\ncollectif;x;A\n")
    assert table.letter("type") == "A"
    assert table.letter("nom") == "C"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old_excel"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not_a_table"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not_a_table"),
        ("nom;type\n".encode("utf-16"), "not_a_table"),
        (b"PK\x03\x04 this is no zip at all", "damaged_xlsx"),
    ],
)
def test_what_is_not_a_table_is_refused_by_its_content(data, code):
    assert error_of(data).code == code


@pytest.mark.parametrize("csv_limit", [None, sys.maxsize])
def test_a_quote_left_open_is_refused_naming_its_line(csv_limit):
    """Even when another library has raised the csv module's process-wide field limit
    (frictionless does, on import)."""
    previous = csv.field_size_limit()
    if csv_limit is not None:
        csv.field_size_limit(csv_limit)
    try:
        data = b'nom;type\nA;collectif\n"B;collectif\n' + b"x" * 200_000
        error = error_of(data)
    finally:
        csv.field_size_limit(previous)
    assert error.code == "unreadable_line"
    assert error.params["line"] >= 3


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<document/>")
    assert error_of(buffer.getvalue()).code == "not_a_table"


def test_text_that_is_no_known_encoding_is_refused_naming_the_first_wrong_line():
    data = b"nom;type\nA;collectif\n" + bytes(range(0x80, 0x100)) * 2 + b";organisation\n"
    error = error_of(data)
    assert error.code == "unknown_encoding"
    assert error.params == {"line": 3}


def test_missing_required_columns_are_named_with_the_columns_found():
    error = error_of(b"nom;commune\nA;Brest\n")
    assert error.code == "missing_columns"
    assert error.params["columns"] == ["type"]
    assert error.params["found"] == ["nom", "commune"]


def test_a_column_named_twice_is_refused():
    error = error_of(b"nom;type;Nom\nA;collectif;B\n")
    assert (error.code, error.params) == ("duplicate_header", {"column": "nom"})


def test_too_many_rows_are_refused():
    data = "nom;type\n" + "A;collectif\n" * 11
    assert read(data.encode(), max_rows=11).rows[-1].line == 12
    error = error_of(data.encode(), max_rows=10)
    assert (error.code, error.params) == ("too_many_rows", {"limit": 10})


def test_an_xlsx_workbook_is_read_from_its_first_sheet_whatever_its_file_name():
    data = xlsx_bytes(
        [
            ("Nom", "Type", "Commune", "SIRET"),
            ("Fablab", "organisation", 29000, 73282932000074),
            (None, None, None, None),
            ("Réseau", "collectif", "Brest", None),
        ]
    )
    table = read(data)
    assert table.format == "xlsx"
    assert [row.line for row in table.rows] == [2, 4]
    assert table.rows[0].cells == {
        "nom": "Fablab",
        "type": "organisation",
        "commune": "29000",
        "siret": "73282932000074",
    }
    assert table.rows[1].cells["siret"] == ""


def test_an_xlsx_file_without_a_header_is_refused():
    assert error_of(xlsx_bytes([])).code == "no_header"


def test_the_separator_is_the_one_the_header_uses_most():
    assert spreadsheet.sniff_delimiter("nom;type;commune") == ";"
    assert spreadsheet.sniff_delimiter("nom,type,commune") == ","
    assert spreadsheet.sniff_delimiter("nom\ttype") == "\t"
    assert spreadsheet.sniff_delimiter("nom") == ","


def test_lists_and_quantities_are_split():
    assert spreadsheet.split_list(" Finistère | Morlaix ||", "|") == ["Finistère", "Morlaix"]
    assert spreadsheet.parse_quantities("Imprimante 3D:4, découpeuse laser , tissu: 2") == [
        ("Imprimante 3D", "4"),
        ("découpeuse laser", ""),
        ("tissu", "2"),
    ]


def test_column_letters_are_those_of_spreadsheets():
    assert [spreadsheet.column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


@given(st.integers(min_value=0, max_value=20_000), st.integers(min_value=0, max_value=20_000))
def test_column_letters_are_distinct_and_ordered_like_columns(a, b):
    la, lb = spreadsheet.column_letter(a), spreadsheet.column_letter(b)
    assert (la == lb) == (a == b)
    assert ((len(la), la) < (len(lb), lb)) == (a < b)


cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
    max_size=30,
).map(str.strip)


@given(
    rows=st.lists(st.lists(cell_text, min_size=4, max_size=4), max_size=15),
    delimiter=st.sampled_from([";", ","]),
    bom=st.booleans(),
)
def test_any_table_written_as_csv_reads_back_the_same(rows, delimiter, bom):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    data = (("\ufeff" if bom else "") + buffer.getvalue()).encode()
    table = read(data)
    expected = [
        (line, dict(zip(COLUMNS, row, strict=True)))
        for line, row in enumerate(rows, start=2)
        if any(row)
    ]
    assert [(row.line, row.cells) for row in table.rows] == expected


# Worksheets hold no control character, and "=…" is a formula.
xlsx_cell_text = (
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
    .map(str.strip)
    .filter(lambda text: not text.startswith("="))
)


@given(rows=st.lists(st.lists(xlsx_cell_text, min_size=4, max_size=4), max_size=8))
def test_any_table_written_as_xlsx_reads_back_the_same(rows):
    data = xlsx_bytes([COLUMNS, *[[cell or None for cell in row] for row in rows]])
    table = read(data)
    expected = [
        (line, dict(zip(COLUMNS, row, strict=True)))
        for line, row in enumerate(rows, start=2)
        if any(row)
    ]
    assert [(row.line, row.cells) for row in table.rows] == expected


# --- encodings, separators, headers as people write them ---------------------------------

FRENCH = (
    "Raison sociale;Type;Ville;Équipements\n"
    "Fablab de Plœmeur;tiers-lieu;Plœmeur;Imprimante 3D\n"
    "Crêperie Élodie;entreprise;Saint-Brieuc;Découpeuse laser, Brodeuse\n"
    "L'Atelier « Où ça ? »;association;Guingamp;Machine à coudre\n"
)


@pytest.mark.parametrize(
    ("encoding", "said"),
    [
        ("utf-8", "utf_8"),
        ("utf-8-sig", "utf_8_sig"),
        ("cp1252", "cp1252"),
        # Latin-1 and Windows-1252 read French text alike: it is said to be Windows-1252.
        ("latin_1", "cp1252"),
        ("mac_roman", "mac_roman"),
    ],
)
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_the_encoding_and_the_separator_are_detected(encoding, said, delimiter):
    text = FRENCH.replace("œ", "oe") if encoding == "latin_1" else FRENCH
    text = text.replace(";", delimiter) if delimiter != ";" else text
    if delimiter == ",":
        text = text.replace("Découpeuse laser, Brodeuse", '"Découpeuse laser, Brodeuse"')
    sheet = spreadsheet.read_sheet(text.encode(encoding))
    assert (sheet.encoding, sheet.delimiter) == (said, delimiter)
    assert sheet.headers == ["Raison sociale", "Type", "Ville", "Équipements"]
    expected = [line.split(delimiter) for line in text.splitlines()[1:]]
    if delimiter == ",":
        expected[1] = [
            "Crêperie Élodie",
            "entreprise",
            "Saint-Brieuc",
            "Découpeuse laser, Brodeuse",
        ]
    assert [record for _line, record in sheet.records] == expected


def test_a_binary_file_without_nul_bytes_is_refused_as_no_known_encoding():
    assert error_of(bytes(range(0x80, 0x100)) * 40).code == "unknown_encoding"


def test_a_truncated_workbook_is_refused_as_damaged():
    data = xlsx_bytes([("nom", "type"), ("A", "collectif")])
    assert error_of(data[: len(data) // 2]).code == "damaged_xlsx"


SYNONYMS = {
    "email": ("Courriel", "E-mail", "Mail", "adresse e-mail"),
    "code_postal": ("Code postal", "CP", "C.P."),
    "telephone": ("Téléphone", "Tél", "Tél."),
    "ressources": ("Équipements", "Machines", "Ressources"),
    "nom": ("Nom", "Raison sociale"),
    "commune": ("Ville", "Commune", "LOCALITÉ"),
}


@pytest.mark.parametrize(
    ("header", "column"),
    [(header, column) for column, headers in SYNONYMS.items() for header in headers],
)
def test_headers_are_mapped_by_their_usual_synonyms(header, column):
    from kenlabour.network import columns

    synonyms = {c: columns.HEADER_SYNONYMS.get(c, ()) for c in columns.IMPORT_COLUMNS}
    assert spreadsheet.propose_mapping([header], synonyms) == [column]
    assert spreadsheet.propose_mapping([header.upper()], synonyms) == [column]


def test_a_column_is_proposed_for_its_first_header_only_and_unknown_headers_for_none():
    synonyms = {"email": ("courriel", "mail")}
    assert spreadsheet.propose_mapping(["Courriel", "Mail", "Remarque"], synonyms) == [
        "email",
        None,
        None,
    ]


def test_the_headers_signature_ignores_case_accents_and_punctuation():
    same = spreadsheet.headers_signature(["Nom", "Téléphone", "Code postal"])
    assert spreadsheet.headers_signature(["NOM", "telephone", "code-postal "]) == same
    assert spreadsheet.headers_signature(["Nom", "Code postal", "Téléphone"]) != same


def test_a_sheet_takes_the_columns_chosen_and_refuses_one_chosen_twice():
    sheet = spreadsheet.read_sheet(b"Structure;Ville;Remarque\nA;Brest;x\n")
    table = sheet.table(["nom", "commune", None], ("nom",))
    assert table.rows[0].cells == {"nom": "A", "commune": "Brest"}
    assert table.ignored_columns == ["Remarque"]
    with pytest.raises(SpreadsheetError) as caught:
        sheet.table(["nom", "nom", None])
    assert caught.value.code == "duplicate_header"
    with pytest.raises(SpreadsheetError) as caught:
        sheet.table([None, "commune", None], ("nom", "type"))
    assert caught.value.params["columns"] == ["nom", "type"]

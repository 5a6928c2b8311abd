"""Every CSV and XLSX export of the project neutralises text a spreadsheet would run as a
formula (OWASP "CSV injection": `=`, `+`, `-`, `@`, tab, carriage return), and leaves
numbers as numbers. The shared writers, then the exports people download."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from frictionless import Resource, Schema
from openpyxl import load_workbook

from kenlabour.funding import exports as funding_exports
from kenlabour.funding.models import Claim
from kenlabour.funding.tests.factories import treasurer
from kenlabour.funding.tests.pages_public import granted_envelope
from kenlabour.network.models import Actor
from kenlabour.web import spreadsheets

ATTACKS = ['=HYPERLINK("http://x")', "+33 6", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_like_text_is_prefixed_in_a_csv(text):
    assert spreadsheets.csv_cell(text) == "'" + text
    rows = list(csv.reader(io.StringIO("".join(spreadsheets.csv_chunks(["a"], [[text]]))[1:]),
                           delimiter=";"))  # fmt: skip
    assert rows[1] == ["'" + text]


def test_numbers_stay_numbers_even_negative():
    assert spreadsheets.csv_cell(-12) == "-12"
    assert spreadsheets.csv_cell(-4.5) == "-4,5"
    assert spreadsheets.csv_cell(Decimal("-12.50")) == "-12,50"
    assert spreadsheets.csv_cell("Fablab - Brest") == "Fablab - Brest"  # not at the start


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_like_text_is_a_quoted_text_cell_in_an_xlsx(text):
    content = spreadsheets.xlsx_bytes(["a", "n"], [[text, -3]], sheet_title="t")
    sheet = load_workbook(io.BytesIO(content)).active
    cell = sheet["A2"]
    # (XML reads a carriage return back as a line feed.)
    assert cell.value == text.replace("\r", "\n") and cell.data_type == "s" and cell.quotePrefix
    assert sheet["B2"].value == -3 and sheet["B2"].data_type == "n"


@pytest.mark.django_db
def test_the_scdl_file_neutralises_its_text_and_stays_valid(client, tmp_path):
    granted = granted_envelope()
    relay = granted.relays[0]
    Actor.objects.filter(pk=relay.pk).update(name="=cmd|' /C calc'!A0")
    Actor.objects.filter(pk=granted.envelope.funder_id).update(name="@Conseil régional")
    content = client.get(
        reverse("funding:scdl_csv", kwargs={"slug": granted.envelope.slug})
    ).content
    (tmp_path / "s.csv").write_bytes(content)
    schema = Schema.from_descriptor(funding_exports.scdl_schema())
    report = Resource(path="s.csv", basepath=str(tmp_path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    assert "'=cmd|' /C calc'!A0" in [row["nomBeneficiaire"] for row in rows]
    assert {row["nomAttribuant"] for row in rows} == {"'@Conseil régional"}
    for row in rows:
        assert not row["objet"].startswith(spreadsheets.FORMULA_STARTS)
        Decimal(row["montant"])  # numbers stay numbers
        Decimal(row["pourcentageSubvention"])


@pytest.mark.django_db
def test_the_relay_statement_neutralises_a_claimants_name(client):
    granted = granted_envelope()
    relay = granted.relays[0]
    claim = Claim.objects.filter(relay=relay, claimant__kind="organisation").first()
    Actor.objects.filter(pk=claim.claimant_id).update(name="=1+1")
    client.force_login(treasurer(relay))
    url = reverse(
        "funding:relay_statement", kwargs={"slug": granted.envelope.slug, "relay": relay.slug}
    )
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=1+1"]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


@pytest.mark.django_db
def test_the_impact_exports_neutralise_a_labs_name(client):
    from kenlabour.lab.tests.factories import LabFactory

    LabFactory(slug="labo-formule", name='=HYPERLINK("http://x")')
    query = {"labo": "labo-formule"}
    response = client.get(reverse("lab:impact_csv"), query)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert ["Sélection", "Laboratoire", '\'=HYPERLINK("http://x")'] in rows
    response = client.get(reverse("lab:impact_xlsx"), query)
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")']
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    numbers = [c for row in sheet.iter_rows(min_row=2) for c in row[2:] if c.data_type == "n"]
    assert numbers  # the figures stay numbers

"""The exports, read back as a spreadsheet would, and every row recomputed from records."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kenlabour.mobilisation.models import ItemType
from kenlabour.mobilisation.selectors import figures
from kenlabour.mobilisation.tests.factories import CampaignFactory
from kenlabour.mobilisation.tests.pages_figures import build_figures
from kenlabour.mobilisation.tests.test_figures_selectors import recompute
from kenlabour.territories.models import Departement, Epci

pytestmark = pytest.mark.django_db

HEADER = [
    "Niveau",
    "Code",
    "Nom",
    "Article",
    "Besoins validés",
    "Unités demandées (besoins validés)",
    "Unités produites",
    "Unités livrées (déclarées par les producteurs)",
    "Unités reçues (confirmées par les destinataires)",
    "Couverture des besoins (%)",
    "Producteurs actifs",
]
FIGURES = ("needs", "requested", "produced", "delivered", "confirmed")


@pytest.fixture
def campaign():
    campaign = CampaignFactory(slug="covid-export")
    build_figures(campaign, scale=2)
    return campaign


def expected_rows(campaign, level, group, name_of, **filters):
    """[(level, code, name, item, figures…, coverage, producers)] recomputed from records."""
    items = {item.pk: item.name for item in ItemType.objects.filter(campaign=campaign)}
    rows = []
    for (code, item), values in recompute(campaign, group=group, **filters).items():
        coverage = figures.coverage_of(values["confirmed"], values["requested"])
        rows.append(
            (
                level,
                code or "",
                name_of(code),
                items[item],
                *(values[name] for name in FIGURES),
                float(coverage) if coverage is not None else None,
                values["producers"],
            )
        )
    return sorted(rows, key=lambda row: (row[1] == "", row[1], row[3]))


def departement_name(code):
    if code is None:
        return "Producteurs sans lieu fixe"
    return Departement.objects.get(code=code).name


def epci_name(code):
    if code is None:
        return "Hors intercommunalité ou sans lieu fixe"
    return Epci.objects.get(code=code).name


def expected_all(campaign, **filters):
    return {
        "Département": expected_rows(
            campaign,
            "Département",
            lambda dep, epci, item: (dep, item),
            departement_name,
            **filters,
        ),
        "Intercommunalité": expected_rows(
            campaign,
            "Intercommunalité",
            lambda dep, epci, item: (epci, item),
            epci_name,
            **filters,
        ),
        "Ensemble": expected_rows(
            campaign,
            "Ensemble",
            lambda dep, epci, item: (None, item),
            lambda code: "Ensemble de la sélection",
            **filters,
        ),
    }


def parse_csv_row(cells):
    level, code, name, item, *numbers = cells
    values = [int(n) for n in numbers[:5]]
    coverage = float(numbers[5].replace(",", ".")) if numbers[5] else None
    return (level, code, name, item, *values, coverage, int(numbers[6]))


def sort_rows(rows):
    return sorted(rows, key=lambda row: (row[1] == "", row[1], row[3]))


def test_csv_in_the_shape_authorities_ask_for(client, campaign):
    response = client.get(reverse("mobilisation:figures_csv", kwargs={"slug": campaign.slug}))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="chiffres-covid-export.csv"' in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    records = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert records[0] == HEADER
    by_level = {}
    for cells in records[1:]:
        by_level.setdefault(cells[0], []).append(parse_csv_row(cells))
    expected = expected_all(campaign)
    assert {level: sort_rows(rows) for level, rows in by_level.items()} == expected
    # Several départements, each with both items, and the decimal comma of French Excel.
    assert {row[1] for row in expected["Département"]} >= {"22", "29", "35", "56"}
    assert any("," in cells[9] for cells in records[1:])


def test_xlsx_has_one_sheet_per_level(client, campaign):
    response = client.get(reverse("mobilisation:figures_xlsx", kwargs={"slug": campaign.slug}))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Départements", "Intercommunalités", "Ensemble"]
    expected = expected_all(campaign)
    for sheet, level in zip(workbook.worksheets, expected, strict=True):
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == HEADER
        assert sheet.freeze_panes == "A2"
        # An empty text cell reads back as None.
        read = [tuple("" if v is None and i < 4 else v for i, v in enumerate(r)) for r in rows]
        assert sort_rows(read[1:]) == expected[level]


def test_exports_keep_the_filters(client, campaign):
    finistere = Departement.objects.get(code="29")
    mask = campaign.item_types.get(kind="fabric_mask")
    url = reverse("mobilisation:figures_csv", kwargs={"slug": campaign.slug})
    response = client.get(f"{url}?departement=29&article={mask.pk}")
    assert f"chiffres-covid-export-29-article-{mask.pk}.csv" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    rows = {}
    for cells in records:
        rows.setdefault(cells[0], []).append(parse_csv_row(cells))
    expected = expected_all(campaign, departement=finistere, item=mask)
    assert {level: sort_rows(r) for level, r in rows.items()} == {
        level: r for level, r in expected.items() if r
    }
    assert {row[1] for row in rows["Département"]} == {"29"}


def test_wrong_filters_send_back_to_the_dashboard(client, campaign):
    url = reverse("mobilisation:figures_xlsx", kwargs={"slug": campaign.slug})
    response = client.get(f"{url}?departement=inconnu")
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("mobilisation:campaign", kwargs={"slug": campaign.slug}) + "?departement=inconnu"
    )


def test_names_a_spreadsheet_would_run_are_neutralised(client):
    campaign = CampaignFactory(slug="injection")
    build_figures(campaign)
    campaign.item_types.filter(kind="fabric_mask").update(name="=HYPERLINK(1)")
    url = reverse("mobilisation:figures_csv", kwargs={"slug": campaign.slug})
    text = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    assert ";'=HYPERLINK(1);" in text
    url = reverse("mobilisation:figures_xlsx", kwargs={"slug": campaign.slug})
    sheet = load_workbook(io.BytesIO(client.get(url).content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "=HYPERLINK(1)"]
    assert cells and all(cell.data_type == "s" for cell in cells)

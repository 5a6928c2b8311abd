"""The impact dashboard and its exports: public, figures only, the same figures in the
page, the CSV and the XLSX, in a number of queries that does not grow with workshops."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kenlabour.lab.selectors import impact as selectors
from kenlabour.lab.tests.factories import (
    AttendanceFactory,
    LabFactory,
    ThemeFactory,
    agent_at,
    held_workshop,
)
from kenlabour.network.enums import OrganisationKind
from kenlabour.network.tests.factories import (
    DirectorateFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
FIRST_MONDAY = D(2019, 1, 7)


def populate(lab, count: int, *, first=FIRST_MONDAY) -> None:
    state = OrganisationFactory(organisation_kind=OrganisationKind.STATE)
    region = OrganisationFactory(organisation_kind=OrganisationKind.REGIONAL_COUNCIL)
    theme = ThemeFactory()
    for n in range(count):
        workshop = held_workshop(lab, first + datetime.timedelta(days=7 * n))
        workshop.themes.add(theme)
        agent_at(workshop, DirectorateFactory(organisation=state), person=PersonFactory())
        if n % 2:
            agent_at(workshop, DirectorateFactory(organisation=region))
        AttendanceFactory(workshop=workshop, name=f"Usager {n}")


def test_the_dashboard_is_public_and_renders_on_an_empty_platform(client):
    response = client.get(reverse("lab:impact"))
    assert response.status_code == 200
    assert "Ateliers tenus" in response.content.decode()


def test_the_dashboard_shows_figures_charts_with_tables_and_never_names(client):
    lab = LabFactory(name="Labo breton", slug="labo-breton")
    populate(lab, 4)
    someone = PersonFactory(name="Katell Kerguelen")
    agent_at(
        held_workshop(lab, D(2019, 3, 1)),
        DirectorateFactory(organisation=OrganisationFactory(organisation_kind="state")),
        person=someone,
        name=someone.name,
    )
    response = client.get(reverse("lab:impact"), {"labo": "labo-breton", "annee": "2019"})
    page = response.content.decode()
    assert response.status_code == 200
    figures = response.context["report"].impact
    assert figures.workshops == 5
    assert 'role="img"' in page and "<caption>" in page and 'scope="row"' in page
    assert page.count("<svg") == 2 and page.count('class="impact-table"') == 2
    assert "mars" in page  # months are labelled in the chart and its table
    assert "Katell" not in page and "Usager 1" not in page


def test_bad_filters_get_a_french_message_not_a_500(client):
    response = client.get(reverse("lab:impact"), {"labo": "inconnu", "annee": "1850"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sélectionnez un choix valide" in page
    assert response.context["report"] is None
    export = client.get(reverse("lab:impact_csv"), {"labo": "inconnu"})
    assert export.status_code == 302 and "labo=inconnu" in export["Location"]


def _export_values(rows) -> dict[str, object]:
    return {indicator: value for _section, indicator, value in rows}


def test_csv_and_xlsx_exports_hold_the_selectors_figures(client):
    lab = LabFactory(slug="labo-export")
    populate(lab, 6)
    query = {"labo": "labo-export", "annee": "2019"}
    figures = selectors.impact_report(selectors.ImpactFilters(lab=lab, year=2019)).impact

    response = client.get(reverse("lab:impact_csv"), query)
    assert response["Content-Disposition"].endswith('impact-labo-export-2019.csv"')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Rubrique", "Indicateur", "Valeur"]
    from_csv = _export_values(rows[1:])

    response = client.get(reverse("lab:impact_xlsx"), query)
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    from_xlsx = _export_values(list(sheet.iter_rows(min_row=2, values_only=True)))

    expected = {
        "Ateliers tenus": figures.workshops,
        "Participations de professionnels": figures.professional_participations,
        "Professionnels distincts (personnes)": figures.distinct_professionals,
        "Usagères et usagers impliqués": figures.citizens,
        "Directions impliquées": figures.directorates,
        "Ateliers décloisonnés": figures.cross_silo_workshops,
        "Indice de décloisonnement (%)": round(100 * figures.cross_silo_index, 1),
    }
    for indicator, value in expected.items():
        assert from_xlsx[indicator] == value, indicator
        assert from_csv[indicator] == str(value).replace(".", ","), indicator
    assert from_xlsx["janvier"] == figures.workshops_by_month[(2019, 1)]
    assert from_xlsx["Usager ou usagère"] == figures.participations_by_kind["citizen"]


@pytest.mark.parametrize("name", ["lab:impact", "lab:impact_csv", "lab:impact_xlsx"])
def test_the_query_count_does_not_grow_with_workshops(client, django_assert_max_num_queries, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lab = LabFactory(slug="labo-requetes")
    query = {"labo": "labo-requetes", "annee": "2019"}

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse(name), query)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        return len(context.captured_queries)

    populate(lab, 2)
    few = count()
    populate(lab, 18, first=D(2019, 3, 4))
    assert count() == few
    with django_assert_max_num_queries(12):
        client.get(reverse(name), query)

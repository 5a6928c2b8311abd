"""The public pages of the figures: campaigns, dashboard, map; their filters, links and
query counts (constant whatever the number of rows)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.mobilisation.selectors import figures
from kenlabour.mobilisation.tests.factories import CampaignFactory, coordinator
from kenlabour.mobilisation.tests.pages_figures import build_figures
from kenlabour.mobilisation.tests.test_figures_selectors import recompute

pytestmark = pytest.mark.django_db


def french(number: int) -> str:
    """A whole number as the French locale writes it (non-breaking space every 3 digits)."""
    return f"{number:,}".replace(",", "\xa0")


@pytest.fixture
def campaign():
    campaign = CampaignFactory(
        name="COVID-19, test", slug="covid-test", starts_on=datetime.date(2020, 3, 16)
    )
    build_figures(campaign, scale=2)
    return campaign


def dashboard_url(campaign, query=""):
    url = reverse("mobilisation:campaign", kwargs={"slug": campaign.slug})
    return f"{url}?{query}" if query else url


def test_campaigns_list_the_headline_figures(client, campaign):
    response = client.get(reverse("mobilisation:campaigns"))
    content = response.content.decode()
    totals = recompute(campaign)["all"]
    assert campaign.name in content
    assert f"<td>{french(totals['requested'])}</td>" in content
    coverage = figures.coverage_of(totals["confirmed"], totals["requested"])
    assert f"{coverage}".replace(".", ",") + "&nbsp;%" in content


def test_dashboard_shows_the_figures_in_french(client, campaign):
    response = client.get(dashboard_url(campaign))
    assert response.status_code == 200
    content = response.content.decode()
    totals = recompute(campaign)["all"]
    coverage = figures.coverage_of(totals["confirmed"], totals["requested"])
    for name in ("needs", "requested", "produced", "delivered", "confirmed", "producers"):
        assert f'<span class="figure">{french(totals[name])}</span>' in content, name
    assert f'<span class="figure">{str(coverage).replace(".", ",")}&nbsp;%</span>' in content
    # Three real tables: by département, by item (no EPCI without a département).
    assert content.count("<caption") == 2
    assert content.count('<th scope="col">') == 16
    assert 'id="intercommunalites"' not in content
    assert "Finistère" in content and "Producteurs sans lieu fixe" in content


def test_dashboard_with_a_departement_shows_its_epcis(client, campaign):
    response = client.get(dashboard_url(campaign, "departement=29"))
    content = response.content.decode()
    assert 'id="intercommunalites"' in content
    assert "Quimper Bretagne Occidentale" in content
    assert "Hors intercommunalité" in content  # Ouessant
    # The exports keep the filters.
    assert "chiffres.csv?departement=29" in content


def test_links_for_the_public_producers_and_coordinators(client, campaign):
    submit = reverse("mobilisation:need_submit", kwargs={"slug": campaign.slug})
    producer = reverse("mobilisation:producer", kwargs={"slug": campaign.slug})
    coordination = [
        reverse(name, kwargs={"slug": campaign.slug})
        for name in (
            "mobilisation:needs",
            "mobilisation:run_matching",
            "mobilisation:discrepancies",
        )
    ]
    content = client.get(dashboard_url(campaign)).content.decode()
    assert f'href="{submit}"' in content and "Déclarer un besoin" in content
    assert f'href="{producer}"' in content
    assert not any(f'href="{url}"' in content for url in coordination)

    client.force_login(UserFactory())
    content = client.get(dashboard_url(campaign)).content.decode()
    assert not any(f'href="{url}"' in content for url in coordination)

    client.force_login(coordinator(campaign))
    content = client.get(dashboard_url(campaign)).content.decode()
    assert all(f'href="{url}"' in content for url in coordination)

    campaign.accepts_needs = False
    campaign.save()
    content = client.get(dashboard_url(campaign)).content.decode()
    assert f'href="{submit}"' not in content
    assert "ne reçoit plus de besoins" in content


def test_a_coordinator_of_another_campaign_sees_no_coordination_link(client, campaign):
    client.force_login(coordinator(CampaignFactory()))
    content = client.get(dashboard_url(campaign)).content.decode()
    assert reverse("mobilisation:needs", kwargs={"slug": campaign.slug}) not in content


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("departement=99", "departement", "Sélectionnez un choix valide"),
        ("article=abc", "article", "Sélectionnez un choix valide"),
        ("departement=35&epci=200068120", "epci", "aucune commune dans le département choisi"),
    ],
)
def test_wrong_filters_are_explained_at_their_field(client, campaign, query, field, message):
    response = client.get(dashboard_url(campaign, query))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert response.context["report"] is None
    assert response.content.decode().count("Erreur") >= 1


def test_unknown_campaign_is_a_404(client):
    assert client.get(reverse("mobilisation:campaign", kwargs={"slug": "x"})).status_code == 404
    assert client.get(reverse("mobilisation:campaign_map", kwargs={"slug": "x"})).status_code == 404
    assert client.get(reverse("mobilisation:figures_csv", kwargs={"slug": "x"})).status_code == 404


def test_the_map_page_is_a_table_of_communes(client, campaign):
    response = client.get(reverse("mobilisation:campaign_map", kwargs={"slug": campaign.slug}))
    content = response.content.decode()
    report = response.context["report"]
    assert len(report.communes) == 6
    assert content.count('<th scope="row">') == 6
    assert '<table id="communes"' in content
    # Positions are written with a dot whatever the language (the map script reads them).
    assert re.search(r'data-latitude="4\d\.\d+"', content)
    assert 'id="carte-bloc" class="map-block" hidden' in content
    assert "producteur actif sans lieu fixe" in content


def test_the_map_follows_the_filters(client, campaign):
    url = reverse("mobilisation:campaign_map", kwargs={"slug": campaign.slug})
    report = client.get(f"{url}?departement=35").context["report"]
    assert [c.code for c in report.communes] == ["35238"]
    response = client.get(f"{url}?departement=inconnu")
    assert response.context["report"] is None and "departement" in response.context["form"].errors


def grow(campaign, scale):
    build_figures(campaign, scale=scale)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("name", "query", "budget"),
    [
        ("mobilisation:campaigns", "", 3),
        ("mobilisation:campaign", "", 10),
        ("mobilisation:campaign", "departement=29&article=__item__", 12),
        ("mobilisation:campaign_map", "", 10),
        ("mobilisation:figures_csv", "", 10),
        ("mobilisation:figures_xlsx", "epci=200068120", 10),
    ],
)
def test_query_count_does_not_grow_with_the_rows(
    client, django_assert_max_num_queries, name, query, budget
):
    campaign = CampaignFactory(slug="grandit")
    grow(campaign, 1)
    item = campaign.item_types.first()
    kwargs = {} if name == "mobilisation:campaigns" else {"slug": campaign.slug}
    url = reverse(name, kwargs=kwargs) + "?" + query.replace("__item__", str(item.pk))
    small = count_queries(client, url)
    grow(campaign, 4)  # five times the needs, producers and deliveries
    CampaignFactory()  # and another campaign
    with django_assert_max_num_queries(budget):
        large = count_queries(client, url)
    assert large == small

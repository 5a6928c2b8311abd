"""Territorial engagement: figures recomputed from the records the test creates, a constant
number of queries, anonymity, and the page."""

import datetime

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kenlabour.network.enums import LinkSourceKind, ModerationStatus, OrganisationKind
from kenlabour.network.selectors import engagement as selectors
from kenlabour.network.services import graph as graph_services
from kenlabour.network.tests.factories import (
    ActorFactory,
    FablabFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceLessCollectiveFactory,
    commune,
)
from kenlabour.territories.enums import CommuneKind
from kenlabour.territories.geo import haversine_km
from kenlabour.territories.models import Commune, Departement, Epci

DAY = datetime.date(2021, 3, 4)


def know(a, b):
    graph_services.record_cooperation(
        [a.pk, b.pk], kind=LinkSourceKind.PARTNERSHIP, reference=f"{a.pk}-{b.pk}", date=DAY
    )


def population(**filters) -> int:
    """The population of a territory: the sum of its communes' (not their arrondissements)."""
    return Commune.objects.filter(kind=CommuneKind.COMMUNE, **filters).aggregate(
        total=Sum("population")
    )["total"]


def row_of(rows, code):
    return next(row for row in rows if row.code == code)


@pytest.fixture
def records(db):
    return make_records()


def make_records():
    """In Côtes-d'Armor: Anne (Saint-Brieuc) knows the Lannion association, which knows a
    Quimper collective; Corentin (Dinan, no public page) knows nobody; a pending actor
    does not count. A place-less network acts in the whole of Côtes-d'Armor and in Vannes.
    In Finistère: a Brest fablab, a Brest collective that knows it, an isolated Quimper
    collective; a fablab in Rennes."""
    anne = PersonFactory(name="Anne Le Goff", commune=commune("22278"))
    lannion = OrganisationFactory(name="Association de Lannion", commune=commune("22113"))
    corentin = PersonFactory(
        name="Corentin Le Bras", commune=commune("22050"), public_consent=False
    )
    ActorFactory(name="En attente", commune=commune("22278"), status=ModerationStatus.PENDING)
    network = PlaceLessCollectiveFactory(name="Réseau des couturières")
    network.area_departements.add(Departement.objects.get(code="22"))
    network.area_communes.add(commune("56260"))
    fablab_brest = FablabFactory(name="Fablab de Brest", commune=commune("29019"))
    FablabFactory(name="Fablab de Rennes", commune=commune("35238"))
    collectif_brest = ActorFactory(name="Collectif de Brest", commune=commune("29019"))
    collectif_quimper = ActorFactory(name="Collectif de Quimper", commune=commune("29232"))
    know(anne, lannion)
    know(lannion, collectif_quimper)
    know(collectif_brest, fablab_brest)
    return {
        "anne": anne,
        "lannion": lannion,
        "corentin": corentin,
        "network": network,
        "fablab_brest": fablab_brest,
        "collectif_brest": collectif_brest,
        "collectif_quimper": collectif_quimper,
    }


def test_departement_figures_are_recomputed_from_the_records(records):
    report = selectors.territorial_engagement()
    cotes = row_of(report.departements, "22")
    # Anne, the Lannion association, Corentin and the place-less network: 4 active actors.
    assert cotes.actors == 4
    assert cotes.population == population(departement_id="22")
    assert cotes.per_10k == pytest.approx(4 * 10_000 / population(departement_id="22"))
    # Degrees: Anne 1, Lannion 2 (Anne and the Quimper collective), Corentin 0, network 0.
    assert cotes.links_per_actor == pytest.approx((1 + 2 + 0 + 0) / 4)
    assert cotes.isolated == 2
    assert cotes.isolated_share == pytest.approx(2 / 4)

    finistere = row_of(report.departements, "29")
    # Two fablab-less collectives and the Brest fablab: 3 actors, the Quimper one linked to
    # Lannion, so nobody isolated; 2 links inside/outside: Brest pair (2 ends) + Quimper (1).
    assert finistere.actors == 3
    assert finistere.links_per_actor == pytest.approx(3 / 3)
    assert finistere.isolated == 0

    # The place-less network also counts in the département of Vannes, where it acts.
    morbihan = row_of(report.departements, "56")
    assert (morbihan.actors, morbihan.isolated) == (1, 1)
    assert morbihan.per_10k == pytest.approx(10_000 / population(departement_id="56"))
    # Every département is listed, even without actors.
    assert len(report.departements) == Departement.objects.count()
    assert row_of(report.departements, "23").actors == 0


def test_population_counts_paris_once_not_again_through_its_arrondissements(db):
    report = selectors.territorial_engagement()
    paris = row_of(report.departements, "75")
    assert paris.population == Commune.objects.get(code="75056").population


def test_epci_figures_of_a_chosen_departement(records):
    cotes = Departement.objects.get(code="22")
    report = selectors.territorial_engagement(cotes)
    saint_brieuc = commune("22278").epci_id
    epci_codes = set(
        Commune.objects.filter(departement=cotes, epci__isnull=False).values_list(
            "epci_id", flat=True
        )
    )
    assert {row.code for row in report.epcis} == epci_codes
    row = row_of(report.epcis, saint_brieuc)
    # Anne, and the place-less network acting in the whole département.
    assert row.actors == 2
    assert row.population == population(epci_id=saint_brieuc)
    assert row.per_10k == pytest.approx(2 * 10_000 / population(epci_id=saint_brieuc))
    assert row.isolated == 1
    # The network counts in every EPCI of Côtes-d'Armor.
    assert all(r.actors >= 1 for r in report.epcis)


def test_each_collective_with_its_nearest_fablab(records):
    report = selectors.territorial_engagement(Departement.objects.get(code="29"))
    by_name = {row.name: row for row in report.collectives}
    assert set(by_name) == {"Collectif de Brest", "Collectif de Quimper"}
    quimper, brest = commune("29232"), commune("29019")
    expected = haversine_km(quimper.latitude, quimper.longitude, brest.latitude, brest.longitude)
    assert by_name["Collectif de Quimper"].fablab_name == "Fablab de Brest"
    assert by_name["Collectif de Quimper"].fablab_km == pytest.approx(expected)
    assert by_name["Collectif de Brest"].fablab_km == pytest.approx(0.0, abs=1e-6)
    # Quimper is more than 30 km from any fablab: a place to cultivate; Brest is not.
    assert expected > 30
    assert [row.name for row in report.cultivate_collectives] == ["Collectif de Quimper"]


def test_isolated_and_place_less_collectives_are_places_to_cultivate(records):
    report = selectors.territorial_engagement(Departement.objects.get(code="22"))
    by_name = {row.name: row for row in report.collectives}
    network = by_name["Réseau des couturières"]
    assert network.place_less and network.fablab_km is None and network.links == 0
    assert network in report.cultivate_collectives


def test_the_lowest_engagement_comes_first(records):
    report = selectors.territorial_engagement()
    values = [row.per_10k for row in report.cultivate_departements]
    assert values == sorted(values)
    assert all(row.code not in {"22", "29", "56"} for row in report.cultivate_departements)


def test_maker_collectives_registered_as_organisations_are_collectives(records):
    OrganisationFactory(
        name="Makers du Léon",
        commune=commune("29019"),
        organisation_kind=OrganisationKind.MAKER_COLLECTIVE,
    )
    report = selectors.territorial_engagement(Departement.objects.get(code="29"))
    assert "Makers du Léon" in {row.name for row in report.collectives}


def queries_of(departement) -> int:
    with CaptureQueriesContext(connection) as queries:
        selectors.territorial_engagement(departement, "-pour10000", fresh=True)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_territories_actors_and_links(records):
    cotes = Departement.objects.get(code="22")
    national, departmental = queries_of(None), queries_of(cotes)
    previous = records["anne"]
    for code in ("22113", "22050", "35238", "56260", "29019", "75056", "97411"):
        actor = ActorFactory(commune=commune(code))
        know(previous, actor)
        previous = actor
    more = PlaceLessCollectiveFactory()
    more.area_epcis.add(Epci.objects.get(code=commune("22278").epci_id))
    know(more, previous)
    assert queries_of(None) == national
    assert queries_of(cotes) == departmental
    assert departmental <= 15


def test_the_page_counts_people_without_naming_them(client, records):
    response = client.get(reverse("network:engagement"), {"departement": "22"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Anne Le Goff" not in html and "Corentin Le Bras" not in html
    assert "Réseau des couturières" in html  # a collective is named


def test_the_table_is_sorted_by_a_get_parameter(client, records):
    response = client.get(reverse("network:engagement"), {"tri": "-pour10000"})
    assert response.status_code == 200
    rows = response.context["report"].departements
    values = [row.per_10k or 0 for row in rows]
    assert values == sorted(values, reverse=True)
    html = response.content.decode()
    assert 'aria-sort="descending"' in html
    assert "tri=pour10000#departements" in html  # the next click sorts ascending


def test_a_wrong_departement_is_answered_at_the_field(client, db):
    response = client.get(reverse("network:engagement"), {"departement": "999"})
    assert response.status_code == 200
    assert "Choisissez un département de la liste." in response.content.decode()
    assert response.context["report"].departement is None


def test_cached_figures_follow_new_records(records):
    cotes = Departement.objects.get(code="22")
    before = row_of(selectors.territorial_engagement(cotes).departements, "22")
    with CaptureQueriesContext(connection) as queries:
        again = selectors.territorial_engagement(cotes, "-pour10000")
    assert len(queries) == 1, "read from the cache"
    assert row_of(again.departements, "22") == before
    assert again.departements[0].per_10k >= again.departements[-1].per_10k  # sorted anyway
    newcomer = ActorFactory(commune=commune("22278"))
    know(newcomer, records["anne"])
    after = row_of(selectors.territorial_engagement(cotes).departements, "22")
    assert (after.actors, after.isolated) == (before.actors + 1, before.isolated)
    records["corentin"].status = ModerationStatus.REJECTED
    records["corentin"].save()
    latest = row_of(selectors.territorial_engagement(cotes).departements, "22")
    assert (latest.actors, latest.isolated) == (after.actors - 1, after.isolated - 1)

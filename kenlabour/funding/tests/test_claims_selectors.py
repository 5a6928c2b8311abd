"""The claims room's reads: which relay a claim goes to on a date (coverage history,
place-less collectives), what may be claimed, the lists without N+1 queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kenlabour.funding.enums import ClaimStatus
from kenlabour.funding.models import ClaimLine
from kenlabour.funding.selectors import claims as selectors
from kenlabour.funding.services import claims as services
from kenlabour.funding.tests.factories import (
    ClaimFactory,
    CoverageFactory,
    RelayFactory,
    confirmed_delivery,
    treasurer,
)
from kenlabour.funding.tests.pages_claims import world
from kenlabour.mobilisation.enums import DeliveryStatus
from kenlabour.mobilisation.tests.factories import ItemTypeFactory
from kenlabour.network.tests.factories import (
    FablabFactory,
    PersonFactory,
    PlaceLessCollectiveFactory,
    commune,
)
from kenlabour.territories.models import Departement, Epci

pytestmark = pytest.mark.django_db

D = datetime.date


def dep(code: str) -> Departement:
    return Departement.objects.get(code=code)


# --- relay_for -------------------------------------------------------------------------------


def test_a_coverage_change_sends_claims_before_and_after_to_different_relays():
    """Finistère is covered by one relay in 2020, by another from 2021 on."""
    before, after = RelayFactory(name="Relais 2020"), RelayFactory(name="Relais 2021")
    CoverageFactory(
        relay=before, departement=dep("29"), valid_from=D(2020, 1, 1), valid_until=D(2020, 12, 31)
    )
    CoverageFactory(relay=after, departement=dep("29"), valid_from=D(2021, 1, 1))
    fablab = FablabFactory(commune=commune("29232"))  # Quimper
    assert selectors.relay_for(fablab, D(2020, 4, 1)).relay == before
    assert selectors.relay_for(fablab, D(2020, 12, 31)).relay == before  # last day included
    assert selectors.relay_for(fablab, D(2021, 1, 1)).relay == after
    assert selectors.relay_for(fablab, D(2030, 6, 1)).relay == after  # open-ended
    found = selectors.relay_for(fablab, D(2019, 6, 1))
    assert found.relay is None and "Aucun relais ne couvre" in found.reason
    assert "Finistère" in found.reason


def test_the_relay_of_the_claimants_own_departement():
    west, east = RelayFactory(), RelayFactory()
    CoverageFactory(relay=west, departement=dep("29"))
    CoverageFactory(relay=east, departement=dep("35"))
    rennes = PersonFactory(commune=commune("35238"))
    assert selectors.relay_for(rennes, D(2020, 5, 1)).relay == east


def test_a_place_less_collective_goes_to_the_relay_of_its_area():
    west, morbihan = RelayFactory(), RelayFactory()
    CoverageFactory(relay=west, departement=dep("29"))
    CoverageFactory(relay=morbihan, departement=dep("56"))
    collective = PlaceLessCollectiveFactory()
    collective.area_departements.set([dep("56")])
    assert selectors.relay_for(collective, D(2020, 5, 1)).relay == morbihan


def test_a_place_less_collective_without_departements_uses_its_epcis_and_communes():
    west, morbihan = RelayFactory(), RelayFactory()
    CoverageFactory(relay=west, departement=dep("29"))
    CoverageFactory(relay=morbihan, departement=dep("56"))
    collective = PlaceLessCollectiveFactory()
    collective.area_epcis.set([Epci.objects.get(pk=commune("29232").epci_id)])  # Quimper's
    assert selectors.relay_for(collective, D(2020, 5, 1)).relay == west
    other = PlaceLessCollectiveFactory()
    other.area_communes.set([commune("56121")])  # Lorient
    assert selectors.relay_for(other, D(2020, 5, 1)).relay == morbihan


def test_one_relay_covering_all_of_a_collectives_area_is_its_relay():
    east = RelayFactory(name="Relais Ille-et-Vilaine et Côtes-d'Armor")
    CoverageFactory(relay=east, departement=dep("35"))
    CoverageFactory(relay=east, departement=dep("22"))
    collective = PlaceLessCollectiveFactory()
    collective.area_departements.set([dep("22"), dep("35")])
    assert selectors.relay_for(collective, D(2020, 5, 1)).relay == east


def test_several_relays_or_no_territory_give_no_relay_and_say_why():
    west, morbihan = RelayFactory(name="Relais Ouest"), RelayFactory(name="Relais Morbihan")
    CoverageFactory(relay=west, departement=dep("29"))
    CoverageFactory(relay=morbihan, departement=dep("56"))
    collective = PlaceLessCollectiveFactory(name="Couturières de Bretagne sud")
    collective.area_departements.set([dep("29"), dep("56")])
    found = selectors.relay_for(collective, D(2020, 5, 1))
    assert found.relay is None
    assert "Plusieurs relais" in found.reason
    assert "Relais Ouest" in found.reason and "Relais Morbihan" in found.reason
    nowhere = PlaceLessCollectiveFactory(name="Réseau en ligne")
    relay, reason = selectors.relay_for(nowhere, D(2020, 5, 1))
    assert relay is None and "zone d'action" in reason and "Réseau en ligne" in reason
    homeless = PersonFactory(commune=None)
    relay, reason = selectors.relay_for(homeless, D(2020, 5, 1))
    assert relay is None and "commune" in reason


# --- claimable deliveries --------------------------------------------------------------------


def test_claimable_deliveries_are_the_confirmed_ones_of_the_campaign_not_in_a_live_line():
    w = world()
    item = w.item
    discrepancy = confirmed_delivery(w.claimant, item, 20)
    discrepancy.status, discrepancy.confirmed_units = DeliveryStatus.DISCREPANCY, 15
    discrepancy.save()
    declared = confirmed_delivery(w.claimant, item, 10)
    declared.status, declared.confirmed_units = DeliveryStatus.DECLARED, None
    declared.save()
    nothing_received = confirmed_delivery(w.claimant, item, 10)
    nothing_received.status, nothing_received.confirmed_units = DeliveryStatus.DISCREPANCY, 0
    nothing_received.save()
    confirmed_delivery(FablabFactory(), item, 10)  # another producer's
    confirmed_delivery(w.claimant, ItemTypeFactory(), 10)  # another campaign's
    in_live = confirmed_delivery(w.claimant, item, 5)
    in_dead = confirmed_delivery(w.claimant, item, 6)
    live_claim = ClaimFactory(envelope=w.envelope, claimant=w.claimant)
    ClaimLine.objects.create(claim=live_claim, delivery=in_live, units=5, cents_per_unit=1)
    dead_claim = ClaimFactory(envelope=w.envelope, claimant=w.claimant, status=ClaimStatus.REJECTED)
    ClaimLine.objects.create(
        claim=dead_claim, delivery=in_dead, units=6, cents_per_unit=1, live=False
    )
    assert set(selectors.claimable_deliveries(w.claimant, w.envelope)) == {
        w.delivery,
        discrepancy,
        in_dead,
    }


# --- lists -----------------------------------------------------------------------------------


def _claims(w, n):
    for _ in range(n):
        delivery = confirmed_delivery(w.claimant, w.item, 3)
        claim = services.create_claim(
            w.claimant_user, w.envelope, w.claimant, deliveries=[delivery]
        )
        services.submit(w.claimant_user, claim)


def _queries(function, *args) -> tuple[int, list]:
    with CaptureQueriesContext(connection) as captured:
        rows = function(*args)
        names = [(c.envelope.name, c.claimant.name, c.relay and c.relay.name) for c in rows]
    assert len(names) == len(rows)
    return len(captured), rows


def test_the_lists_read_a_constant_number_of_queries():
    w = world()
    _claims(w, 2)
    few_mine, _rows = _queries(selectors.claims_of_actors, [w.claimant])
    few_relay, _rows = _queries(selectors.claims_of_relay, w.relay)
    _claims(w, 5)
    many_mine, mine = _queries(selectors.claims_of_actors, [w.claimant])
    many_relay, relayed = _queries(selectors.claims_of_relay, w.relay)
    assert (few_mine, few_relay) == (many_mine, many_relay) == (1, 1)
    assert len(mine) == len(relayed) == 7
    assert all(claim.line_count == 1 and claim.expense_count == 0 for claim in mine)


def test_a_relay_sees_its_claims_to_review_first():
    w = world()
    _claims(w, 3)
    first = selectors.claims_of_relay(w.relay)[0]
    services.review(w.treasurer_user, first, services.APPROVE)
    rows = selectors.claims_of_relay(w.relay)
    assert [c.status for c in rows] == [
        ClaimStatus.SUBMITTED,
        ClaimStatus.SUBMITTED,
        ClaimStatus.APPROVED,
    ]
    assert selectors.claims_of_relay(RelayFactory()) == []
    assert [c.pk for c in selectors.claims_of_relay(w.relay, ClaimStatus.APPROVED)] == [first.pk]


def test_a_treasurer_sees_their_relays():
    relay = RelayFactory()
    user = treasurer(relay)
    assert selectors.treasurer_relays(user) == [relay]

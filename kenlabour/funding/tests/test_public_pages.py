"""The transparency pages: figures recomputed from the records, people anonymised unless
they consented, a fixed number of queries."""

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kenlabour.funding.enums import ClaimStatus, TransferKind
from kenlabour.funding.models import Claim, Transfer
from kenlabour.funding.selectors import public as selectors
from kenlabour.funding.templatetags.funding_claims import format_euros
from kenlabour.funding.tests.factories import EnvelopeFactory
from kenlabour.funding.tests.pages_public import _claim, granted_envelope
from kenlabour.mobilisation.tests.factories import ItemTypeFactory
from kenlabour.network.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

GRANTED = [ClaimStatus.SCHEDULED, ClaimStatus.PAID]


def _sum(queryset, field):
    return queryset.aggregate(total=Sum(field))["total"] or 0


def test_relay_figures_are_the_sums_of_their_claims_and_transfers():
    granted = granted_envelope()
    envelope = granted.envelope
    report = selectors.envelope_report(envelope)
    assert {row.relay for row in report.relays} == set(granted.relays)
    for row in report.relays:
        claims = Claim.objects.filter(envelope=envelope, relay=row.relay)
        transfers = Transfer.objects.filter(envelope=envelope, relay=row.relay)
        received = claims.exclude(status__in=[ClaimStatus.DRAFT, ClaimStatus.CANCELLED])
        assert row.figures.received == received.count()
        assert row.figures.allocated_cents == _sum(
            claims.filter(status__in=GRANTED), "allocated_cents"
        )
        paid = _sum(transfers.filter(kind=TransferKind.RELAY_TO_CLAIMANT), "amount_cents")
        assert row.figures.paid_cents == paid
        assert row.figures.from_funder_cents == _sum(
            transfers.filter(kind=TransferKind.FUNDER_TO_RELAY), "amount_cents"
        )
        scheduled = _sum(claims.filter(status=ClaimStatus.SCHEDULED), "allocated_cents")
        assert row.figures.pending_cents == scheduled
    totals = report.totals
    all_claims = Claim.objects.filter(envelope=envelope)
    assert totals.allocated_cents == sum(r.figures.allocated_cents for r in report.relays)
    assert totals.paid_cents == _sum(
        Transfer.objects.filter(envelope=envelope, kind=TransferKind.RELAY_TO_CLAIMANT),
        "amount_cents",
    )
    assert totals.beneficiaries == all_claims.filter(status__in=GRANTED).count()
    assert totals.claimants == all_claims.exclude(status=ClaimStatus.DRAFT).count()
    assert report.unallocated_cents == envelope.total_cents - totals.allocated_cents


def test_departement_and_item_figures_add_up_to_the_totals():
    granted = granted_envelope()
    report = selectors.envelope_report(granted.envelope)
    assert sum(r.figures.allocated_cents for r in report.departements) == (
        report.totals.allocated_cents
    )
    assert sum(r.figures.paid_cents for r in report.departements) == report.totals.paid_cents
    codes = [r.code for r in report.departements]
    assert codes == ["29", "35", ""]  # the place-less collective last
    granted_units = sum(
        claim.units_cents
        for claim in Claim.objects.filter(envelope=granted.envelope, status__in=GRANTED)
    )
    assert sum(r.cents for r in report.items) == granted_units
    statuses = {r.status: r.count for r in report.statuses}
    assert ClaimStatus.DRAFT not in statuses
    assert statuses[ClaimStatus.REJECTED] == 1


def test_public_page_names_organisations_and_consenting_people_only(client):
    granted = granted_envelope()
    response = client.get(reverse("funding:envelope", kwargs={"slug": granted.envelope.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Maëlle Consentante", "Fablab de Quimper", "Réseau des couturières"):
        assert name in html
    assert "Loïc Discret" not in html  # a person who did not consent
    assert "Personne anonyme" in html
    for name in ("Fablab refusé", "Gaïd Enretard", "Brouillon Perso"):
        assert name not in html  # no share: not listed
    fablab = granted.claims["fablab"]
    assert format_euros(fablab.allocated_cents) in html
    assert reverse("funding:scdl_csv", kwargs={"slug": granted.envelope.slug}) in html
    # Statements are offered only to those who may download them.
    assert ".xlsx" not in html


def test_envelope_list_shows_each_envelope_with_its_figures(client):
    granted = granted_envelope()
    other = EnvelopeFactory(name="Enveloppe sans demande")
    response = client.get(reverse("funding:envelopes"))
    html = response.content.decode()
    assert granted.envelope.name in html and other.name in html
    rows = {e.pk: e for e in selectors.public_envelopes()}
    envelope = rows[granted.envelope.pk]
    claims = Claim.objects.filter(envelope=granted.envelope, status__in=GRANTED)
    assert envelope.allocated_cents == _sum(claims, "allocated_cents")
    assert envelope.paid_cents == _sum(
        Transfer.objects.filter(envelope=granted.envelope, kind=TransferKind.RELAY_TO_CLAIMANT),
        "amount_cents",
    )
    assert rows[other.pk].allocated_cents == 0 and rows[other.pk].paid_cents == 0


def test_unknown_envelope_is_a_404(client):
    assert client.get(reverse("funding:envelope", kwargs={"slug": "inconnue"})).status_code == 404
    url = reverse("funding:scdl_csv", kwargs={"slug": "inconnue"})
    assert client.get(url).status_code == 404


def test_page_queries_do_not_grow_with_claims(client):
    granted = granted_envelope()
    url = reverse("funding:envelope", kwargs={"slug": granted.envelope.slug})
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    item = ItemTypeFactory(campaign=granted.envelope.campaign)
    for n in range(6):
        person = PersonFactory(public_consent=bool(n % 2))
        _claim(
            granted.envelope,
            person,
            granted.relays[n % 2],
            ClaimStatus.PAID,
            [(item, 100, 10 + n)],
            allocated=1_000 + n,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)

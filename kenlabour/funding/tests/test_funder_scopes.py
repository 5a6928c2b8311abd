"""A funder reads what concerns its own envelopes only: another region's funder, signed in,
reads Brittany's public ledger as the public does (no bank reference), and every funding
page that is not public refuses it. The public pages stay public, without bank
references."""

import pytest
from django.urls import reverse

from kenlabour.funding.enums import TransferKind
from kenlabour.funding.models import Transfer
from kenlabour.funding.tests.factories import FunderFactory, funder_user
from kenlabour.funding.tests.pages_money import allocated_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return allocated_world()


def references() -> list[str]:
    return list(Transfer.objects.values_list("bank_reference", flat=True))


def test_another_regions_funder_reads_no_bank_reference_on_the_ledger(client, w):
    other = funder_user(FunderFactory(name="Région Normandie"))
    for reader in (None, other):
        client.logout()
        if reader:
            client.force_login(reader)
        page = client.get(reverse("funding:ledger")).content.decode()
        assert "Référence bancaire réservée au financeur et au relais." in page
        for reference in references():
            assert reference not in page
    client.force_login(w.funder_user)
    page = client.get(reverse("funding:ledger")).content.decode()
    for reference in references():
        assert f"Référence bancaire : {reference}." in page


def test_a_relays_treasurer_reads_the_references_of_its_own_transfers_only(client, w):
    client.force_login(w.other_treasurer)
    page = client.get(reverse("funding:ledger")).content.decode()
    for transfer in Transfer.objects.all():
        shown = f"Référence bancaire : {transfer.bank_reference}." in page
        assert shown == (transfer.relay_id == w.other_relay.pk)


def test_another_regions_funder_is_refused_every_restricted_page(client, w):
    client.force_login(funder_user(FunderFactory(name="Région Normandie")))
    slug = w.envelope.slug
    paid = Transfer.objects.get(kind=TransferKind.RELAY_TO_CLAIMANT).claim
    refused = [
        reverse("funding:envelope_manage", kwargs={"slug": slug}),
        reverse("funding:relay_statement", kwargs={"slug": slug, "relay": w.relay.slug}),
        reverse("funding:pay", kwargs={"pk": paid.pk}),
        reverse("funding:claim_statement", kwargs={"pk": paid.pk}),
        reverse("funding:claim", kwargs={"pk": paid.pk}),
        reverse("funding:relay_claims", kwargs={"relay": w.relay.slug}),
    ]
    for url in refused:
        assert client.get(url).status_code in (403, 404), url
    # The public pages stay public, and carry no bank reference.
    for url in (
        reverse("funding:envelopes"),
        reverse("funding:envelope", kwargs={"slug": slug}),
        reverse("funding:scdl_csv", kwargs={"slug": slug}),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        for reference in references():
            assert reference.encode() not in response.content, url

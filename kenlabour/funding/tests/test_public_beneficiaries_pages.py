"""The beneficiaries of an envelope, cut into pages of 25: the figures stay those of every
share, the pages keep the other parameters of the address."""

import re
from html import unescape

import pytest
from django.urls import reverse

from kenlabour.funding.enums import ClaimStatus
from kenlabour.funding.models import Claim
from kenlabour.funding.templatetags.funding_claims import format_euros
from kenlabour.funding.tests.pages_public import _claim, granted_envelope
from kenlabour.funding.views.public import BENEFICIARIES_PER_PAGE
from kenlabour.mobilisation.tests.factories import ItemTypeFactory
from kenlabour.network.tests.factories import FablabFactory

pytestmark = pytest.mark.django_db

GRANTED = [ClaimStatus.SCHEDULED, ClaimStatus.PAID]


def _many_beneficiaries(granted, n):
    item = ItemTypeFactory(campaign=granted.envelope.campaign)
    for number in range(n):
        _claim(
            granted.envelope,
            FablabFactory(name=f"Fablab numéro {number:03d}"),
            granted.relays[number % 2],
            ClaimStatus.PAID,
            [(item, 100, 10)],
            allocated=1_000,
        )


def _page(client, granted, **params) -> str:
    url = reverse("funding:envelope", kwargs={"slug": granted.envelope.slug})
    response = client.get(url, params)
    assert response.status_code == 200
    return unescape(response.content.decode())


def _rows(content) -> list[str]:
    section = content.split('id="beneficiaires"')[1]
    return re.findall(r'<th scope="row">([^<]+)</th>', section)


def test_the_beneficiaries_come_25_a_page_and_the_figures_count_them_all(client):
    granted = granted_envelope()
    _many_beneficiaries(granted, 30)
    shares = Claim.objects.filter(envelope=granted.envelope, status__in=GRANTED)
    total = shares.count()
    assert total > BENEFICIARIES_PER_PAGE
    first = _page(client, granted)
    assert len(_rows(first)) == BENEFICIARIES_PER_PAGE
    assert f"{total} parts attribuées" in first, "the caption counts every share"
    allocated = sum(claim.allocated_cents for claim in shares)
    assert format_euros(allocated) in first, "the total is computed over every share"
    assert f"Parts 1 à 25 sur {total}." in first
    second = _page(client, granted, page="2")
    assert len(_rows(second)) == total - BENEFICIARIES_PER_PAGE
    assert set(_rows(first)).isdisjoint(_rows(second))
    assert format_euros(allocated) in second


def test_the_page_links_keep_the_other_parameters_and_lead_back_to_the_list(client):
    granted = granted_envelope()
    _many_beneficiaries(granted, 30)
    content = _page(client, granted, tri="nom")
    link = content.split('rel="next"')[0].rsplit("href=", 1)[1]
    assert "tri=nom" in link and "page=2" in link and "#beneficiaires" in link


def test_a_page_number_out_of_range_shows_the_last_page_not_an_error(client):
    granted = granted_envelope()
    _many_beneficiaries(granted, 30)
    assert _rows(_page(client, granted, page="99999")) == _rows(_page(client, granted, page="2"))
    assert _rows(_page(client, granted, page="-1")) == _rows(_page(client, granted, page="2"))
    assert _rows(_page(client, granted, page="abc")) == _rows(_page(client, granted))


@pytest.mark.parametrize("page", ["1", "2"])
def test_a_page_of_beneficiaries_takes_the_same_queries_for_few_or_many(
    client, page, django_assert_max_num_queries
):
    few, many = granted_envelope(), granted_envelope()
    _many_beneficiaries(few, 26)
    _many_beneficiaries(many, 60)
    counts = []
    for granted in (few, many):
        url = reverse("funding:envelope", kwargs={"slug": granted.envelope.slug})
        with django_assert_max_num_queries(12) as queries:
            assert client.get(url, {"page": page}).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]

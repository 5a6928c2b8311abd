"""The funding tables' own guarantees: reasons the platform wrote are put into words in
the reader's language; dates and amounts out of range are refused by the database itself."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from kenlabour.funding.bounds import MAX_CENTS
from kenlabour.funding.enums import ClaimStatus, ReasonCode, TransferKind
from kenlabour.funding.models import Coverage, Envelope, Transfer, Transition
from kenlabour.funding.tests.factories import CoverageFactory, EnvelopeFactory, RelayFactory
from kenlabour.funding.tests.pages_claims import world

pytestmark = pytest.mark.django_db


def test_system_reasons_are_translated_when_shown():
    w = world()
    from kenlabour.funding.models import Claim

    claim = Claim.objects.create(envelope=w.envelope, claimant=w.claimant, relay=w.relay)
    allocation = Transition.objects.create(
        claim=claim,
        from_status=ClaimStatus.APPROVED,
        to_status=ClaimStatus.SCHEDULED,
        reason_code=ReasonCode.ALLOCATION,
    )
    payout = Transition.objects.create(
        claim=claim,
        from_status=ClaimStatus.SCHEDULED,
        to_status=ClaimStatus.PAID,
        reason_code=ReasonCode.PAYOUT,
        reason_data={"reference": "VIR-42", "date": "2026-11-30"},
    )
    typed = Transition.objects.create(
        claim=claim, to_status=ClaimStatus.REJECTED, reason="Déjà compensée"
    )
    with translation.override("fr"):
        assert allocation.reason_text() == "Répartition de l'enveloppe"
        assert payout.reason_text() == "Virement VIR-42 du 30 novembre 2026"
    with translation.override("en"):
        assert allocation.reason_text() == "Allocation of the envelope"
        assert payout.reason_text().startswith("Transfer VIR-42 of")
        assert "2026" in payout.reason_text() and "novembre" not in payout.reason_text()
        assert typed.reason_text() == "Déjà compensée"  # a person's words, as typed


def _refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_the_database_refuses_dates_of_year_one_and_amounts_beyond_the_cap():
    envelope = EnvelopeFactory()
    relay = RelayFactory()
    year_one = datetime.date(1, 1, 1)

    def transfer(**overrides):
        values = {
            "kind": TransferKind.FUNDER_TO_RELAY,
            "envelope": envelope,
            "relay": relay,
            "amount_cents": 100,
            "date": datetime.date(2020, 5, 1),
            "bank_reference": "RB",
            "key": f"k{overrides}",
        }
        return Transfer.objects.create(**{**values, **overrides})

    _refused(lambda: transfer(date=year_one))
    _refused(lambda: transfer(amount_cents=MAX_CENTS + 1))
    _refused(lambda: CoverageFactory(valid_from=year_one))
    _refused(lambda: CoverageFactory(valid_until=datetime.date(2999, 1, 1)))
    _refused(lambda: EnvelopeFactory(opens_on=year_one, closes_on=year_one))
    _refused(lambda: EnvelopeFactory(total_cents=MAX_CENTS + 1))
    assert transfer().pk  # in range: accepted
    assert Coverage.objects.count() == 0 and Envelope.objects.count() == 1

"""Two treasurers clicking "pay" at the same moment pay once: on the real PostgreSQL
server (SQLite serialises writes by itself, so the race cannot happen there).

Run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/kenlabour."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from kenlabour.funding.enums import ClaimStatus
from kenlabour.funding.models import Claim, LedgerEntry, Transfer, Transition
from kenlabour.funding.services import ledger
from kenlabour.funding.services import money as services
from kenlabour.funding.tests.factories import treasurer
from kenlabour.funding.tests.pages_money import money_world

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4


def test_concurrent_payments_of_one_claim_pay_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    w = money_world(asks=(400_000, 250_000))
    services.allocate(w.funder_user, w.envelope)
    claim = w.claims[0]
    # Two treasurers of the same relay, each clicking twice.
    payers = [w.treasurer_user, treasurer(w.relay)] * (THREADS // 2)
    entries_before = LedgerEntry.objects.count()
    barrier = threading.Barrier(THREADS)
    results, errors = [], []
    day = timezone.localdate() - datetime.timedelta(days=1)

    def pay(n):
        try:
            barrier.wait()
            results.append(
                services.pay_claim(payers[n], claim, date=day, bank_reference=f"VIR-{n}")
            )
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(created for _transfer, created in results) == [False] * (THREADS - 1) + [True]
    assert len({transfer.pk for transfer, _created in results}) == 1
    assert Transfer.objects.filter(claim=claim).count() == 1
    assert LedgerEntry.objects.count() == entries_before + 1
    assert Transition.objects.filter(claim=claim, to_status=ClaimStatus.PAID).count() == 1
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PAID
    assert ledger.broken_positions() == []


def test_concurrent_payments_of_different_claims_chain_the_ledger():
    """Payouts of two claims at once both land, one after the other in the chain."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    w = money_world(asks=(400_000, 250_000, 300_000, 120_000))
    services.allocate(w.funder_user, w.envelope)
    mine = [c for c in w.claims if c.relay_id == w.relay.pk]
    theirs = [c for c in w.claims if c.relay_id == w.other_relay.pk]
    jobs = [(w.treasurer_user, c) for c in mine] + [(w.other_treasurer, c) for c in theirs]
    barrier = threading.Barrier(len(jobs))
    errors = []
    day = timezone.localdate() - datetime.timedelta(days=1)

    def pay(user, claim):
        try:
            barrier.wait()
            services.pay_claim(user, claim, date=day, bank_reference=f"VIR-{claim.pk}")
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Transfer.objects.filter(claim__in=w.claims).count() == len(w.claims)
    assert ledger.broken_positions() == []

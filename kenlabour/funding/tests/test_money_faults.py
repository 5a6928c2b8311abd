"""A payment killed in the middle leaves nothing half-written, and paying again pays once.

The fault is a real one, raised by the database itself: a trigger makes the insertion of
the ledger entry fail, after the transfer row, the claim's transition and its new status
were written in the same transaction. On PostgreSQL the trigger also kills the connection
itself (`pg_terminate_backend`), as a lost connection or a crashed server would.

Run on PostgreSQL with DATABASE_URL=postgres://postgres@127.0.0.1:5432/kenlabour."""

import datetime

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from kenlabour.funding.enums import ClaimStatus
from kenlabour.funding.models import Claim, LedgerEntry, Transfer, Transition
from kenlabour.funding.selectors import verification
from kenlabour.funding.services import money as services
from kenlabour.funding.tests.pages_money import money_world

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def add_fault(*, kill_connection: bool = False) -> None:
    """Make every insertion into the ledger fail, from inside the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER ledger_fault BEFORE INSERT ON funding_ledgerentry "
                "BEGIN SELECT RAISE(ABORT, 'panne simulée'); END"
            )
            return
        action = (
            "PERFORM pg_terminate_backend(pg_backend_pid());"
            if kill_connection
            else "RAISE EXCEPTION 'panne simulée';"
        )
        cursor.execute(
            "CREATE OR REPLACE FUNCTION ledger_fault() RETURNS trigger AS $$ "
            f"BEGIN {action} RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER ledger_fault BEFORE INSERT ON funding_ledgerentry "
            "FOR EACH ROW EXECUTE FUNCTION ledger_fault()"
        )


def remove_fault() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS ledger_fault")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS ledger_fault ON funding_ledgerentry")
            cursor.execute("DROP FUNCTION IF EXISTS ledger_fault()")


def scheduled_claim():
    w = money_world(asks=(400_000, 250_000))
    services.allocate(w.funder_user, w.envelope)
    return w, Claim.objects.get(pk=w.claims[0].pk)


def assert_nothing_written(claim: Claim, entries_before: int) -> None:
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SCHEDULED
    assert not Transfer.objects.filter(claim=claim).exists()
    assert not Transition.objects.filter(claim=claim, to_status=ClaimStatus.PAID).exists()
    assert LedgerEntry.objects.count() == entries_before
    assert verification.verify().intact


def assert_the_retry_pays_once(w, claim: Claim, entries_before: int) -> None:
    transfer, created = services.pay_claim(
        w.treasurer_user, claim, date=YESTERDAY, bank_reference="VIR-2"
    )
    again, created_again = services.pay_claim(
        w.treasurer_user, claim, date=YESTERDAY, bank_reference="VIR-3"
    )
    assert (created, created_again) == (True, False)
    assert again.pk == transfer.pk and again.bank_reference == "VIR-2"
    assert Transfer.objects.filter(claim=claim).count() == 1
    assert LedgerEntry.objects.count() == entries_before + 1
    assert Transition.objects.filter(claim=claim, to_status=ClaimStatus.PAID).count() == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    assert verification.verify().intact


@pytest.mark.django_db
def test_a_failure_between_the_transfer_and_the_ledger_writes_nothing():
    w, claim = scheduled_claim()
    entries_before = LedgerEntry.objects.count()
    add_fault()
    with pytest.raises(DatabaseError, match="panne simulée"):
        services.pay_claim(w.treasurer_user, claim, date=YESTERDAY, bank_reference="VIR-1")
    remove_fault()
    assert_nothing_written(claim, entries_before)
    assert_the_retry_pays_once(w, claim, entries_before)


@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_in_the_middle_of_a_payment_writes_nothing():
    if connection.vendor != "postgresql":
        pytest.skip("killing the server's connection needs PostgreSQL")
    w, claim = scheduled_claim()
    entries_before = LedgerEntry.objects.count()
    add_fault(kill_connection=True)
    try:
        with pytest.raises(DatabaseError) as lost:
            services.pay_claim(w.treasurer_user, claim, date=YESTERDAY, bank_reference="VIR-1")
        assert "terminating connection" in str(lost.value)  # the server dropped us
        connection.close()  # the next query opens a new connection
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()
        remove_fault()
    assert_nothing_written(claim, entries_before)
    assert_the_retry_pays_once(w, claim, entries_before)

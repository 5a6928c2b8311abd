"""The ledger as the money room writes it: every movement chained; an altered row is
detected by the verification, on the ledger page and by `manage.py verify_ledger`."""

import itertools

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from kenlabour.funding.models import LedgerEntry
from kenlabour.funding.services import ledger
from kenlabour.funding.tests.pages_money import allocated_world

pytestmark = pytest.mark.django_db


def test_every_movement_is_chained_and_verifies():
    w = allocated_world()
    kinds = list(LedgerEntry.objects.order_by("position").values_list("kind", flat=True))
    # The opening, one share per claim, two transfers to the relays, one payout.
    assert kinds == ["envelope_opened"] + ["allocation"] * len(w.claims) + ["transfer"] * 3
    rows = list(LedgerEntry.objects.order_by("position"))
    assert [r.position for r in rows] == list(range(1, len(rows) + 1))
    assert all(b.previous_hash == a.hash for a, b in itertools.pairwise(rows))
    assert ledger.broken_positions() == []


def test_an_altered_amount_is_detected_from_its_position():
    allocated_world()
    target = LedgerEntry.objects.order_by("position")[2]
    payload = {**target.payload, "allocated_cents": target.payload["allocated_cents"] + 100}
    # save() refuses edits: alter the row behind the application's back, as an intruder would.
    LedgerEntry.objects.filter(pk=target.pk).update(payload=payload)
    broken = ledger.broken_positions()
    assert broken[0] == target.position
    assert broken == sorted(broken)


def test_a_stored_hash_rewritten_alone_is_detected_at_its_row():
    allocated_world()
    target = LedgerEntry.objects.order_by("position")[1]
    LedgerEntry.objects.filter(pk=target.pk).update(hash="f" * 64)
    assert target.position in ledger.broken_positions()


def test_the_ledger_refuses_edits_and_deletions_through_the_application():
    allocated_world()
    entry = LedgerEntry.objects.first()
    entry.payload = {**entry.payload, "allocated_cents": 0}
    with pytest.raises(Exception, match="ne se modifie pas"):
        entry.save()
    with pytest.raises(Exception, match="ne se modifie pas"):
        entry.delete()


@pytest.fixture
def keep_connections(monkeypatch):
    """`manage.py` closes the database connections when a command ends: keep the test's
    own (its transaction holds the data) while running the command line in-process."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def test_verify_ledger_prints_ok_on_an_intact_chain(capsys, keep_connections):
    allocated_world()
    execute_from_command_line(["manage.py", "verify_ledger"])  # returns: exit status 0
    count = LedgerEntry.objects.count()
    assert capsys.readouterr().out.startswith(f"OK : {count} écriture(s)")


def test_verify_ledger_lists_the_broken_positions_and_exits_1(capsys, keep_connections):
    allocated_world()
    target = LedgerEntry.objects.order_by("position")[3]
    LedgerEntry.objects.filter(pk=target.pk).update(
        payload={**target.payload, "bank_reference": "FAUX"}
    )
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "verify_ledger"])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "registre altéré" in err
    assert f"Positions : {target.position}" in err
    with pytest.raises(CommandError) as error:
        call_command("verify_ledger")
    assert error.value.returncode == 1

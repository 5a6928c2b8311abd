"""The migration to the full-column hash: an existing chain, written with the old formula
(hash of the previous hash and the payload only), is verified with that formula, then
recomputed once with the new one; a chain that does not verify is not re-chained."""

import hashlib
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kenlabour.funding import ledger_chain
from kenlabour.funding.models import Claim, LedgerEntry, Transfer
from kenlabour.funding.selectors import verification
from kenlabour.funding.tests.pages_money import allocated_world

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("funding", "0002_bounds_reasons_conflict_relay")
AFTER = ("funding", "0003_ledger_full_hash")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def migrate_to_latest():
    """Every later migration too: the current models read the tables (and the next tests
    find the schema they expect)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def old_hash(previous: str, payload: dict) -> str:
    """The formula of before, written out: SHA-256 of previous hash, newline, payload."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((previous + "\n" + text).encode("utf-8")).hexdigest()


def write_old_ledger():
    """Rewrite the ledger as the code of before wrote it: its payloads, its hashes."""
    transfers = {t.pk: t for t in Transfer.objects.all()}
    previous = ledger_chain.GENESIS
    for entry in LedgerEntry.objects.order_by("position"):
        p = dict(entry.payload)
        if entry.kind == "transfer":
            t = transfers[p["id"]]
            p = {
                "kind": "transfer",
                "transfer": t.key,
                "transfer_kind": t.kind,
                "envelope": p["envelope"],
                "relay": t.relay_id,
                "claim": t.claim_id,
                "amount_cents": t.amount_cents,
                "date": t.date.isoformat(),
                "bank_reference": t.bank_reference,
                "by": t.created_by_id,
            }
        elif entry.kind == "allocation":
            for key in ("units_cents", "expenses_cents", "submitted_on"):
                p.pop(key)
        digest = old_hash(previous, p)
        LedgerEntry.objects.filter(pk=entry.pk).update(
            payload=p, previous_hash=previous, hash=digest
        )
        previous = digest


def test_an_old_chain_is_verified_then_rechained_with_every_column():
    w = allocated_world()
    write_old_ledger()
    assert not verification.verify().intact  # the new formula does not read the old chain
    migrate(BEFORE)
    migrate(AFTER)
    migrate_to_latest()
    check = verification.verify()
    assert check.intact, check.problems()
    payout = LedgerEntry.objects.filter(payload__transfer_kind="relay_to_claimant").get()
    assert payout.payload["private"]["bank_reference"] == "VIR-2020-0001"
    assert "bank_reference" not in payout.payload and "transfer" not in payout.payload
    text = ledger_chain.hashed_json(
        payout.position, payout.kind, payout.recorded_at, payout.previous_hash, payout.payload
    )
    assert "VIR-2020-0001" not in text
    claim = Claim.objects.get(pk=w.claims[0].pk)
    share = LedgerEntry.objects.filter(kind="allocation", payload__claim=claim.pk).get()
    assert share.payload["units_cents"] == claim.units_cents


def test_an_old_chain_that_does_not_verify_is_not_rechained():
    allocated_world()
    write_old_ledger()
    entry = LedgerEntry.objects.order_by("position")[1]
    LedgerEntry.objects.filter(pk=entry.pk).update(payload={**entry.payload, "allocated_cents": 1})
    migrate(BEFORE)
    with pytest.raises(RuntimeError, match=f"Positions : {entry.position}"):
        migrate(AFTER)
    assert LedgerEntry.objects.get(pk=entry.pk).hash == entry.hash  # left as it was
    LedgerEntry.objects.filter(pk=entry.pk).update(payload=entry.payload)
    migrate(AFTER)
    migrate_to_latest()
    assert verification.verify().intact

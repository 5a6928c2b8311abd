"""The append-only ledger of money movements, chained by hash (see ledger_chain)."""

from django.db import transaction

from kenlabour.funding import ledger_chain
from kenlabour.funding.enums import LedgerKind
from kenlabour.funding.models import LedgerEntry

# A PostgreSQL advisory lock held by the transaction that appends: two appends wait for each
# other instead of both chaining from the same last entry.
LEDGER_LOCK = 0x6B656E6C


@transaction.atomic
def append(kind: LedgerKind, payload: dict) -> LedgerEntry:
    """Add one entry after the last, chained to it. Appends are serialised by an
    advisory lock on PostgreSQL; the unique position backs it everywhere."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LEDGER_LOCK])
    last = LedgerEntry.objects.select_for_update().order_by("-position").first()
    previous = last.hash if last else ledger_chain.GENESIS
    position = (last.position + 1) if last else 1
    payload = ledger_chain.canonical({"kind": str(kind), **payload})
    return LedgerEntry.objects.create(
        position=position,
        kind=kind,
        payload=payload,
        previous_hash=previous,
        hash=ledger_chain.entry_hash(previous, payload),
    )


def broken_positions() -> list[int]:
    """Positions whose stored hash no longer matches the chain (empty when intact)."""
    rows = LedgerEntry.objects.order_by("position").values_list("position", "payload", "hash")
    rows = list(rows)
    bad = ledger_chain.verify([(payload, stored) for _position, payload, stored in rows])
    return [rows[i][0] if i < len(rows) else i + 1 for i in bad]

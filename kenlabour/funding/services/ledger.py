"""The append-only ledger of money movements, chained by hash (see ledger_chain)."""

import secrets

from django.db import transaction
from django.utils import timezone

from kenlabour.funding import ledger_chain
from kenlabour.funding.enums import LedgerKind
from kenlabour.funding.models import LedgerEntry

# A PostgreSQL advisory lock held by the transaction that appends: two appends wait for each
# other instead of both chaining from the same last entry.
LEDGER_LOCK = 0x6B656E6C


def salted(private: dict) -> dict:
    """A private part with its random salt (so that its hash cannot be guessed back)."""
    return {**private, "salt": secrets.token_hex(16)}


@transaction.atomic
def append(kind: LedgerKind, payload: dict, private: dict | None = None) -> LedgerEntry:
    """Add one entry after the last, chained to it; `private` (a bank reference…) is kept
    in the entry but published only as its salted hash. Appends are serialised by an
    advisory lock on PostgreSQL; the unique position backs it everywhere."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LEDGER_LOCK])
    last = LedgerEntry.objects.select_for_update().order_by("-position").first()
    previous = last.hash if last else ledger_chain.GENESIS
    position = (last.position + 1) if last else 1
    payload = {"kind": str(kind), **payload}
    if private:
        payload[ledger_chain.PRIVATE] = salted(private)
    payload = ledger_chain.canonical(payload)
    recorded_at = timezone.now()
    return LedgerEntry.objects.create(
        position=position,
        kind=kind,
        payload=payload,
        previous_hash=previous,
        recorded_at=recorded_at,
        hash=ledger_chain.entry_hash(position, kind, recorded_at, previous, payload),
    )


def broken_positions() -> list[int]:
    """Positions where the chain is broken (empty when intact): see
    selectors.verification.verify for the whole verification."""
    from kenlabour.funding.selectors.verification import verify

    return verify().broken

"""Do the tables say what the ledger says? Pure module: the ledger's entries and the rows
of the tables as plain dicts in, the disagreements out.

- Every transfer row has exactly one transfer entry (found by the row's id) holding every
  one of its columns (ledger_records.TRANSFER_FIELDS), and every transfer entry has its
  row.
- Every claim that is scheduled or paid, and every claim an allocation entry names, has
  its latest share entry (an allocation, or a correction of it) holding its columns
  (ledger_records.CLAIM_FIELDS); its status is "paid" when a payout entry names it,
  "scheduled" otherwise; its live lines and validated expenses still add up to the units
  and expenses the share kept (ledger_records.CLAIM_SUMS).
- Every envelope row has its latest entry (its opening, or a correction of it) holding
  its columns and rates (ledger_records.ENVELOPE_FIELDS, the keys the entry has: an entry
  written before a column was kept does not hold it), and every envelope the ledger opened
  and did not withdraw has its row.

Values are compared in their canonical form (ledger_chain.canonical): a date and its ISO
text are the same value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kenlabour.funding import ledger_chain
from kenlabour.funding.ledger_records import (
    CLAIM_FIELDS,
    CLAIM_SUMS,
    ENVELOPE_FIELDS,
    TRANSFER_FIELDS,
    TRANSFER_OPTIONAL,
    TRANSFER_PRIVATE,
)

TRANSFER, CLAIM, ENVELOPE = "transfer", "claim", "envelope"
NOT_IN_LEDGER, NOT_IN_TABLE = "not_in_ledger", "not_in_table"
PAYOUT = "relay_to_claimant"
GRANTED = ("scheduled", "paid")


@dataclass(frozen=True)
class Disagreement:
    table: str  # TRANSFER, CLAIM or ENVELOPE
    row: int  # the row's id (an envelope's, 0 when its entry predates keeping it)
    field: str = ""  # a payload key; empty when a whole row is missing on one side
    stored: object = None  # the table's value
    ledgered: object = None  # the ledger's value
    position: int | None = None  # the entry's position
    missing: str = ""  # NOT_IN_LEDGER or NOT_IN_TABLE for a whole row
    private: bool = False  # a private value: never shown in a message
    slug: str = ""  # an envelope's slug, which names it in the entries


def _same(a, b) -> bool:
    try:
        return ledger_chain.canonical(a) == ledger_chain.canonical(b)
    except TypeError:
        return False


def _flat(payload: Mapping) -> dict:
    """A payload with its private part's values beside the others (salt left out)."""
    out = {k: v for k, v in payload.items() if k != ledger_chain.PRIVATE}
    private = payload.get(ledger_chain.PRIVATE)
    if isinstance(private, Mapping):
        out.update({k: v for k, v in private.items() if k != "salt"})
    return out


def _latest(
    entries: Iterable[ledger_chain.Entry], kind: str, corrects: str, key: str, key_type: type
) -> dict:
    """The latest entry about each row, by its payload's `key`: an entry of `kind`, or a
    correction of what it `corrects`. Row key -> (position, payload)."""
    latest = {}
    for entry in entries:
        payload = entry.payload if isinstance(entry.payload, Mapping) else {}
        if entry.kind == kind or (
            entry.kind == "correction" and payload.get("corrects") == corrects
        ):
            row = payload.get(key)
            if isinstance(row, key_type):
                latest[row] = (entry.position, dict(payload))
    return latest


def _envelopes(
    entries: Iterable[ledger_chain.Entry], rows: Iterable[Mapping]
) -> list[Disagreement]:
    latest = _latest(entries, "envelope_opened", "envelope", "envelope", str)  # by slug
    out = []
    seen = set()
    for row in rows:
        slug = row["envelope"]
        seen.add(slug)
        found = latest.get(slug)
        if found is None or found[1].get("withdrawn"):
            out.append(Disagreement(ENVELOPE, row["id"], missing=NOT_IN_LEDGER, slug=slug))
            continue
        position, payload = found
        for field in ENVELOPE_FIELDS:
            if field in payload and not _same(row.get(field), payload[field]):
                out.append(
                    Disagreement(ENVELOPE, row["id"], field, row.get(field), payload[field],
                                 position, slug=slug)
                )  # fmt: skip
    for slug, (position, payload) in latest.items():
        if slug not in seen and not payload.get("withdrawn"):
            row = payload.get("id") if isinstance(payload.get("id"), int) else 0
            out.append(
                Disagreement(ENVELOPE, row, position=position, missing=NOT_IN_TABLE, slug=slug)
            )
    return sorted(out, key=lambda d: (d.row, d.slug))


def reconcile(
    entries: Iterable[ledger_chain.Entry],
    transfers: Iterable[Mapping],
    claims: Iterable[Mapping],
    envelopes: Iterable[Mapping] = (),
) -> list[Disagreement]:
    """The disagreements: envelopes first, then transfers, then claims, each by row id."""
    entries = list(entries)
    ledger_transfers: dict[int, tuple[int, dict]] = {}
    shares: dict[int, tuple[int, dict]] = _latest(entries, "allocation", "allocation", "claim", int)
    paid: set[int] = set()
    out: list[Disagreement] = _envelopes(entries, envelopes)
    for entry in entries:
        payload = entry.payload if isinstance(entry.payload, Mapping) else {}
        if entry.kind == "transfer":
            flat = _flat(payload)
            row = flat.get("id")
            if not isinstance(row, int) or row in ledger_transfers:
                # An entry without its row's id, or a second entry for the same row.
                out.append(
                    Disagreement(TRANSFER, row if isinstance(row, int) else 0, "id",
                                 position=entry.position, missing=NOT_IN_TABLE)
                )  # fmt: skip
                continue
            ledger_transfers[row] = (entry.position, flat)
            if flat.get("transfer_kind") == PAYOUT and isinstance(flat.get("claim"), int):
                paid.add(flat["claim"])
    transfer_out = []
    seen = set()
    for row in transfers:
        pk = row["id"]
        seen.add(pk)
        found = ledger_transfers.get(pk)
        if found is None:
            transfer_out.append(Disagreement(TRANSFER, pk, missing=NOT_IN_LEDGER))
            continue
        position, flat = found
        for field in TRANSFER_FIELDS:
            stored, ledgered = row.get(field), flat.get(field)
            if field in TRANSFER_OPTIONAL:
                stored, ledgered = stored or None, ledgered or None
            if not _same(stored, ledgered):
                transfer_out.append(
                    Disagreement(TRANSFER, pk, field, row.get(field), flat.get(field), position,
                                 private=field in TRANSFER_PRIVATE)
                )  # fmt: skip
    for pk, (position, _flat_payload) in ledger_transfers.items():
        if pk not in seen:
            transfer_out.append(Disagreement(TRANSFER, pk, position=position, missing=NOT_IN_TABLE))
    claim_out = []
    seen = set()
    for row in claims:
        pk = row["claim"]
        seen.add(pk)
        found = shares.get(pk)
        if found is None:
            if row.get("status") in GRANTED:
                claim_out.append(Disagreement(CLAIM, pk, missing=NOT_IN_LEDGER))
            continue
        position, payload = found
        expected = dict(payload, status="paid" if pk in paid else "scheduled")
        for field in CLAIM_FIELDS:
            if field in expected and not _same(row.get(field), expected[field]):
                claim_out.append(
                    Disagreement(CLAIM, pk, field, row.get(field), expected[field], position)
                )
        for total, field in CLAIM_SUMS.items():
            if total in row and field in expected and not _same(row[total], expected[field]):
                claim_out.append(
                    Disagreement(CLAIM, pk, total, row[total], expected[field], position)
                )
    for pk, (position, _payload) in shares.items():
        if pk not in seen:
            claim_out.append(Disagreement(CLAIM, pk, position=position, missing=NOT_IN_TABLE))
    out.extend(sorted(transfer_out, key=lambda d: d.row))
    out.extend(sorted(claim_out, key=lambda d: d.row))
    return out

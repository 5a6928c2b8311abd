"""What the ledger keeps of each row that moves money, written once here so that the
services that append an entry and the verification that reconciles the tables with the
ledger agree on it.

No Django import: the functions read the attributes of the rows they are given.

- A **transfer** (funder → relay, relay → claimant): every column of the row. Its bank
  reference and its key (which holds the reference of a transfer to a relay) are the
  entry's private part, hashed with a salt (see ledger_chain), so the public ledger does
  not publish bank references.
- A **claim's share** (an allocation entry): the claim and every column of it that feeds
  money or the public figures: envelope, claimant, relay, validated units and expenses,
  the share and the day it was filed. Its status is what the ledger says happened: a
  share was granted (scheduled), then paid if a payout entry names it.
"""

from __future__ import annotations

# Payload key -> column of Transfer. The last two are the private part.
TRANSFER_FIELDS = {
    "id": "id",
    "transfer_kind": "kind",
    "envelope": "envelope",
    "relay": "relay",
    "claim": "claim",
    "amount_cents": "amount_cents",
    "date": "date",
    "by": "created_by",
    "created_at": "created_at",
    "session": "session",
    "confirmed_by": "confirmed_by",
    "confirmed_session": "confirmed_session",
    "bank_reference": "bank_reference",
    "key": "key",
}
TRANSFER_PRIVATE = ("bank_reference", "key")
# Written only when set (who confirmed the payout and from which sessions, since the
# separation of duties): absent and empty are the same value.
TRANSFER_OPTIONAL = ("session", "confirmed_by", "confirmed_session")

# Payload key of an allocation entry -> column of Claim ("status" is derived, see above).
CLAIM_FIELDS = {
    "claim": "id",
    "envelope": "envelope",
    "claimant": "claimant",
    "relay": "relay",
    "units_cents": "units_cents",
    "expenses_cents": "expenses_cents",
    "allocated_cents": "allocated_cents",
    "submitted_on": "submitted_on",
    "status": "status",
}
# Columns of Claim the ledger does not keep, and why: none of them feeds an amount or a
# public figure (the transparency page, the exports and the statements never read them).
CLAIM_NOT_KEPT = {
    "note": "the claimant's free-text remarks",
    "created_by": "the account that typed the draft (the claimant is kept)",
    "created_at": "when the draft was started (the day it was filed is kept)",
}


def transfer_record(transfer, envelope_slug: str) -> tuple[dict, dict]:
    """(public part, private part) of a transfer's entry."""
    public = {
        "id": transfer.pk,
        "transfer_kind": str(transfer.kind),
        "envelope": envelope_slug,
        "relay": transfer.relay_id,
        "claim": transfer.claim_id,
        "amount_cents": transfer.amount_cents,
        "date": transfer.date,
        "by": transfer.created_by_id,
        "created_at": transfer.created_at,
    }
    for name, value in (
        ("session", transfer.session),
        ("confirmed_by", transfer.confirmed_by_id),
        ("confirmed_session", transfer.confirmed_session),
    ):
        if value:
            public[name] = value
    private = {"bank_reference": transfer.bank_reference, "key": transfer.key}
    return public, private


def claim_record(claim, envelope_slug: str) -> dict:
    """The columns of a claim an allocation entry keeps (its share included)."""
    return {
        "claim": claim.pk,
        "envelope": envelope_slug,
        "claimant": claim.claimant_id,
        "relay": claim.relay_id,
        "units_cents": claim.units_cents,
        "expenses_cents": claim.expenses_cents,
        "asked_cents": claim.units_cents + claim.expenses_cents,
        "allocated_cents": claim.allocated_cents,
        "submitted_on": claim.submitted_on,
    }

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
  share was granted (scheduled), then paid if a payout entry names it. The claim's lines
  and validated expenses must still add up to the units and expenses its share kept.
- An **envelope** (its opening entry, or the latest correction of it): every column of the
  row that sets the rule or appears on the public pages, and its rates per item type.
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


# The sums a granted claim's rows must still make, checked against the share entry's columns:
# its live lines (units × rate) and its validated expenses.
CLAIM_SUMS = {"lines_cents": "units_cents", "validated_expenses_cents": "expenses_cents"}
# Columns of a line and of an expense not summed there, and why.
CLAIM_LINE_NOT_KEPT = {
    "id": "the surrogate key the database gives",
    "delivery": "which delivery the units come from: the ledger keeps their amount, not their "
    "split by delivery or item type",
}
EXPENSE_NOT_KEPT = {
    "id": "the surrogate key the database gives",
    "kind": "the nature of the expense, shown to the reviewer, not in the figures",
    "label": "the claimant's wording",
    "receipt": "the file's name (its content's hash is kept on the row for duplicates)",
    "receipt_kind": "the file's type",
    "receipt_sha256": "the file's hash, to flag duplicate receipts to the reviewer",
    "spent_on": "the day of the expense, shown to the reviewer",
    "issuer": "who issued the receipt, shown to the reviewer",
}

# Payload key of an envelope's entry -> column of Envelope ("rates" are its Rate rows, as
# [item type, cents per unit] pairs).
ENVELOPE_FIELDS = {
    "id": "id",
    "envelope": "slug",
    "funder": "funder",
    "campaign": "campaign",
    "name": "name",
    "total_cents": "total_cents",
    "cap_cents": "cap_cents",
    "opens_on": "opens_on",
    "closes_on": "closes_on",
    "decision_reference": "decision_reference",
    "convention_date": "convention_date",
    "conflict_relay": "conflict_relay",
    "double_approval_above_cents": "double_approval_above_cents",
    "payout_confirmation_above_cents": "payout_confirmation_above_cents",
    "created_by": "created_by",
    "rates": "rates",
}
ENVELOPE_NOT_KEPT = {
    "created_at": "when the row was written (the opening entry has its own date)",
    "allocated_at": "when the last round ran (each round's shares are entries of their own)",
}
RATE_NOT_KEPT = {"id": "the surrogate key: a rate is its envelope, its item type and amount"}


def envelope_record(envelope, rates) -> dict:
    """The columns of an envelope its opening and correction entries keep; `rates`: the
    (item type id, cents per unit) pairs of its Rate rows."""
    return {
        "id": envelope.pk,
        "envelope": envelope.slug,
        "funder": envelope.funder_id,
        "campaign": envelope.campaign_id,
        "name": envelope.name,
        "total_cents": envelope.total_cents,
        "cap_cents": envelope.cap_cents,
        "opens_on": envelope.opens_on,
        "closes_on": envelope.closes_on,
        "decision_reference": envelope.decision_reference,
        "convention_date": envelope.convention_date,
        "conflict_relay": envelope.conflict_relay_id,
        "double_approval_above_cents": envelope.double_approval_above_cents,
        "payout_confirmation_above_cents": envelope.payout_confirmation_above_cents,
        "created_by": envelope.created_by_id,
        "rates": sorted([item, cents] for item, cents in rates),
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

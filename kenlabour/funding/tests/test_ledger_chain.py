"""The ledger's hash chain: canonical bytes written out by hand, and every kind of
tampering (a field changed, a row deleted, inserted or moved, a hash edited) detected."""

import hashlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from kenlabour.funding.ledger_chain import (
    GENESIS,
    canonical_json,
    chain,
    entry_hash,
    verify,
)

ROWS = [
    {"kind": "allocation", "claim": 1, "maker": "Atelier Kerlann", "amount_cents": 12_500,
     "date": date(2020, 4, 15)},
    {"kind": "allocation", "claim": 2, "maker": "Fab'Lab Quimper", "amount_cents": 7_333,
     "date": date(2020, 4, 15)},
    {"kind": "payout", "claim": 1, "maker": "Atelier Kerlann", "amount_cents": 12_500,
     "date": date(2020, 5, 2)},
    {"kind": "payout", "claim": 2, "maker": "Fab'Lab Quimper", "amount_cents": 7_333,
     "date": date(2020, 5, 4)},
    {"kind": "correction", "claim": 2, "maker": "Fab'Lab Quimper", "amount_cents": 1,
     "date": date(2020, 5, 5)},
]  # fmt: skip


def ledger(rows=ROWS):
    return list(zip(rows, chain(rows), strict=True))


def test_the_hash_is_sha256_of_the_previous_hash_and_the_canonical_json():
    payload = {"relais": "Côtes-d'Armor", "montant_cents": 12500, "date": date(2020, 4, 15),
               "lignes": [1, None, True]}  # fmt: skip
    written = (
        '{"date":"2020-04-15","lignes":[1,null,true],"montant_cents":12500,'
        '"relais":"Côtes-d\'Armor"}'
    )
    assert canonical_json(payload) == written
    expected = hashlib.sha256((GENESIS + "\n" + written).encode("utf-8")).hexdigest()
    assert entry_hash(GENESIS, payload) == expected
    # The same payload with its keys in another order: the same hash.
    assert entry_hash(GENESIS, dict(reversed(list(payload.items())))) == expected
    # Chained: the next row's hash depends on this one.
    assert (
        entry_hash(expected, {"a": 1})
        == hashlib.sha256((expected + '\n{"a":1}').encode("utf-8")).hexdigest()
    )


def test_an_instant_hashes_the_same_whatever_its_time_zone():
    paris = datetime(2020, 4, 15, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))
    utc = datetime(2020, 4, 15, 8, 30, tzinfo=UTC)
    assert canonical_json({"at": paris}) == '{"at":"2020-04-15T08:30:00+00:00"}'
    assert entry_hash(GENESIS, {"at": paris}) == entry_hash(GENESIS, {"at": utc})
    uuid = UUID("12345678-1234-5678-1234-567812345678")
    assert canonical_json({"id": uuid}) == '{"id":"12345678-1234-5678-1234-567812345678"}'


@pytest.mark.parametrize(
    "payload",
    [
        {"amount": 125.0},
        {"amount": Decimal("125.00")},
        {"at": datetime(2020, 4, 15, 8, 30)},  # naive
        {1: "key that is not a string"},
        {"tags": {"a", "b"}},
    ],
)
def test_values_without_one_exact_spelling_are_refused(payload):
    with pytest.raises(TypeError):
        entry_hash(GENESIS, payload)


def test_the_previous_hash_must_be_a_sha256_hexdigest():
    for bad in ("", "0" * 63, "G" * 64, GENESIS.upper().replace("0", "A"), None):
        with pytest.raises(ValueError):
            entry_hash(bad, {"a": 1})


def test_an_intact_ledger_verifies():
    assert verify(ledger()) == []
    assert verify(ledger(), head=chain(ROWS)[-1]) == []
    assert verify([]) == []


def changed(value):
    if isinstance(value, int):
        return value + 1
    if isinstance(value, date):
        return value + timedelta(days=1)
    return value + "x"


@pytest.mark.parametrize("position", range(len(ROWS)))
@pytest.mark.parametrize("field", sorted(ROWS[0]))
def test_changing_any_field_of_any_row_breaks_that_row_and_all_after(position, field):
    entries = ledger()
    payload, stored = entries[position]
    entries[position] = ({**payload, field: changed(payload[field])}, stored)
    assert verify(entries) == list(range(position, len(ROWS)))


@pytest.mark.parametrize("position", range(len(ROWS)))
def test_adding_or_removing_a_field_is_detected(position):
    entries = ledger()
    payload, stored = entries[position]
    entries[position] = ({**payload, "note": ""}, stored)
    assert verify(entries)[0] == position
    entries = ledger()
    entries[position] = ({k: v for k, v in payload.items() if k != "maker"}, stored)
    assert verify(entries)[0] == position


@pytest.mark.parametrize("position", range(len(ROWS) - 1))
def test_deleting_a_row_breaks_the_chain_from_there(position):
    entries = ledger()
    del entries[position]
    assert verify(entries) == list(range(position, len(ROWS) - 1))


def test_deleting_the_last_rows_shows_only_against_the_published_head():
    head = chain(ROWS)[-1]
    entries = ledger()[:-2]
    assert verify(entries) == []  # a shorter chain is consistent in itself
    assert verify(entries, head=head) == [len(ROWS) - 2]


@pytest.mark.parametrize("position", range(len(ROWS) - 1))
def test_swapping_two_rows_is_detected(position):
    entries = ledger()
    entries[position], entries[position + 1] = entries[position + 1], entries[position]
    assert verify(entries) == list(range(position, len(ROWS)))


def test_inserting_a_row_is_detected_even_with_a_plausible_hash():
    entries = ledger()
    forged = {**ROWS[2], "amount_cents": 50_000}
    entries.insert(2, (forged, entry_hash(entries[1][1], forged)))
    assert verify(entries) == list(range(3, len(ROWS) + 1))


def test_a_rewritten_chain_is_consistent_but_does_not_end_on_the_head():
    head = chain(ROWS)[-1]
    rows = [dict(row) for row in ROWS]
    rows[0]["amount_cents"] = 99_999
    rewritten = ledger(rows)  # every hash recomputed after the change
    assert verify(rewritten) == []
    assert verify(rewritten, head=head) == [len(ROWS)]


def test_editing_a_stored_hash_alone_breaks_only_its_row():
    entries = ledger()
    entries[1] = (entries[1][0], "f" * 64)
    assert verify(entries) == [1]


def test_chain_starts_from_the_given_hash():
    first = chain(ROWS[:2])
    rest = chain(ROWS[2:], first[-1])
    assert first + rest == chain(ROWS)
    assert verify(list(zip(ROWS[2:], rest, strict=True)), genesis=first[-1]) == []

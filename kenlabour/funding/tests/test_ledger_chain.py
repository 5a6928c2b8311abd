"""The ledger's hash chain: the hashed text written out by hand, and every kind of
tampering (any column of a row changed, a row deleted, inserted or moved, a hash edited,
the last rows deleted, a private part changed) detected."""

import dataclasses
import hashlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from kenlabour.funding.ledger_chain import (
    BAD_HASH,
    BAD_POSITION,
    BAD_PREVIOUS,
    GENESIS,
    HEAD_DIFFERS,
    HEAD_MISSING,
    Break,
    Entry,
    broken_positions,
    canonical_json,
    chain,
    entry_hash,
    hashed_json,
    parse_head,
    private_digest,
    public_payload,
    verify,
)

AT = datetime(2020, 5, 2, 9, 30, tzinfo=UTC)
ROWS = [
    ("allocation", AT, {"claim": 1, "maker": "Atelier Kerlann", "amount_cents": 12_500,
                        "date": date(2020, 4, 15)}),
    ("allocation", AT, {"claim": 2, "maker": "Fab'Lab Quimper", "amount_cents": 7_333,
                        "date": date(2020, 4, 15)}),
    ("transfer", AT, {"claim": 1, "maker": "Atelier Kerlann", "amount_cents": 12_500,
                      "date": date(2020, 5, 2),
                      "private": {"bank_reference": "VIR-1", "salt": "ab" * 16}}),
    ("transfer", AT, {"claim": 2, "maker": "Fab'Lab Quimper", "amount_cents": 7_333,
                      "date": date(2020, 5, 4),
                      "private": {"bank_reference": "VIR-2", "salt": "cd" * 16}}),
    ("correction", AT, {"claim": 2, "maker": "Fab'Lab Quimper", "amount_cents": 1,
                        "date": date(2020, 5, 5)}),
]  # fmt: skip


def ledger(rows=ROWS) -> list[Entry]:
    return chain(rows)


def test_the_hash_is_sha256_of_every_column_in_canonical_json():
    payload = {"relais": "Côtes-d'Armor", "montant_cents": 12500, "date": date(2020, 4, 15),
               "lignes": [1, None, True]}  # fmt: skip
    written = (
        '{"kind":"allocation","payload":{"date":"2020-04-15","lignes":[1,null,true],'
        '"montant_cents":12500,"relais":"Côtes-d\'Armor"},"position":1,'
        f'"previous_hash":"{GENESIS}","recorded_at":"2020-05-02T09:30:00+00:00"}}'
    )
    assert hashed_json(1, "allocation", AT, GENESIS, payload) == written
    expected = hashlib.sha256(written.encode("utf-8")).hexdigest()
    assert entry_hash(1, "allocation", AT, GENESIS, payload) == expected
    # The same payload with its keys in another order: the same hash.
    shuffled = dict(reversed(list(payload.items())))
    assert entry_hash(1, "allocation", AT, GENESIS, shuffled) == expected


def test_a_private_part_is_hashed_in_its_place_and_never_published():
    private = {"bank_reference": "VIR-1", "salt": "ab" * 16}
    public = public_payload({"amount_cents": 1, "private": private})
    assert public == {"amount_cents": 1, "private_sha256": private_digest(private)}
    assert (
        private_digest(private)
        == hashlib.sha256(canonical_json(private).encode("utf-8")).hexdigest()
    )
    text = hashed_json(1, "transfer", AT, GENESIS, {"amount_cents": 1, "private": private})
    assert "VIR-1" not in text and private_digest(private) in text


def test_an_instant_hashes_the_same_whatever_its_time_zone():
    paris = datetime(2020, 4, 15, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))
    utc = datetime(2020, 4, 15, 8, 30, tzinfo=UTC)
    assert canonical_json({"at": paris}) == '{"at":"2020-04-15T08:30:00+00:00"}'
    assert entry_hash(1, "k", paris, GENESIS, {}) == entry_hash(1, "k", utc, GENESIS, {})
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
        entry_hash(1, "k", AT, GENESIS, payload)


def test_the_previous_hash_must_be_a_sha256_hexdigest_and_the_position_from_1():
    for bad in ("", "0" * 63, "G" * 64, GENESIS.upper().replace("0", "A"), None):
        with pytest.raises(ValueError):
            entry_hash(1, "k", AT, bad, {"a": 1})
    for bad in (0, -1, True, "1"):
        with pytest.raises(ValueError):
            entry_hash(bad, "k", AT, GENESIS, {"a": 1})


def test_an_intact_ledger_verifies():
    entries = ledger()
    assert [e.position for e in entries] == [1, 2, 3, 4, 5]
    assert verify(entries) == []
    assert verify(entries, head=(5, entries[-1].hash)) == []
    assert verify(entries, head=(2, entries[1].hash)) == []  # an earlier head, still there
    assert verify([]) == []


def changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, datetime):
        return value + timedelta(seconds=1)
    if isinstance(value, date):
        return value + timedelta(days=1)
    if isinstance(value, dict):
        return {**value, "amount_cents": value["amount_cents"] + 1}
    return value[:-1] + ("0" if value[-1] != "0" else "1")


@pytest.mark.parametrize("index", range(len(ROWS)))
@pytest.mark.parametrize("column", [f.name for f in dataclasses.fields(Entry)])
def test_changing_any_column_of_any_row_breaks_that_row(index, column):
    entries = ledger()
    entries[index] = dataclasses.replace(
        entries[index], **{column: changed(getattr(entries[index], column))}
    )
    # The altered row is reported (at the position it now claims).
    assert entries[index].position in broken_positions(verify(entries))


@pytest.mark.parametrize("index", [2, 3])
def test_changing_a_private_value_is_detected(index):
    entries = ledger()
    payload = dict(entries[index].payload)
    payload["private"] = {**payload["private"], "bank_reference": "FAUX"}
    entries[index] = dataclasses.replace(entries[index], payload=payload)
    assert verify(entries) == [Break(index + 1, BAD_HASH)]


@pytest.mark.parametrize("index", range(len(ROWS)))
def test_adding_or_removing_a_payload_field_is_detected(index):
    entries = ledger()
    payload = entries[index].payload
    entries[index] = dataclasses.replace(entries[index], payload={**payload, "note": ""})
    assert verify(entries) == [Break(index + 1, BAD_HASH)]
    entries = ledger()
    fewer = {k: v for k, v in payload.items() if k != "maker"}
    entries[index] = dataclasses.replace(entries[index], payload=fewer)
    assert verify(entries) == [Break(index + 1, BAD_HASH)]


@pytest.mark.parametrize("index", range(len(ROWS) - 1))
def test_deleting_a_row_in_the_middle_is_detected_at_the_next(index):
    entries = ledger()
    del entries[index]
    breaks = verify(entries)
    assert Break(index + 2, BAD_POSITION) in breaks
    assert Break(index + 2, BAD_PREVIOUS) in breaks


def test_deleting_the_last_rows_shows_only_against_a_kept_head():
    entries = ledger()
    head = (entries[-1].position, entries[-1].hash)
    shorter = entries[:-2]
    assert verify(shorter) == []  # a shorter chain is consistent in itself
    assert verify(shorter, head=head) == [Break(5, HEAD_MISSING)]


@pytest.mark.parametrize("index", range(len(ROWS) - 1))
def test_swapping_two_rows_is_detected(index):
    entries = ledger()
    entries[index], entries[index + 1] = entries[index + 1], entries[index]
    assert min(broken_positions(verify(entries))) <= index + 2


def test_inserting_a_row_is_detected_even_with_a_plausible_hash():
    entries = ledger()
    kind, at, payload = ROWS[2]
    forged = {**payload, "amount_cents": 50_000}
    digest = entry_hash(3, kind, at, entries[1].hash, forged)
    entries.insert(2, Entry(3, kind, at, entries[1].hash, forged, digest))
    breaks = verify(entries)
    assert breaks[0].position == 3  # the genuine row 3, now after the forged one


def test_a_rewritten_chain_is_consistent_but_not_the_kept_head():
    entries = ledger()
    head = (entries[-1].position, entries[-1].hash)
    rows = [(k, at, dict(p)) for k, at, p in ROWS]
    rows[0][2]["amount_cents"] = 99_999
    rewritten = ledger(rows)  # every hash recomputed after the change
    assert verify(rewritten) == []
    assert verify(rewritten, head=head) == [Break(5, HEAD_DIFFERS)]


def test_editing_a_stored_hash_alone_breaks_its_row_and_the_link_to_the_next():
    entries = ledger()
    entries[1] = dataclasses.replace(entries[1], hash="f" * 64)
    assert verify(entries) == [Break(2, BAD_HASH), Break(3, BAD_PREVIOUS)]


def test_a_chain_continues_from_a_given_row():
    first = chain(ROWS[:2])
    rest = chain(ROWS[2:], previous_hash=first[-1].hash, position=first[-1].position)
    assert first + rest == chain(ROWS)


@pytest.mark.parametrize(
    ("text", "head"),
    [(f"12:{'a' * 64}", (12, "a" * 64)), (f" 3 : {'B' * 64} ", (3, "b" * 64))],
)
def test_a_kept_head_is_read_from_its_text(text, head):
    assert parse_head(text) == head


@pytest.mark.parametrize("text", ["", "12", f"0:{'a' * 64}", f"x:{'a' * 64}", "1:abc", None])
def test_an_unreadable_head_is_refused(text):
    with pytest.raises(ValueError):
        parse_head(text)

"""A hash chain over an append-only ledger: any change to any column of any row shows.

Pure module (no Django). Each row of the ledger (an allocation, a payout, a correction…)
has a position (1, 2, 3…), a kind, the instant it was recorded, the hash of the row before
it (`GENESIS` for the first) and a payload, a dict of plain values. Its hash is the
SHA-256 (hexadecimal, 64 characters) of the canonical JSON of *all* of them:

    {"kind": …, "payload": …, "position": …, "previous_hash": …, "recorded_at": …}

so editing any column of a row (its kind, its date, its position, the previous hash it
names, or its payload) changes the hash recomputed at that place. `verify` recomputes
every row and reports:

- a row whose stored hash is not the hash of its columns (an edited row, or a hash
  rewritten alone);
- a row whose `previous_hash` is not the stored hash of the row before it (a row inserted,
  deleted or moved in the middle, or a suffix rewritten from an edited row);
- a position that is not the one after the previous row's (a gap, a duplicate);
- with `head`, a published `(position, hash)` kept by a reader: the row at that position
  must still exist with that hash. Deleting the *last* rows leaves a shorter chain that is
  consistent on its own: only a head kept elsewhere (printed on a statement, in an export's
  file name, on the transparency page) reveals it.

**Private parts.** A payload may hold a `private` dict (a bank reference…), readable only
by the people entitled to it. The hashed content holds, in its place, `private_sha256`:
the SHA-256 of the private part's canonical JSON, which carries a random `salt` so that a
short reference cannot be guessed back from its hash. Anyone can recompute the chain from
the public form; whoever sees the private part can check it against its hash.

The canonical JSON is fixed so that the same content always gives the same bytes:
keys sorted, no spaces, UTF-8 as is (``ensure_ascii=False``); amounts are integer
cents (a float or a Decimal is refused, not rounded); dates are ISO 8601
(``2020-04-15``); datetimes must be timezone-aware and are written in UTC
(``2020-04-15T08:30:00+00:00``), so the server's time zone never changes a hash; UUIDs
as their string. Only dicts with string keys, lists, tuples, strings, integers, booleans
and None are accepted otherwise.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

GENESIS = "0" * 64
HEX64 = re.compile(r"[0-9a-f]{64}")
PRIVATE = "private"
PRIVATE_DIGEST = "private_sha256"

# Why `verify` reports a position.
BAD_HASH = "hash"  # the stored hash is not the hash of the row's columns
BAD_PREVIOUS = "previous_hash"  # the row does not chain from the row before it
BAD_POSITION = "position"  # a gap or a duplicate in the positions
HEAD_MISSING = "head_missing"  # the published head's row is gone (rows deleted at the end)
HEAD_DIFFERS = "head_differs"  # the published head's row has another hash (rewritten)


def canonical(value):
    """`value` with dates, datetimes and UUIDs as strings, validated (see the docstring)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        raise TypeError(f"amounts are integer cents, not the float {value!r}")
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise TypeError(f"a datetime must be timezone-aware: {value!r}")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"keys must be strings, not {key!r}")
            out[key] = canonical(item)
        return out
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    raise TypeError(f"{type(value).__name__} is not allowed in a ledger payload: {value!r}")


def canonical_json(value: Mapping) -> str:
    return json.dumps(canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def private_digest(private: Mapping) -> str:
    """The hash standing for a private part in the hashed content."""
    return sha256(canonical_json(private))


def public_payload(payload: Mapping) -> dict:
    """The payload as everyone reads it: its private part replaced by that part's hash."""
    out = dict(payload)
    if PRIVATE in out:
        private = out.pop(PRIVATE)
        if not isinstance(private, Mapping):
            raise TypeError(f"the private part must be a dict, not {private!r}")
        out[PRIVATE_DIGEST] = private_digest(private)
    return out


def hashed_content(
    position: int, kind: str, recorded_at: datetime, previous_hash: str, payload: Mapping
) -> dict:
    """Everything a row's hash covers: every column of the row."""
    if not isinstance(position, int) or isinstance(position, bool) or position < 1:
        raise ValueError(f"a position is an integer from 1: {position!r}")
    if not isinstance(previous_hash, str) or not HEX64.fullmatch(previous_hash):
        raise ValueError(f"not a SHA-256 hexadecimal hash: {previous_hash!r}")
    if not isinstance(recorded_at, datetime):
        raise TypeError(f"recorded_at must be a datetime: {recorded_at!r}")
    return {
        "position": position,
        "kind": str(kind),
        "recorded_at": recorded_at,
        "previous_hash": previous_hash,
        "payload": public_payload(payload),
    }


def hashed_json(
    position: int, kind: str, recorded_at: datetime, previous_hash: str, payload: Mapping
) -> str:
    """The exact text whose SHA-256 is the row's hash (shown to whoever verifies)."""
    return canonical_json(hashed_content(position, kind, recorded_at, previous_hash, payload))


def entry_hash(
    position: int, kind: str, recorded_at: datetime, previous_hash: str, payload: Mapping
) -> str:
    """The hash of a row (the first one's `previous_hash` is GENESIS)."""
    return sha256(hashed_json(position, kind, recorded_at, previous_hash, payload))


@dataclass(frozen=True)
class Entry:
    """A row of the ledger, as stored."""

    position: int
    kind: str
    recorded_at: datetime
    previous_hash: str
    payload: Mapping
    hash: str = ""


def chain(
    rows: Iterable[tuple[str, datetime, Mapping]],
    *,
    previous_hash: str = GENESIS,
    position: int = 0,
) -> list[Entry]:
    """The entries of successive rows `(kind, recorded_at, payload)`, appended after the
    row at `position` whose hash is `previous_hash` (an empty ledger: 0 and GENESIS)."""
    entries = []
    for kind, recorded_at, payload in rows:
        position += 1
        digest = entry_hash(position, kind, recorded_at, previous_hash, payload)
        entries.append(Entry(position, str(kind), recorded_at, previous_hash, payload, digest))
        previous_hash = digest
    return entries


@dataclass(frozen=True)
class Break:
    position: int
    reason: str


def parse_head(text: str) -> tuple[int, str]:
    """A published head "POSITION:HASH" as (position, hash); ValueError otherwise."""
    position, sep, digest = (text or "").strip().partition(":")
    digest = digest.strip().lower()
    if not sep or not position.strip().isdigit() or not HEX64.fullmatch(digest):
        raise ValueError(f"not a head POSITION:HASH: {text!r}")
    number = int(position)
    if number < 1:
        raise ValueError(f"a position is an integer from 1: {text!r}")
    return number, digest


def verify(entries: Sequence[Entry], *, head: tuple[int, str] | None = None) -> list[Break]:
    """What is wrong with the stored rows (in the order of their positions): empty when the
    ledger is intact (see the module's docstring for what each break means)."""
    breaks = []
    previous, expected_position = GENESIS, 1
    for entry in entries:
        if entry.position != expected_position:
            breaks.append(Break(entry.position, BAD_POSITION))
        if entry.previous_hash != previous:
            breaks.append(Break(entry.position, BAD_PREVIOUS))
        try:
            digest = entry_hash(
                entry.position, entry.kind, entry.recorded_at, entry.previous_hash, entry.payload
            )
        except (TypeError, ValueError):
            digest = None
        if entry.hash != digest:
            breaks.append(Break(entry.position, BAD_HASH))
        previous = entry.hash
        expected_position = (
            entry.position + 1 if isinstance(entry.position, int) else expected_position + 1
        )
    if head is not None:
        position, digest = head
        found = next((e for e in entries if e.position == position), None)
        if found is None:
            breaks.append(Break(position, HEAD_MISSING))
        elif found.hash != digest:
            breaks.append(Break(position, HEAD_DIFFERS))
    return breaks


def broken_positions(breaks: Iterable[Break]) -> list[int]:
    """The positions of `breaks`, each once, in order."""
    return sorted({b.position for b in breaks})

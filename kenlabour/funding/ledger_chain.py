"""A hash chain over an append-only ledger: any change to a past row shows.

Pure module (no Django). Each row of the ledger (an allocation, a payout, a correction…)
has a payload, a dict of plain values, and stores the hash of

    previous row's hash + "\\n" + canonical JSON of its payload

with SHA-256 (hexadecimal, 64 characters); the first row chains from `GENESIS`. Editing
a field of a row, deleting a row, inserting one or swapping two changes the hash
recomputed at that place, and therefore every hash after it: `verify` recomputes the
chain from the start and reports every position whose stored hash differs.

Deleting the *last* rows leaves a shorter chain that is still consistent: only a copy of
the latest hash kept elsewhere (published with the open-data export, printed on a
report) reveals it, passed to `verify` as `head`.

The canonical JSON is fixed so that the same payload always gives the same bytes:
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
from datetime import UTC, date, datetime
from uuid import UUID

GENESIS = "0" * 64
HEX64 = re.compile(r"[0-9a-f]{64}")


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


def canonical_json(payload: Mapping) -> str:
    return json.dumps(canonical(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(previous_hash: str, payload: Mapping) -> str:
    """The hash of a row whose predecessor's hash is `previous_hash` (GENESIS first)."""
    if not isinstance(previous_hash, str) or not HEX64.fullmatch(previous_hash):
        raise ValueError(f"not a SHA-256 hexadecimal hash: {previous_hash!r}")
    data = previous_hash + "\n" + canonical_json(payload)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def chain(payloads: Iterable[Mapping], previous_hash: str = GENESIS) -> list[str]:
    """The hashes of successive rows, starting after `previous_hash`."""
    hashes = []
    for payload in payloads:
        previous_hash = entry_hash(previous_hash, payload)
        hashes.append(previous_hash)
    return hashes


def verify(
    entries: Sequence[tuple[Mapping, str]], *, head: str | None = None, genesis: str = GENESIS
) -> list[int]:
    """Positions (from 0) of the rows `(payload, stored hash)` whose stored hash differs
    from the chain recomputed from `genesis`: empty when the ledger is intact.

    A changed, inserted, removed or moved row breaks its position and every one after
    it (their recomputed hashes all change); a stored hash edited alone breaks only its
    own position. With `head`, the latest hash kept elsewhere, a chain that does not end
    on it (rows deleted at the end, or the whole chain rewritten) also reports
    `len(entries)`, the position where the missing rows were."""
    broken = []
    expected = genesis
    for position, (payload, stored) in enumerate(entries):
        expected = entry_hash(expected, payload)
        if stored != expected:
            broken.append(position)
    if head is not None and expected != head:
        broken.append(len(entries))
    return broken

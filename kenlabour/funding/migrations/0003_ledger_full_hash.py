"""The ledger's hash now covers every column of an entry (position, kind, recorded date,
previous hash and payload), and a transfer's entry keeps every column of its row, its bank
reference in a private part published only as a salted hash (see ledger_chain).

The existing chain is recomputed once with the new formula, after it has been verified
with the old one: a ledger that does not verify is not re-chained (the migration stops,
naming the broken positions: restore the database from a backup first). On the way, the
payloads gain what the new verification compares and the old entries did not hold: a
transfer's id, author and creation instant, a share's validated units and expenses and
filing day, read from their rows. The old and new formulas are written out here, frozen,
so that a later change of ledger_chain does not change what this migration did.

Going back to 0002 leaves the new chain as it is: the code of before would not verify it.
"""

import hashlib
import json
import secrets
from datetime import UTC, date, datetime

import django.utils.timezone
from django.db import migrations, models

GENESIS = "0" * 64


def _canonical(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        raise TypeError(f"not integer cents: {value!r}")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    raise TypeError(f"not allowed in a payload: {value!r}")


def _json(value) -> str:
    return json.dumps(_canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _old_hash(previous: str, payload: dict) -> str:
    return _sha(previous + "\n" + _json(payload))


def _new_hash(position, kind, recorded_at, previous, payload) -> str:
    public = dict(payload)
    if "private" in public:
        public["private_sha256"] = _sha(_json(public.pop("private")))
    content = {
        "position": position,
        "kind": kind,
        "recorded_at": recorded_at,
        "previous_hash": previous,
        "payload": public,
    }
    return _sha(_json(content))


def rechain(apps, schema_editor):
    LedgerEntry = apps.get_model("funding", "LedgerEntry")
    Transfer = apps.get_model("funding", "Transfer")
    Claim = apps.get_model("funding", "Claim")
    entries = list(LedgerEntry.objects.order_by("position"))
    if not entries:
        return
    broken, previous = [], GENESIS
    for expected, entry in enumerate(entries, start=1):
        if (
            entry.position != expected
            or entry.previous_hash != previous
            or entry.hash != _old_hash(previous, entry.payload)
        ):
            broken.append(entry.position)
        previous = entry.hash
    if broken:
        raise RuntimeError(
            "registre altéré : la chaîne ne se vérifie pas avec l'ancienne formule, elle n'est "
            f"pas recalculée. Positions : {', '.join(map(str, broken[:50]))}"
        )
    transfers = {t.key: t for t in Transfer.objects.all()}
    claims = Claim.objects.in_bulk()
    previous = GENESIS
    for entry in entries:
        payload = dict(entry.payload)
        if entry.kind == "transfer" and "private" not in payload:
            key = payload.pop("transfer", None)
            reference = payload.pop("bank_reference", None)
            row = transfers.get(key)
            if row is not None:
                payload["id"] = row.pk
                payload["by"] = row.created_by_id
                payload["created_at"] = row.created_at
            payload["private"] = {
                "bank_reference": reference,
                "key": key,
                "salt": secrets.token_hex(16),
            }
        elif entry.kind == "allocation":
            claim = claims.get(payload.get("claim"))
            if claim is not None:
                payload.setdefault("units_cents", claim.units_cents)
                payload.setdefault("expenses_cents", claim.expenses_cents)
                payload.setdefault("submitted_on", claim.submitted_on)
        entry.payload = _canonical(payload)
        entry.previous_hash = previous
        entry.hash = _new_hash(entry.position, entry.kind, entry.recorded_at, previous, entry.payload)
        previous = entry.hash
    # Hashes are unique: clear them first, so that no new hash meets an old one mid-way.
    for entry in entries:
        LedgerEntry.objects.filter(pk=entry.pk).update(hash=f"rechain-{entry.pk}")
    LedgerEntry.objects.bulk_update(entries, ["payload", "previous_hash", "hash"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0002_bounds_reasons_conflict_relay"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ledgerentry",
            name="recorded_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        # Going back keeps the new chain (the code of before would report it broken).
        migrations.RunPython(rechain, migrations.RunPython.noop, elidable=False),
    ]

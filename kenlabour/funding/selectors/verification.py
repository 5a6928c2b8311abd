"""The whole verification of the ledger: its chain recomputed from the first entry (every
column of every entry, see ledger_chain), the head a reader kept, and the tables that feed
the public figures (transfers, claims and their shares) reconciled with it (reconcile).

Four queries whatever the size: the entries, the transfers, the claims, and their
envelopes' slugs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kenlabour.funding import ledger_chain, ledger_records, reconcile
from kenlabour.funding.enums import ClaimStatus, TransferKind
from kenlabour.funding.models import Claim, Envelope, LedgerEntry, Transfer
from kenlabour.funding.templatetags.funding_claims import format_euros

GRANTED = ClaimStatus.granted()


@dataclass
class Verification:
    count: int
    last: tuple[int, str] | None  # the head: (position, hash) of the last entry
    breaks: list[ledger_chain.Break] = field(default_factory=list)
    disagreements: list[reconcile.Disagreement] = field(default_factory=list)

    @property
    def broken(self) -> list[int]:
        return ledger_chain.broken_positions(self.breaks)

    @property
    def intact(self) -> bool:
        return not self.breaks and not self.disagreements

    @property
    def head(self) -> str:
        """The head as a reader keeps it: "POSITION:HASH" (empty for an empty ledger)."""
        return head_text(self.last)

    def problems(self) -> list[str]:
        """Every problem in French, the chain's first, then the first row that disagrees."""
        return [break_message(b) for b in self.breaks] + [
            disagreement_message(d) for d in self.disagreements
        ]


def head_text(head: tuple[int, str] | None) -> str:
    return f"{head[0]}:{head[1]}" if head else ""


def ledger_head() -> tuple[int, str] | None:
    """(position, hash) of the last entry, to publish: one query."""
    return LedgerEntry.objects.order_by("-position").values_list("position", "hash").first()


def _entries() -> list[ledger_chain.Entry]:
    return [
        ledger_chain.Entry(*row)
        for row in LedgerEntry.objects.order_by("position").values_list(
            "position", "kind", "recorded_at", "previous_hash", "payload", "hash"
        )
    ]


def _transfer_rows(slugs: dict[int, str]) -> list[dict]:
    rows = []
    for transfer in Transfer.objects.order_by("pk"):
        public, private = ledger_records.transfer_record(transfer, slugs.get(transfer.envelope_id))
        rows.append({**public, **private})
    return rows


def _claim_rows(named: set[int], slugs: dict[int, str]) -> list[dict]:
    claims = Claim.objects.filter(Q(status__in=GRANTED) | Q(pk__in=named)).order_by("pk")
    return [
        {
            **ledger_records.claim_record(claim, slugs.get(claim.envelope_id)),
            # A payout recorded, not yet confirmed, moved no money: still scheduled for the
            # ledger.
            "status": ClaimStatus.SCHEDULED
            if claim.status == ClaimStatus.PAYOUT_RECORDED
            else claim.status,
        }
        for claim in claims
    ]


def verify(head: tuple[int, str] | None = None) -> Verification:
    """The chain, the `head` a reader kept (if any) and the tables, checked together."""
    entries = _entries()
    breaks = ledger_chain.verify(entries, head=head)
    slugs = dict(Envelope.objects.values_list("pk", "slug"))
    named = {
        e.payload.get("claim")
        for e in entries
        if isinstance(e.payload, dict) and isinstance(e.payload.get("claim"), int)
    }
    disagreements = reconcile.reconcile(entries, _transfer_rows(slugs), _claim_rows(named, slugs))
    last = (entries[-1].position, entries[-1].hash) if entries else None
    return Verification(count=len(entries), last=last, breaks=breaks, disagreements=disagreements)


# --- in words -------------------------------------------------------------------------------


def break_message(b: ledger_chain.Break) -> str:
    texts = {
        ledger_chain.BAD_HASH: _(
            "Écriture %(n)s : son empreinte ne correspond plus à son contenu (position, type, "
            "date, empreinte précédente ou contenu modifiés)."
        ),
        ledger_chain.BAD_PREVIOUS: _(
            "Écriture %(n)s : elle ne s'enchaîne plus à l'écriture qui la précède (une écriture "
            "a été retirée, insérée, déplacée ou modifiée avant elle)."
        ),
        ledger_chain.BAD_POSITION: _(
            "Écriture %(n)s : sa position ne suit pas celle de l'écriture précédente."
        ),
        ledger_chain.HEAD_MISSING: _(
            "Écriture %(n)s : elle figurait dans la tête publiée du registre, elle n'y est plus "
            "(des écritures ont été retirées à la fin)."
        ),
        ledger_chain.HEAD_DIFFERS: _(
            "Écriture %(n)s : son empreinte n'est plus celle de la tête publiée du registre "
            "(le registre a été réécrit)."
        ),
    }
    return texts[b.reason] % {"n": b.position}


def _labels() -> dict[str, str]:
    return {
        "id": _("numéro"),
        "transfer_kind": _("type"),
        "envelope": _("enveloppe"),
        "relay": _("relais"),
        "claim": _("demande"),
        "claimant": _("bénéficiaire"),
        "amount_cents": _("montant"),
        "date": _("date"),
        "by": _("auteur"),
        "created_at": _("enregistré le"),
        "bank_reference": _("référence bancaire"),
        "key": _("clé du virement"),
        "session": _("session"),
        "confirmed_by": _("confirmé par"),
        "confirmed_session": _("session de la confirmation"),
        "units_cents": _("compensation des unités"),
        "expenses_cents": _("dépenses validées"),
        "allocated_cents": _("part attribuée"),
        "submitted_on": _("déposée le"),
        "status": _("statut"),
    }


def _value(key: str, value) -> str:
    if value is None or value == "":
        return _("aucun")
    if key.endswith("_cents") and isinstance(value, int):
        return format_euros(value)
    if key == "status" and value in ClaimStatus.values:
        return str(ClaimStatus(value).label)
    if key == "transfer_kind" and value in TransferKind.values:
        return str(TransferKind(value).label)
    if key in {"relay", "claim", "claimant", "by", "id"}:
        return _("n° %(n)s") % {"n": value}
    if isinstance(value, datetime.datetime):
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, str) and key in {"date", "submitted_on"}:
        try:
            return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return str(value)


def disagreement_message(d: reconcile.Disagreement) -> str:
    """E.g. « Virement n° 12 : montant 105 283,01 € au registre 10 000,00 € ». A private
    value (a bank reference) is never written out: the page is public."""
    row = (_("Virement n° %(n)s") if d.table == reconcile.TRANSFER else _("Demande n° %(n)s")) % {
        "n": d.row
    }
    if d.missing == reconcile.NOT_IN_LEDGER:
        return _("%(row)s : absent du registre.") % {"row": row}
    if d.missing == reconcile.NOT_IN_TABLE:
        if d.table == reconcile.TRANSFER:
            text = _("%(row)s : au registre (écriture %(n)s), absent des virements.")
        else:
            text = _("%(row)s : sa part est au registre (écriture %(n)s), pas dans les demandes.")
        return text % {"row": row, "n": d.position}
    label = _labels().get(d.field, d.field)
    if d.private:
        return _("%(row)s : %(field)s différente de celle du registre (écriture %(n)s).") % {
            "row": row,
            "field": label,
            "n": d.position,
        }
    return _("%(row)s : %(field)s %(stored)s au registre %(ledgered)s") % {
        "row": row,
        "field": label,
        "stored": _value(d.field, d.stored),
        "ledgered": _value(d.field, d.ledgered),
    }

"""The whole verification of the ledger: its chain recomputed from the first entry (every
column of every entry, see ledger_chain), the head a reader kept, and the tables that feed
the public figures (envelopes and their rates, transfers, claims with their shares, lines
and validated expenses) reconciled with it (reconcile).

Five queries whatever the size: the entries, the envelopes, their rates, the transfers, and
the claims with the sums of their lines and validated expenses.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kenlabour.funding import ledger_chain, ledger_records, reconcile
from kenlabour.funding.enums import ClaimStatus, TransferKind
from kenlabour.funding.models import (
    Claim,
    ClaimLine,
    Envelope,
    Expense,
    LedgerEntry,
    Rate,
    Transfer,
)
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


def _envelope_rows() -> list[dict]:
    rates = defaultdict(list)
    for envelope, item, cents in Rate.objects.values_list(
        "envelope", "item_type", "cents_per_unit"
    ):
        rates[envelope].append((item, cents))
    return [
        ledger_records.envelope_record(envelope, rates[envelope.pk])
        for envelope in Envelope.objects.order_by("pk")
    ]


def _sum(queryset, expression):
    """A correlated subquery: the sum of `expression` over the claim's rows, 0 for none."""
    total = queryset.filter(claim=OuterRef("pk")).order_by().values("claim").annotate(t=expression)
    return Coalesce(Subquery(total.values("t")), 0)


def _claim_rows(named: set[int], slugs: dict[int, str]) -> list[dict]:
    claims = (
        Claim.objects.filter(Q(status__in=GRANTED) | Q(pk__in=named))
        .annotate(
            lines_cents=_sum(
                ClaimLine.objects.filter(live=True), Sum(F("units") * F("cents_per_unit"))
            ),
            validated_expenses_cents=_sum(
                Expense.objects.filter(validated=True), Sum("amount_cents")
            ),
        )
        .order_by("pk")
    )
    return [
        {
            **ledger_records.claim_record(claim, slugs.get(claim.envelope_id)),
            "lines_cents": claim.lines_cents,
            "validated_expenses_cents": claim.validated_expenses_cents,
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
    envelopes = _envelope_rows()
    slugs = {row["id"]: row["envelope"] for row in envelopes}
    named = {
        e.payload.get("claim")
        for e in entries
        if isinstance(e.payload, dict) and isinstance(e.payload.get("claim"), int)
    }
    disagreements = reconcile.reconcile(
        entries, _transfer_rows(slugs), _claim_rows(named, slugs), envelopes
    )
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
        "lines_cents": _("livraisons déclarées"),
        "validated_expenses_cents": _("dépenses validées (justificatifs)"),
        "funder": _("financeur"),
        "campaign": _("campagne"),
        "name": _("nom"),
        "total_cents": _("montant total"),
        "cap_cents": _("plafond par bénéficiaire"),
        "opens_on": _("ouverture"),
        "closes_on": _("clôture"),
        "decision_reference": _("référence de la décision"),
        "convention_date": _("date de la convention"),
        "conflict_relay": _("relais des demandes des relais"),
        "double_approval_above_cents": _("seconde validation au-delà de"),
        "payout_confirmation_above_cents": _("confirmation du virement au-delà de"),
        "created_by": _("ouverte par"),
        "rates": _("taux"),
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
    if key == "rates" and isinstance(value, list):
        return "; ".join(
            _("type %(item)s à %(rate)s") % {"item": pair[0], "rate": format_euros(pair[1])}
            for pair in value
            if isinstance(pair, list | tuple) and len(pair) == 2 and isinstance(pair[1], int)
        ) or _("aucun")
    if key in {"relay", "claim", "claimant", "by", "id", "funder", "campaign", "created_by",
               "conflict_relay"}:  # fmt: skip
        return _("n° %(n)s") % {"n": value}
    if isinstance(value, datetime.datetime):
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, str) and key in {"date", "submitted_on", "opens_on", "closes_on",
                                          "convention_date"}:  # fmt: skip
        try:
            return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return str(value)


def disagreement_message(d: reconcile.Disagreement) -> str:
    """E.g. « Virement n° 12 : montant 105 283,01 € au registre 10 000,00 € ». A private
    value (a bank reference) is never written out: the page is public."""
    if d.table == reconcile.ENVELOPE:
        row = _("Enveloppe « %(slug)s »") % {"slug": d.slug}
    elif d.table == reconcile.TRANSFER:
        row = _("Virement n° %(n)s") % {"n": d.row}
    else:
        row = _("Demande n° %(n)s") % {"n": d.row}
    if d.missing == reconcile.NOT_IN_LEDGER:
        return _("%(row)s : absent du registre.") % {"row": row}
    if d.missing == reconcile.NOT_IN_TABLE:
        if d.table == reconcile.ENVELOPE:
            text = _("%(row)s : ouverte au registre (écriture %(n)s), absente des enveloppes.")
        elif d.table == reconcile.TRANSFER:
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

"""The ledger read by people: each entry put into words (amounts in euros, organisations
and collectives by name, persons anonymised unless they consented to be named), next to
its raw canonical form, the one that is hashed, for whoever verifies the chain.

An entry's private part (a transfer's bank reference) is shown, in words and raw, only to
the people of the envelope's funder, the treasurers of the entry's relay and platform
administrators; everyone else reads its salted hash, which is enough to verify the chain.

Four queries per page whatever its size: the entries, and the actors, claims and envelopes
they name.
"""

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kenlabour.funding import ledger_chain
from kenlabour.funding.enums import LedgerKind, TransferKind
from kenlabour.funding.models import Claim, Envelope, LedgerEntry
from kenlabour.funding.templatetags.funding_claims import format_euros
from kenlabour.network.enums import ActorKind
from kenlabour.network.models import Actor


@dataclass
class LedgerRow:
    entry: LedgerEntry
    words: str
    canonical: str  # the exact text whose SHA-256 is the entry's hash
    private: str = ""  # the private part's canonical JSON, for those who may read it
    private_hash: str = ""


def public_name(actor: Actor | None) -> str:
    """An organisation's or a collective's name; a person's only if they consented."""
    if actor is None:
        return _("acteur inconnu")
    if actor.kind == ActorKind.PERSON and not actor.public_consent:
        return _("Personne anonyme")
    return actor.name


def _day(value) -> str:
    try:
        return date_format(datetime.date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value)


def _may_read_private(user, envelope: Envelope | None, relay: Actor | None) -> bool:
    """The envelope's funder (its people), the relay's treasurers, platform admins."""
    from kenlabour.accounts.perms import can

    if not getattr(user, "is_authenticated", False):
        return False
    return can(user, "funding.manage_envelope", envelope) or (
        relay is not None and can(user, "funding.see_relay", relay)
    )


def rows(entries: list[LedgerEntry], user=None) -> list[LedgerRow]:
    """The entries of a page, each with its sentence and its canonical JSON; private parts
    only for `user` if they may read them."""
    # An altered row may hold anything: read what is not a dict as empty.
    payloads = [entry.payload if isinstance(entry.payload, dict) else {} for entry in entries]
    claim_ids = {p.get("claim") for p in payloads if isinstance(p.get("claim"), int)}
    claimants = dict(Claim.objects.filter(pk__in=claim_ids).values_list("pk", "claimant_id"))
    actor_ids = {p.get(key) for p in payloads for key in ("funder", "claimant", "relay")} | set(
        claimants.values()
    )
    actors = Actor.objects.only("pk", "name", "kind", "public_consent").in_bulk(
        [pk for pk in actor_ids if isinstance(pk, int)]
    )
    slugs = {p.get("envelope") for p in payloads if p.get("envelope")}
    envelopes = {
        e.slug: e
        for e in Envelope.objects.filter(slug__in=slugs).only("pk", "slug", "name", "funder_id")
    }

    def actor(pk):
        return public_name(actors.get(pk)) if pk is not None else _("acteur inconnu")

    def envelope(slug):
        found = envelopes.get(slug)
        return found.name if found else (slug or "?")

    out = []
    for entry in entries:
        p = entry.payload if isinstance(entry.payload, dict) else {}
        private = p.get(ledger_chain.PRIVATE)
        readable = isinstance(private, dict) and _may_read_private(
            user, envelopes.get(p.get("envelope")), actors.get(p.get("relay"))
        )
        try:
            words = _words(entry.kind, p, actor, envelope, claimants, private if readable else None)
        except (TypeError, ValueError, KeyError):  # an altered row: say so, do not fail
            words = _("Écriture illisible : son contenu a été altéré.")
        row = LedgerRow(entry=entry, words=words, canonical=_hashed_json(entry))
        if readable:
            try:
                row.private = ledger_chain.canonical_json(private)
                row.private_hash = ledger_chain.private_digest(private)
            except TypeError:
                row.private = str(private)
        out.append(row)
    return out


def _hashed_json(entry: LedgerEntry) -> str:
    try:
        return ledger_chain.hashed_json(
            entry.position, entry.kind, entry.recorded_at, entry.previous_hash, entry.payload
        )
    except (TypeError, ValueError):  # an altered row: show what is stored
        return str(entry.payload)


def _words(kind, p, actor, envelope, claimants, private=None) -> str:
    values = {
        "envelope": envelope(p.get("envelope")),
        "funder": actor(p.get("funder")),
        "relay": actor(p.get("relay")),
        "claimant": actor(p.get("claimant") or claimants.get(p.get("claim"))),
        "claim": p.get("claim"),
        "total": format_euros(p.get("total_cents")),
        "cap": format_euros(p.get("cap_cents")),
        "asked": format_euros(p.get("asked_cents")),
        "allocated": format_euros(p.get("allocated_cents")),
        "previous": format_euros(p.get("previous_cents")),
        "amount": format_euros(p.get("amount_cents")),
        "opens": _day(p.get("opens_on")),
        "closes": _day(p.get("closes_on")),
        "date": _day(p.get("date")),
    }
    if kind == LedgerKind.ENVELOPE_OPENED:
        text = _(
            "%(funder)s ouvre l'enveloppe « %(envelope)s » de %(total)s, demandes du %(opens)s "
            "au %(closes)s."
        )
        if p.get("cap_cents"):
            text += " " + _("Plafond par bénéficiaire : %(cap)s.")
    elif kind == LedgerKind.CLAIM_APPROVED:
        text = _(
            "%(relay)s approuve la demande n° %(claim)s de %(claimant)s sur « %(envelope)s » : "
            "%(asked)s retenus."
        )
    elif kind == LedgerKind.ALLOCATION:
        text = _(
            "Part de %(allocated)s attribuée à la demande n° %(claim)s de %(claimant)s "
            "(%(asked)s retenus) sur « %(envelope)s »."
        )
    elif kind == LedgerKind.TRANSFER and p.get("transfer_kind") == TransferKind.RELAY_TO_CLAIMANT:
        text = _(
            "%(relay)s verse %(amount)s à %(claimant)s le %(date)s pour la demande n° %(claim)s."
        )
    elif kind == LedgerKind.TRANSFER:
        text = _(
            "Virement de %(amount)s du financeur à %(relay)s le %(date)s sur « %(envelope)s »."
        )
    elif p.get("corrects") == "allocation":
        text = _(
            "Correction : la part de la demande n° %(claim)s de %(claimant)s passe de "
            "%(previous)s à %(allocated)s."
        )
    elif p.get("corrects") == "envelope" and p.get("withdrawn"):
        text = _("Correction : %(funder)s retire l'enveloppe « %(envelope)s » de %(total)s.")
    elif p.get("corrects") == "envelope":
        text = _(
            "Correction : l'enveloppe « %(envelope)s » de %(funder)s est désormais de "
            "%(total)s, demandes du %(opens)s au %(closes)s."
        )
    else:
        text = _("Écriture « %(kind)s ».")
        values["kind"] = kind
    text = text % values
    if kind == LedgerKind.TRANSFER:
        if private is not None:
            text += " " + _("Référence bancaire : %(reference)s.") % {
                "reference": private.get("bank_reference", "")
            }
        else:
            text += " " + _("Référence bancaire réservée au financeur et au relais.")
    return text

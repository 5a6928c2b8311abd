"""Data of the claims room: a small world shared by its tests (a relay covering Finistère,
an open envelope with a rate, a fablab in Quimper with a confirmed delivery), real receipt
files, and the setups of the accessibility audit (kenlabour/web/audit.py), which create
what a page shows and return the URL's kwargs."""

import datetime
import struct
import zlib
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kenlabour.accounts.models import User
from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.funding.enums import ClaimStatus, ExpenseKind
from kenlabour.funding.models import Claim, Coverage, Envelope, Expense, Transition
from kenlabour.funding.tests.factories import (
    CoverageFactory,
    EnvelopeFactory,
    RateFactory,
    RelayFactory,
    confirmed_delivery,
    treasurer,
)
from kenlabour.mobilisation.models import Delivery, ItemType
from kenlabour.mobilisation.tests.factories import ItemTypeFactory
from kenlabour.network.models import Actor
from kenlabour.network.tests.factories import FablabFactory, make_admin

# --- receipts made of real bytes -----------------------------------------------------------


def pdf_bytes(text: str = "Facture n° 2020-041 — 3 bobines de PETG") -> bytes:
    """A real PDF, rendered by WeasyPrint."""
    from weasyprint import HTML

    return HTML(string=f"<h1>Facture</h1><p>{text}</p>").write_pdf()


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A real PNG (grey pixels), written by hand: signature, IHDR, IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def elf_bytes() -> bytes:
    """The start of a Linux x86-64 executable."""
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


def mz_bytes() -> bytes:
    """The start of a Windows executable."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- a small world -------------------------------------------------------------------------


@dataclass
class World:
    relay: Actor
    coverage: Coverage
    envelope: Envelope
    item: ItemType
    claimant: Actor
    delivery: Delivery
    claimant_user: User
    treasurer_user: User  # reviews the relay's claims
    payer_user: User  # another treasurer of the relay: nobody pays what they approved


def world(units: int = 100, rate_cents: int = 200) -> World:
    """A relay covering Finistère since 2020, an envelope open today with a rate for its
    visor, a fablab of Quimper (Finistère) with a delivery confirmed in full, the person
    who administers the fablab and the relay's treasurer."""
    relay = RelayFactory(name="Fabrique solidaire du Finistère")
    coverage = CoverageFactory(relay=relay)
    envelope = EnvelopeFactory(name="Compensation des makers 2020")
    item = ItemTypeFactory(
        campaign=envelope.campaign, name="Visière Prusa RC3", unit_cost_cents=150
    )
    RateFactory(envelope=envelope, item_type=item, cents_per_unit=rate_cents)
    claimant = FablabFactory(name="Fablab de Quimper")
    delivery = confirmed_delivery(claimant, item, units)
    claimant_user = make_admin(UserFactory(), claimant)
    return World(
        relay=relay,
        coverage=coverage,
        envelope=envelope,
        item=item,
        claimant=claimant,
        delivery=delivery,
        claimant_user=claimant_user,
        treasurer_user=treasurer(relay),
        payer_user=treasurer(relay),
    )


# --- audit setups --------------------------------------------------------------------------


def _claim_with_history(
    w: World, status: ClaimStatus, reason: str = "", delivery: Delivery | None = None
) -> Claim:
    """A claim written as the services would have left it, without files on disk."""
    from kenlabour.funding.models import ClaimLine

    claim = Claim.objects.create(
        envelope=w.envelope,
        claimant=w.claimant,
        relay=w.relay,
        status=status,
        submitted_on=timezone.localdate(),
        note="Visières livrées aux EHPAD de Quimper.",
    )
    delivery = delivery or w.delivery
    line = ClaimLine.objects.create(
        claim=claim, delivery=delivery, units=delivery.confirmed_units, cents_per_unit=200
    )
    claim.units_cents = line.amount_cents
    claim.save()
    Expense.objects.create(
        claim=claim,
        kind=ExpenseKind.MATERIAL,
        label="3 bobines de PETG",
        amount_cents=8_970,
        receipt=f"justificatifs/{claim.pk}/audit.pdf",
        receipt_kind="application/pdf",
        spent_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    Transition.objects.create(claim=claim, to_status=ClaimStatus.DRAFT, by=w.claimant_user)
    Transition.objects.create(
        claim=claim,
        from_status=ClaimStatus.DRAFT,
        to_status=ClaimStatus.SUBMITTED,
        by=w.claimant_user,
    )
    if status != ClaimStatus.SUBMITTED:
        Transition.objects.create(
            claim=claim,
            from_status=ClaimStatus.SUBMITTED,
            to_status=status,
            by=w.treasurer_user,
            reason=reason,
        )
    return claim


def audited_envelope() -> dict:
    """An envelope open today (listed on "my claims"; the page to create a claim)."""
    w = world()
    return {"slug": w.envelope.slug}


def audited_open_envelopes() -> dict:
    world()
    return {}


def audited_claim() -> dict:
    """A claim sent back for changes, with a delivery, an expense and its history."""
    claim = _claim_with_history(
        world(),
        ClaimStatus.CHANGES_REQUESTED,
        reason="Le justificatif de la dépense est illisible : joignez une photo nette.",
    )
    return {"pk": claim.pk}


def audited_relay() -> dict:
    """A relay with a claim to review and one approved."""
    w = world()
    _claim_with_history(w, ClaimStatus.SUBMITTED)
    _claim_with_history(
        w, ClaimStatus.APPROVED, delivery=confirmed_delivery(w.claimant, w.item, 40)
    )
    return {"relay": w.relay.slug}

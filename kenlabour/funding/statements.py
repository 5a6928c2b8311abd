"""A claimant's statement as a PDF (WeasyPrint): who claimed what from which envelope, the
deliveries and expenses it rests on, the share granted, what was paid and every step of
the claim's life.

WeasyPrint is imported inside the functions: the platform starts (and every other page
works) on a machine without it or its system libraries. The fonts are DejaVu (installed
with WeasyPrint's dependencies on Debian), named in the template's style sheet.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from kenlabour.funding.models import Claim

PDF_CONTENT_TYPE = "application/pdf"
TEMPLATE = "funding/public_claim_statement_pdf.html"


def statement_html(claim: Claim, *, paid_cents: int, ledger_head: str = "") -> str:
    lines = list(claim.lines.all())
    return render_to_string(
        TEMPLATE,
        {
            "claim": claim,
            "lines": lines,
            "expenses": list(claim.expenses.all()),
            "transitions": list(claim.transitions.all()),
            "transfers": list(claim.transfers.all()),
            "units": sum(line.units for line in lines),
            "paid_cents": paid_cents,
            "printed_at": timezone.localtime(),
            "ledger_head": ledger_head,
        },
    )


def render_document(claim: Claim, *, ledger_head: str = ""):
    """The laid-out document (WeasyPrint `Document`): its pages hold the text boxes.
    `ledger_head`: the ledger's head when printed ("POSITION:HASH"), printed at the end so
    that the reader can check later that nothing was removed from the ledger."""
    from weasyprint import HTML

    paid = sum(t.amount_cents for t in claim.transfers.all())
    html = statement_html(claim, paid_cents=paid, ledger_head=ledger_head)
    return HTML(string=html).render()


def claim_statement_pdf(claim: Claim, *, ledger_head: str = "") -> bytes:
    return render_document(claim, ledger_head=ledger_head).write_pdf()


def document_text(document) -> str:
    """The text laid out on the document's pages, in reading order (for tests and
    checks: what a reader of the PDF sees)."""
    from weasyprint.formatting_structure.boxes import TextBox

    parts = []
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, TextBox):
                parts.append(box.text)
    return " ".join(parts)

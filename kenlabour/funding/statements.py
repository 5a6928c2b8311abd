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


def statement_html(claim: Claim, *, paid_cents: int) -> str:
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
        },
    )


def render_document(claim: Claim):
    """The laid-out document (WeasyPrint `Document`): its pages hold the text boxes."""
    from weasyprint import HTML

    paid = sum(t.amount_cents for t in claim.transfers.all())
    return HTML(string=statement_html(claim, paid_cents=paid)).render()


def claim_statement_pdf(claim: Claim) -> bytes:
    return render_document(claim).write_pdf()


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

"""In the open: the transparency pages, the SCDL export; and the statements (a relay's
XLSX, a claimant's PDF), restricted to those entitled to them."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kenlabour.accounts.perms import can
from kenlabour.funding import exports, statements
from kenlabour.funding.models import Claim, Envelope
from kenlabour.funding.selectors import public as selectors
from kenlabour.funding.selectors import verification
from kenlabour.network.models import Actor

BENEFICIARIES_PER_PAGE = 25


def _envelope(slug: str) -> Envelope:
    try:
        return selectors.public_envelope(slug)
    except Envelope.DoesNotExist:
        raise Http404(_("Aucune enveloppe à cette adresse.")) from None


@require_GET
def envelopes(request):
    """Every envelope, and each visitor's ways in: their claims, the relays they keep the
    accounts of, opening an envelope for a funder they belong to."""
    from kenlabour.accounts.perms import strictly
    from kenlabour.funding.selectors.claims import treasurer_relays

    envelopes = list(selectors.public_envelopes())
    return render(
        request,
        "funding/public_envelopes.html",
        {
            "envelopes": envelopes,
            "can_create": strictly(request.user, "funding.create_envelope"),
            "relays": treasurer_relays(request.user),
            "managed": [
                e for e in envelopes if strictly(request.user, "funding.manage_envelope", e)
            ]
            if request.user.is_authenticated
            else [],
        },
    )


@require_GET
def envelope(request, slug):
    report = selectors.envelope_report(_envelope(slug))
    statement_relays = []
    if request.user.is_authenticated:
        statement_relays = [
            row.relay
            for row in report.relays
            if may_see_relay_statement(request.user, report.envelope, row.relay)
        ]
    from kenlabour.accounts.perms import strictly

    # The figures are computed over every share; the list of beneficiaries is cut into pages.
    paginator = Paginator(report.beneficiaries, BENEFICIARIES_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "funding/public_envelope.html",
        {
            "report": report,
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
            "statement_relays": statement_relays,
            "can_manage": strictly(request.user, "funding.manage_envelope", report.envelope),
            "ledger_head": verification.head_text(verification.ledger_head()),
        },
    )


@require_GET
def scdl_csv(request, slug):
    envelope = _envelope(slug)
    text = exports.scdl_csv(envelope, selectors.relay_grants(envelope))
    response = HttpResponse(text.encode("utf-8"), content_type=exports.SCDL_CONTENT_TYPE)
    # The standard fixes the file's columns: the ledger's head travels in its name (kept
    # with the file) and in a header.
    head = verification.ledger_head()
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.scdl_filename(envelope, head)}"'
    )
    if head:
        response[exports.LEDGER_HEAD_HEADER] = verification.head_text(head)
    return response


def may_see_relay_statement(user, envelope: Envelope, relay: Actor) -> bool:
    """The relay's treasurer, a platform admin, or the envelope's funder."""
    return can(user, "funding.see_relay", relay) or can(user, "funding.manage_envelope", envelope)


@require_GET
def relay_statement(request, slug, relay):
    envelope = _envelope(slug)
    relay = get_object_or_404(Actor, slug=relay)
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not may_see_relay_statement(request.user, envelope, relay):
        raise PermissionDenied(
            _("Ce relevé est réservé au relais, au financeur et aux administrateurs.")
        )
    # The relay and platform admins know every claimant; the funder sees people
    # anonymised unless they consented, as the public does.
    reveal = can(request.user, "funding.see_relay", relay)
    rows = selectors.relay_statement(envelope, relay, reveal=reveal)
    response = HttpResponse(
        exports.relay_statement_xlsx(
            envelope, relay, rows, ledger_head=verification.head_text(verification.ledger_head())
        ),
        content_type=exports.XLSX_CONTENT_TYPE,
    )
    filename = f"releve-{envelope.slug}-{relay.slug}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def claim_statement(request, pk):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    try:
        claim = selectors.claim_statement(pk)
    except Claim.DoesNotExist:
        raise Http404(_("Aucune demande à cette adresse.")) from None
    if not can(request.user, "funding.see_claim", claim):
        raise PermissionDenied(
            _("Ce relevé est réservé au bénéficiaire, à son relais et aux administrateurs.")
        )
    head = verification.head_text(verification.ledger_head())
    response = HttpResponse(
        statements.claim_statement_pdf(claim, ledger_head=head),
        content_type=statements.PDF_CONTENT_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="releve-demande-{claim.pk}.pdf"'
    return response

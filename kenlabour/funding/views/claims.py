"""The claims room: a claimant's claims, filing one (deliveries, expenses with receipts),
submitting or cancelling it; the relay's treasurer reviewing it. Thin views: a form parses,
a service decides, a selector reads. Every page works without JavaScript."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kenlabour.accounts.perms import can, strictly
from kenlabour.accounts.selectors import session_reference
from kenlabour.funding.enums import ClaimStatus
from kenlabour.funding.forms.claims import ClaimCreateForm, ExpenseForm, ReviewForm
from kenlabour.funding.models import Claim, ClaimLine, Envelope, Expense
from kenlabour.funding.perms import claims_for, treasurer_of_claims_relay
from kenlabour.funding.selectors import claims as selectors
from kenlabour.funding.services import claims as services
from kenlabour.funding.services.claims import MAX_RECEIPT_SIZE
from kenlabour.funding.templatetags.funding_claims import format_euros
from kenlabour.network.models import Actor
from kenlabour.web.confirm import confirmation_page
from kenlabour.web.limits import upload_limit


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal, shown at its field (or at the top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _site_url(request) -> str:
    return request.build_absolute_uri("/")


def _claim(pk: int) -> Claim:
    try:
        return selectors.claim_detail(pk)
    except Claim.DoesNotExist:
        raise Http404 from None


# --- the claimant's side ------------------------------------------------------------------


@login_required
@require_GET
def my_claims(request):
    """The claims of every actor the user files for, the envelopes open to claims, and the
    relays they review for."""
    actors = selectors.acting_actors(request.user)
    return render(
        request,
        "funding/claims_mine.html",
        {
            "actors": actors,
            "claims": selectors.claims_of_actors(actors),
            "envelopes": selectors.open_envelopes(),
            "relays": selectors.treasurer_relays(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_create(request, slug):
    """A new draft: for which actor (`?acteur=`), resting on which deliveries (all that
    may be claimed, by default)."""
    envelope = get_object_or_404(Envelope.objects.select_related("campaign", "funder"), slug=slug)
    actors = selectors.acting_actors(request.user)
    context = {"envelope": envelope, "actors": actors, "today": timezone.localdate()}
    if not actors:
        return render(request, "funding/claims_create.html", context)
    wanted = request.GET.get("acteur", "")
    actor = next((a for a in actors if str(a.pk) == wanted), actors[0])
    deliveries = selectors.claimable_deliveries(actor, envelope)
    form = ClaimCreateForm(request.POST or None, deliveries=deliveries)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.create_claim(
                request.user,
                envelope,
                actor,
                deliveries=list(form.cleaned_data["deliveries"]),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Brouillon de demande créé pour %(name)s. Ajoutez vos dépenses, puis "
                    "déposez la demande."
                )
                % {"name": actor.name},
            )
            return redirect(claim)
    context.update(
        {
            "actor": actor,
            "form": form,
            "has_deliveries": bool(form.fields["deliveries"].choices),
            "open": envelope.opens_on <= context["today"] <= envelope.closes_on,
        }
    )
    return render(request, "funding/claims_create.html", context)


def _claim_page(request, claim: Claim, *, expense_form=None, review_form=None, status=200):
    user = request.user
    can_edit = can(user, "funding.edit_claim", claim)
    editable = can_edit and claim.status in services.EDITABLE
    can_review = strictly(user, "funding.review_claim", claim)
    treasurer = treasurer_of_claims_relay(user, claim)
    expenses = list(claim.expenses.all())
    if editable and expense_form is None:
        expense_form = ExpenseForm(initial={"spent_on": None})
    if can_review and claim.status in ClaimStatus.to_review() and review_form is None:
        review_form = ReviewForm(
            expenses=expenses,
            initial={"validated_expenses": [e.pk for e in expenses if e.validated]}
            if claim.status == ClaimStatus.FIRST_APPROVED
            else None,
        )
    if can_review or treasurer:  # receipts seen elsewhere, flagged to the reviewer
        duplicates = selectors.duplicate_receipts(claim)
        for expense in expenses:
            expense.duplicates = duplicates.get(expense.pk, [])
    duties = selectors.duties(claim)
    refusal = ""
    if treasurer and not can_review and claim.status in ClaimStatus.to_review():
        refusal = selectors.duty_refusal(user, claim, "review")
    elif treasurer and claim.status == ClaimStatus.SCHEDULED:
        refusal = selectors.duty_refusal(user, claim, "pay")
    elif treasurer and claim.status == ClaimStatus.PAYOUT_RECORDED:
        refusal = selectors.duty_refusal(user, claim, "confirm")
    lines = list(claim.lines.all())
    transitions = list(claim.transitions.all())
    last = transitions[-1] if transitions else None
    return render(
        request,
        "funding/claims_detail.html",
        {
            "claim": claim,
            "envelope": claim.envelope,
            "live_lines": [line for line in lines if line.live],
            "released_lines": [line for line in lines if not line.live],
            "expenses": expenses,
            "expenses_asked": sum(e.amount_cents for e in expenses),
            "transitions": transitions,
            "last_reason": last.reason
            if last and last.to_status in {ClaimStatus.CHANGES_REQUESTED, ClaimStatus.REJECTED}
            else "",
            "can_edit": can_edit,
            "editable": editable,
            "can_submit": can_edit and claim.status in services.EDITABLE,
            "can_cancel": can_edit
            and claim.status
            in {
                ClaimStatus.DRAFT,
                ClaimStatus.SUBMITTED,
                ClaimStatus.CHANGES_REQUESTED,
                ClaimStatus.RESUBMITTED,
                ClaimStatus.FIRST_APPROVED,
            },
            "can_see_receipts": can_edit or can_review,
            "can_pay": strictly(user, "funding.pay_claim", claim),
            "can_confirm_payout": strictly(user, "funding.confirm_payout", claim),
            "first_approval": duties.first_approval,
            "recorded_payout": duties.recorded_payout,
            "duty_refusal": refusal,
            "retained": claim.status
            in {
                ClaimStatus.FIRST_APPROVED,
                ClaimStatus.APPROVED,
                ClaimStatus.SCHEDULED,
                ClaimStatus.PAYOUT_RECORDED,
                ClaimStatus.PAID,
            },
            "expense_form": expense_form,
            "review_form": review_form,
        },
        status=status,
    )


@login_required
@require_GET
def claim(request, pk):
    """A claim: its deliveries, expenses and receipts, amounts, history and actions."""
    claim = _claim(pk)
    if not can(request.user, "funding.see_claim", claim):
        raise PermissionDenied
    return _claim_page(request, claim)


@upload_limit(MAX_RECEIPT_SIZE)
@login_required
@require_http_methods(["GET", "POST"])
def expense_add(request, pk):
    """An expense with its receipt (the form is on the claim's page)."""
    claim = _claim(pk)
    if not can(request.user, "funding.edit_claim", claim):
        raise PermissionDenied
    if request.method == "GET":
        return redirect(claim.get_absolute_url() + "#depense")
    form = ExpenseForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            expense = services.add_expense(
                request.user,
                claim,
                kind=data["kind"],
                label=data["label"],
                amount_cents=data["amount"],
                spent_on=data["spent_on"],
                receipt=data["receipt"],
                issuer=data["issuer"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # the claim is no longer editable
                messages.error(request, " ".join(error.messages))
                return redirect(claim)
            _add_errors(form, error)
        else:
            messages.success(request, _("Dépense ajoutée : %(label)s.") % {"label": expense.label})
            return redirect(claim.get_absolute_url() + "#depenses")
    return _claim_page(request, _claim(pk), expense_form=form)


@login_required
@require_GET
def receipt(request, pk, expense):
    """A receipt's file, for the claimant's people and the treasurer of the claim's relay
    only; always downloaded, never shown inline."""
    expense = get_object_or_404(
        Expense.objects.select_related("claim__claimant", "claim__relay"), pk=expense, claim_id=pk
    )
    claim = expense.claim
    if not (claims_for(request.user, claim) or treasurer_of_claims_relay(request.user, claim)):
        raise PermissionDenied
    try:
        handle = expense.receipt.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = expense.receipt.name.rpartition(".")[2] or "bin"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"justificatif-{claim.pk}-{expense.pk}.{extension}",
        content_type=expense.receipt_kind or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _confirm_claimant_action(request, claim: Claim, action: str):
    """The confirmation step before submitting or cancelling a claim (None once confirmed)."""
    name = claim.claimant.name
    if action == "submit":
        return confirmation_page(
            request,
            title=_("Déposer la demande n° %(n)s ?") % {"n": claim.pk},
            message=_(
                "La demande de %(name)s ira au relais qui couvre son territoire aujourd'hui. "
                "Elle ne se modifie plus ensuite, sauf si le relais demande des modifications."
            )
            % {"name": name},
            details=[
                _("Compensation des unités livrées : %(amount)s")
                % {"amount": format_euros(claim.units_cents)},
                _("Dépenses déclarées : %(amount)s")
                % {"amount": format_euros(sum(e.amount_cents for e in claim.expenses.all()))},
            ],
            back_url=claim.get_absolute_url(),
            confirm_label=_("Déposer la demande"),
        )
    return confirmation_page(
        request,
        title=_("Annuler la demande n° %(n)s ?") % {"n": claim.pk},
        message=_(
            "La demande de %(name)s sera annulée : elle ne pourra plus être déposée, ses "
            "livraisons pourront figurer dans une autre demande."
        )
        % {"name": name},
        back_url=claim.get_absolute_url(),
        confirm_label=_("Annuler la demande"),
        danger=True,
    )


@login_required
@require_POST
def claim_action(request, pk):
    """The claimant's actions: submit (or resubmit), cancel, take back a delivery or an
    expense from a draft."""
    claim = get_object_or_404(Claim.objects.select_related("claimant"), pk=pk)
    if not can(request.user, "funding.edit_claim", claim):
        raise PermissionDenied
    action = request.POST.get("action", "")
    if action in {"submit", "cancel"}:
        page = _confirm_claimant_action(request, claim, action)
        if page is not None:
            return page
    try:
        if action == "submit":
            was = claim.status
            claim = services.submit(
                request.user, claim, site_url=_site_url(request), session=session_reference(request)
            )
            if was == ClaimStatus.CHANGES_REQUESTED:
                text = _("Demande déposée à nouveau auprès de %(relay)s.")
            else:
                text = _("Demande déposée auprès de %(relay)s, qui va l'examiner.")
            messages.success(request, text % {"relay": claim.relay.name})
        elif action == "cancel":
            services.cancel(request.user, claim, reason=request.POST.get("reason", ""))
            messages.success(
                request,
                _("Demande annulée : ses livraisons peuvent figurer dans une autre demande."),
            )
        elif action == "remove_line":
            line = get_object_or_404(ClaimLine, pk=request.POST.get("line") or 0, claim=claim)
            services.remove_line(request.user, claim, line)
            messages.success(request, _("Livraison retirée de la demande."))
        elif action == "remove_expense":
            expense = get_object_or_404(Expense, pk=request.POST.get("expense") or 0, claim=claim)
            services.remove_expense(request.user, claim, expense)
            messages.success(request, _("Dépense retirée de la demande."))
        else:
            messages.error(request, _("Action inconnue : rien n'a été changé."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(claim)


# --- the relay's side ----------------------------------------------------------------------


@login_required
@require_GET
def relay_claims(request, relay):
    """The claims that went to a relay, those to review first."""
    relay = get_object_or_404(Actor, slug=relay)
    if not can(request.user, "funding.see_relay", relay):
        raise PermissionDenied
    status = request.GET.get("statut", "")
    if status not in ClaimStatus.values:
        status = ""
    claims = selectors.claims_of_relay(relay, status)
    # What waits for the relay: claims to review (or to approve a second time) and payouts
    # to confirm, all on the page; the others a page at a time (a phone scrolls no further).
    waiting = {*ClaimStatus.to_review(), ClaimStatus.PAYOUT_RECORDED}
    paginator = Paginator(
        [c for c in claims if c.status not in waiting], selectors.RELAY_OTHERS_PAGE_SIZE
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "funding/claims_relay.html",
        {
            "relay": relay,
            "claims": claims,
            "to_review": [c for c in claims if c.status in waiting],
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
            "status": status,
            "statuses": ClaimStatus.choices,
        },
    )


def _confirm_review(request, claim: Claim, data: dict, expenses: list):
    """The confirmation step before the treasurer's decision (None once confirmed)."""
    decision = data["decision"]
    ids = {int(pk) for pk in data.get("validated_expenses", [])}
    validated = sum(e.amount_cents for e in expenses if e.pk in ids)
    name = claim.claimant.name
    titles = {
        "approve": _("Approuver la demande de %(name)s ?"),
        "reject": _("Refuser la demande de %(name)s ?"),
        "changes": _("Demander des modifications à %(name)s ?"),
    }
    messages_ = {
        "approve": _(
            "La demande entrera dans la prochaine répartition de l'enveloppe. Un e-mail en "
            "informe %(name)s."
        ),
        "reject": _(
            "La demande sera refusée et ses livraisons libérées. Un e-mail en informe "
            "%(name)s, avec le motif."
        ),
        "changes": _(
            "La demande revient à %(name)s, qui la modifie puis la dépose à nouveau. Le motif "
            "lui est envoyé par e-mail."
        ),
    }
    details = []
    if decision == "approve":
        details = [
            _("Compensation des unités livrées : %(amount)s")
            % {"amount": format_euros(claim.units_cents)},
            _("Dépenses validées : %(amount)s") % {"amount": format_euros(validated)},
            _("Montant retenu : %(amount)s")
            % {"amount": format_euros(claim.units_cents + validated)},
        ]
    elif data.get("reason"):
        details = [_("Motif : %(reason)s") % {"reason": data["reason"]}]
    return confirmation_page(
        request,
        title=titles[decision] % {"name": name},
        message=messages_[decision] % {"name": name},
        details=details,
        back_url=claim.get_absolute_url() + "#examen",
        confirm_label={
            "approve": _("Approuver"),
            "reject": _("Refuser"),
            "changes": _("Demander des modifications"),
        }[decision],
        danger=decision == "reject",
    )


@login_required
@require_POST
def review(request, pk):
    """The treasurer's decision (the form is on the claim's page)."""
    claim = _claim(pk)
    if not strictly(request.user, "funding.review_claim", claim):
        refusal = selectors.duty_refusal(request.user, claim, "review")
        if not refusal:
            raise PermissionDenied
        messages.error(request, refusal)
        return redirect(claim)
    expenses = list(claim.expenses.all())
    form = ReviewForm(request.POST, expenses=expenses)
    if form.is_valid():
        data = form.cleaned_data
        page = _confirm_review(request, claim, data, expenses)
        if page is not None:
            return page
        try:
            services.review(
                request.user,
                claim,
                data["decision"],
                reason=data["reason"],
                validated_expenses=data.get("validated_expenses", []),
                site_url=_site_url(request),
                session=session_reference(request),
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # already reviewed
                messages.error(request, " ".join(error.messages))
                return redirect(claim)
            _add_errors(form, error)
        else:
            claim.refresh_from_db(fields=["status"])
            done = {
                "approve": _("Demande approuvée. Un e-mail en informe le bénéficiaire.")
                if claim.status != ClaimStatus.FIRST_APPROVED
                else _(
                    "Première validation enregistrée. Au-delà du seuil de l'enveloppe, une "
                    "seconde personne du relais valide à son tour : elle en est avertie."
                ),
                "reject": _("Demande refusée. Un e-mail en informe le bénéficiaire."),
                "changes": _("Modifications demandées. Un e-mail en informe le bénéficiaire."),
            }
            messages.success(request, done[data["decision"]])
            return redirect("funding:relay_claims", relay=claim.relay.slug)
    return _claim_page(request, _claim(pk), review_form=form)

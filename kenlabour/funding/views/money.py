"""The money room: a funder opens an envelope, follows it, runs its allocation and records
its transfers to the relays; a relay's treasurer records a claim's payout; administrators
reconfigure the relays' coverage; funders and administrators read the ledger and its
verification. Thin views: a form parses, a service decides, a selector reads. Every page
works without JavaScript."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kenlabour.accounts.perms import can, strictly
from kenlabour.accounts.selectors import session_reference
from kenlabour.funding.enums import ClaimStatus
from kenlabour.funding.forms.money import (
    CoverageForm,
    EnvelopeForm,
    LedgerHeadForm,
    PayForm,
    RefusePayoutForm,
    TransferForm,
)
from kenlabour.funding.models import Claim, Envelope
from kenlabour.funding.selectors import claims as claim_selectors
from kenlabour.funding.selectors import ledger as ledger_selectors
from kenlabour.funding.selectors import money as selectors
from kenlabour.funding.selectors import verification
from kenlabour.funding.services import money as services
from kenlabour.funding.templatetags.funding_claims import format_euros
from kenlabour.web.confirm import confirmation_page


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal, shown at its field (or at the top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _envelope(slug: str) -> Envelope:
    try:
        return selectors.envelope_for_manage(slug)
    except Envelope.DoesNotExist:
        raise Http404 from None


def _managed_envelope(request, slug: str) -> Envelope:
    envelope = _envelope(slug)
    if not services.may_manage(request.user, envelope):
        raise PermissionDenied
    return envelope


# --- envelopes ------------------------------------------------------------------------------


def _envelope_confirmation(request, data: dict, *, funder, campaign, back_url: str, editing):
    """The confirmation step before opening (or correcting) an envelope, publicly."""
    details = [
        _("Financeur : %(name)s") % {"name": funder.name},
        _("Mobilisation : %(name)s") % {"name": campaign.name},
        _("Montant : %(amount)s") % {"amount": format_euros(data["total"])},
        _("Plafond par bénéficiaire : %(amount)s")
        % {"amount": format_euros(data["cap"]) if data["cap"] else _("aucun")},
        _("Seconde validation au-delà de : %(amount)s")
        % {
            "amount": format_euros(data["double_approval_above"])
            if data["double_approval_above"] is not None
            else _("jamais")
        },
        _("Confirmation du virement au-delà de : %(amount)s")
        % {
            "amount": format_euros(data["payout_confirmation_above"])
            if data["payout_confirmation_above"] is not None
            else _("jamais")
        },
        _("Demandes du %(opens)s au %(closes)s")
        % {
            "opens": date_format(data["opens_on"], "j F Y"),
            "closes": date_format(data["closes_on"], "j F Y"),
        },
        _("Décision : %(reference)s") % {"reference": data["decision_reference"]},
    ]
    if data.get("conflict_relay"):
        details.append(
            _("Relais des demandes des relais : %(name)s") % {"name": data["conflict_relay"].name}
        )
    return confirmation_page(
        request,
        title=(
            _("Modifier l'enveloppe « %(name)s » ?")
            if editing
            else _("Ouvrir l'enveloppe « %(name)s » ?")
        )
        % {"name": data["name"]},
        message=_(
            "L'enveloppe est publiée au nom de %(funder)s, sur sa page publique et au registre, "
            "qui ne se modifie pas : une correction s'y ajoute."
        )
        % {"funder": funder.name},
        details=details,
        back_url=back_url,
        confirm_label=_("Enregistrer l'enveloppe") if editing else _("Ouvrir l'enveloppe"),
    )


def _envelope_values(form) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "total_cents": data["total"],
        "cap_cents": data["cap"],
        "double_approval_above_cents": data["double_approval_above"],
        "payout_confirmation_above_cents": data["payout_confirmation_above"],
        "opens_on": data["opens_on"],
        "closes_on": data["closes_on"],
        "decision_reference": data["decision_reference"],
        "convention_date": data["convention_date"],
        "conflict_relay": data["conflict_relay"],
        "rates": form.rates(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def envelope_create(request):
    """A new envelope: the campaign is chosen first (`?campagne=`), so that its item types
    get their rate fields, without JavaScript; only in the name of a funder the user
    belongs to."""
    if not strictly(request.user, "funding.create_envelope"):
        raise PermissionDenied
    campaigns = list(selectors.campaigns())
    wanted = request.GET.get("campagne", "")
    campaign = next(
        (c for c in campaigns if str(c.pk) == wanted), campaigns[0] if campaigns else None
    )
    form = None
    if campaign is not None:
        form = EnvelopeForm(request.POST or None, user=request.user, campaign=campaign)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            page = _envelope_confirmation(
                request,
                data,
                funder=data["funder"],
                campaign=campaign,
                back_url=request.get_full_path(),
                editing=False,
            )
            if page is not None:
                return page
            try:
                envelope = services.create_envelope(
                    request.user,
                    funder=data["funder"],
                    campaign=campaign,
                    **_envelope_values(form),
                    session=session_reference(request),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Enveloppe « %(name)s » ouverte : %(total)s.")
                    % {"name": envelope.name, "total": format_euros(envelope.total_cents)},
                )
                return redirect("funding:envelope_manage", slug=envelope.slug)
    return render(
        request,
        "funding/money_envelope_create.html",
        {"campaigns": campaigns, "campaign": campaign, "form": form},
    )


def _changeable_envelope(request, slug: str) -> Envelope:
    envelope = _managed_envelope(request, slug)
    if not strictly(request.user, "funding.create_envelope", envelope.funder):
        raise PermissionDenied
    return envelope


@login_required
@require_http_methods(["GET", "POST"])
def envelope_edit(request, slug):
    """Correct an envelope, as long as no claim nor transfer rests on it."""
    envelope = _changeable_envelope(request, slug)
    manage = reverse("funding:envelope_manage", kwargs={"slug": slug})
    if not services.may_change(envelope):
        messages.error(
            request,
            _(
                "Des demandes ou des virements reposent déjà sur cette enveloppe : elle ne se "
                "modifie plus."
            ),
        )
        return redirect(manage)
    form = EnvelopeForm(
        request.POST or None, user=request.user, campaign=envelope.campaign, envelope=envelope
    )
    if request.method == "POST" and form.is_valid():
        page = _envelope_confirmation(
            request,
            form.cleaned_data,
            funder=envelope.funder,
            campaign=envelope.campaign,
            back_url=request.get_full_path(),
            editing=True,
        )
        if page is not None:
            return page
        try:
            services.update_envelope(
                request.user,
                envelope,
                **_envelope_values(form),
                session=session_reference(request),
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                messages.error(request, " ".join(error.messages))
                return redirect(manage)
            _add_errors(form, error)
        else:
            messages.success(request, _("Enveloppe modifiée."))
            return redirect(manage)
    return render(
        request,
        "funding/money_envelope_create.html",
        {"campaign": envelope.campaign, "form": form, "envelope": envelope},
    )


@login_required
@require_POST
def envelope_withdraw(request, slug):
    """Withdraw an envelope, as long as no claim nor transfer rests on it."""
    envelope = _changeable_envelope(request, slug)
    manage = reverse("funding:envelope_manage", kwargs={"slug": slug})
    page = confirmation_page(
        request,
        title=_("Retirer l'enveloppe « %(name)s » ?") % {"name": envelope.name},
        message=_(
            "L'enveloppe et sa page publique disparaissent ; le registre garde son ouverture "
            "et y ajoute son retrait."
        ),
        back_url=manage,
        confirm_label=_("Retirer l'enveloppe"),
        danger=True,
    )
    if page is not None:
        return page
    try:
        services.withdraw_envelope(request.user, envelope, session=session_reference(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(manage)
    messages.success(request, _("Enveloppe « %(name)s » retirée.") % {"name": envelope.name})
    return redirect("funding:envelopes")


def _manage_page(request, envelope: Envelope, transfer_form=None):
    figures = selectors.envelope_figures(envelope)
    changeable = services.may_change(envelope) and strictly(
        request.user, "funding.create_envelope", envelope.funder
    )
    return render(
        request,
        "funding/money_envelope_manage.html",
        {
            "envelope": envelope,
            "figures": figures,
            "claims": list(selectors.envelope_claims(envelope)),
            "transfers": list(selectors.envelope_transfers(envelope)),
            "transfer_form": transfer_form or TransferForm(),
            "changeable": changeable,
            "remaining_cents": services.remaining_cents(envelope),
            "approved_waiting": selectors.approved_waiting(envelope),
        },
    )


@login_required
@require_http_methods(["GET"])
def envelope_manage(request, slug):
    """The envelope seen by its funder: figures, claims and their shares, transfers."""
    return _manage_page(request, _managed_envelope(request, slug))


@login_required
@require_POST
def allocate(request, slug):
    """Run a round of the allocation: the new approved claims share what is left."""
    envelope = _managed_envelope(request, slug)
    back = reverse("funding:envelope_manage", kwargs={"slug": slug}) + "#repartition"
    waiting = selectors.approved_waiting(envelope)
    page = confirmation_page(
        request,
        title=_("Répartir l'enveloppe « %(name)s » ?") % {"name": envelope.name},
        message=_(
            "Les demandes approuvées se partagent ce qui reste de l'enveloppe, au prorata de "
            "leur montant retenu et dans la limite du plafond. Les parts déjà programmées ou "
            "payées ne changent pas ; les demandes qui reçoivent une part passent à « paiement "
            "programmé »."
        ),
        details=[
            ngettext(
                "%(count)s demande approuvée à répartir",
                "%(count)s demandes approuvées à répartir",
                len(waiting),
            )
            % {"count": len(waiting)},
            _("Montant retenu de ces demandes : %(amount)s")
            % {"amount": format_euros(sum(c.asked_cents for c in waiting))},
            _("Reste à répartir dans l'enveloppe : %(amount)s")
            % {"amount": format_euros(services.remaining_cents(envelope))},
        ],
        back_url=back,
        confirm_label=_("Répartir"),
    )
    if page is not None:
        return page
    try:
        run = services.allocate(request.user, envelope, session=session_reference(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        allocation = run.result.allocation
        text = ngettext(
            "Répartition calculée : %(allocated)s attribués, %(scheduled)s demande programmée.",
            "Répartition calculée : %(allocated)s attribués, %(scheduled)s demandes programmées.",
            run.scheduled,
        ) % {"allocated": format_euros(allocation.allocated_cents), "scheduled": run.scheduled}
        if run.unfunded:
            text += " " + ngettext(
                "%(count)s demande ne reçoit rien : l'enveloppe est entièrement répartie.",
                "%(count)s demandes ne reçoivent rien : l'enveloppe est entièrement répartie.",
                run.unfunded,
            ) % {"count": run.unfunded}
        messages.success(request, text)
    return redirect(back)


@login_required
@require_POST
def transfer_add(request, slug):
    """A transfer from the funder to a relay (the form is on the envelope's page)."""
    envelope = _managed_envelope(request, slug)
    form = TransferForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        page = confirmation_page(
            request,
            title=_("Enregistrer ce virement ?"),
            message=_(
                "Le virement de %(amount)s à %(relay)s sera écrit au registre public, qui ne "
                "se modifie pas (une erreur se corrige par une nouvelle écriture)."
            )
            % {"amount": format_euros(data["amount"]), "relay": data["relay"].name},
            details=[
                _("Date : %(date)s") % {"date": date_format(data["date"], "j F Y")},
                _("Référence bancaire : %(reference)s") % {"reference": data["bank_reference"]},
            ],
            back_url=reverse("funding:envelope_manage", kwargs={"slug": slug}) + "#virements",
            confirm_label=_("Enregistrer le virement"),
        )
        if page is not None:
            return page
        try:
            transfer = services.add_transfer(
                request.user,
                envelope,
                relay=data["relay"],
                amount_cents=data["amount"],
                date=data["date"],
                bank_reference=data["bank_reference"],
                session=session_reference(request),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Virement de %(amount)s à %(relay)s enregistré.")
                % {"amount": format_euros(transfer.amount_cents), "relay": transfer.relay.name},
            )
            return redirect(
                reverse("funding:envelope_manage", kwargs={"slug": slug}) + "#virements"
            )
    return _manage_page(request, envelope, transfer_form=form)


# --- payouts --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pay(request, pk):
    """A claim's payout: the relay's treasurer records it (date, bank reference); the
    claimant's people and administrators see it."""
    try:
        claim = selectors.claim_to_pay(pk)
    except Claim.DoesNotExist:
        raise Http404 from None
    may_pay = strictly(request.user, "funding.pay_claim", claim)
    may_confirm = strictly(request.user, "funding.confirm_payout", claim)
    if request.method == "POST":
        if not may_pay:
            refusal = claim_selectors.duty_refusal(request.user, claim, "pay")
            if not refusal:
                raise PermissionDenied
            messages.error(request, refusal)
            return redirect("funding:pay", pk=pk)
    elif not (may_pay or may_confirm or can(request.user, "funding.see_claim", claim)):
        raise PermissionDenied
    form = PayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        page = confirmation_page(
            request,
            title=_("Enregistrer le paiement de la demande n° %(n)s ?") % {"n": claim.pk},
            message=_(
                "Le virement de %(amount)s à %(name)s sera écrit au registre public, qui ne se "
                "modifie pas, et la demande passera à « payée »."
            )
            % {"amount": format_euros(claim.allocated_cents), "name": claim.claimant.name},
            details=[
                _("Date : %(date)s") % {"date": date_format(form.cleaned_data["date"], "j F Y")},
                _("Référence bancaire : %(reference)s")
                % {"reference": form.cleaned_data["bank_reference"]},
            ],
            back_url=reverse("funding:pay", kwargs={"pk": pk}),
            confirm_label=_("Enregistrer le paiement"),
        )
        if page is not None:
            return page
        try:
            transfer, created = services.pay_claim(
                request.user,
                claim,
                date=form.cleaned_data["date"],
                bank_reference=form.cleaned_data["bank_reference"],
                site_url=request.build_absolute_uri("/"),
                session=session_reference(request),
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                messages.error(request, " ".join(error.messages))
                return redirect("funding:pay", pk=pk)
            _add_errors(form, error)
        else:
            if transfer is None:
                messages.success(
                    request,
                    _(
                        "Virement enregistré. Au-delà du seuil de l'enveloppe, une autre "
                        "personne du relais le confirme avant qu'il n'entre au registre : "
                        "elle en est avertie."
                    ),
                )
            elif created:
                messages.success(
                    request,
                    _("Paiement de %(amount)s enregistré (référence %(reference)s).")
                    % {
                        "amount": format_euros(transfer.amount_cents),
                        "reference": transfer.bank_reference,
                    },
                )
            else:
                messages.info(
                    request,
                    _(
                        "Cette demande est déjà payée (virement %(reference)s du %(date)s) : "
                        "rien de plus n'a été versé."
                    )
                    % {
                        "reference": transfer.bank_reference,
                        "date": date_format(transfer.date, "j F Y"),
                    },
                )
            return redirect("funding:pay", pk=pk)
    return _pay_page(request, claim, form=form)


def _pay_page(request, claim: Claim, *, form=None, refuse_form=None, status=200):
    user = request.user
    action = {ClaimStatus.SCHEDULED: "pay", ClaimStatus.PAYOUT_RECORDED: "confirm"}.get(
        claim.status
    )
    return render(
        request,
        "funding/money_pay.html",
        {
            "claim": claim,
            "payout": selectors.payout_of(claim),
            "may_pay": strictly(user, "funding.pay_claim", claim),
            "may_confirm": strictly(user, "funding.confirm_payout", claim),
            "recorded_payout": claim_selectors.duties(claim).recorded_payout,
            "duty_refusal": claim_selectors.duty_refusal(user, claim, action) if action else "",
            "form": form or PayForm(),
            "refuse_form": refuse_form or RefusePayoutForm(),
        },
        status=status,
    )


@login_required
@require_POST
def confirm_payout(request, pk):
    """A second person of the relay confirms (or refuses, with a reason) the payout
    another recorded, above the envelope's threshold."""
    try:
        claim = selectors.claim_to_pay(pk)
    except Claim.DoesNotExist:
        raise Http404 from None
    if not strictly(request.user, "funding.confirm_payout", claim):
        refusal = claim_selectors.duty_refusal(request.user, claim, "confirm")
        if not refusal:
            raise PermissionDenied
        messages.error(request, refusal)
        return redirect("funding:pay", pk=pk)
    recorded = claim_selectors.duties(claim).recorded_payout
    session = session_reference(request)
    try:
        if request.POST.get("action") == "refuse":
            form = RefusePayoutForm(request.POST)
            if not form.is_valid():
                return _pay_page(request, claim, refuse_form=form, status=400)
            services.refuse_payout(
                request.user, claim, reason=form.cleaned_data["reason"], session=session
            )
            messages.success(
                request,
                _("Virement refusé : la demande attend un nouvel enregistrement du paiement."),
            )
            return redirect("funding:pay", pk=pk)
        if recorded is not None:
            page = confirmation_page(
                request,
                title=_("Confirmer le virement de la demande n° %(n)s ?") % {"n": claim.pk},
                message=_(
                    "Le virement de %(amount)s à %(name)s sera écrit au registre public, qui ne "
                    "se modifie pas, avec votre nom et celui de %(by)s."
                )
                % {
                    "amount": format_euros(claim.allocated_cents),
                    "name": claim.claimant.name,
                    "by": recorded.by or _("la personne qui l'a enregistré"),
                },
                details=[
                    _("Référence bancaire : %(reference)s")
                    % {"reference": recorded.reason_data.get("reference", "")},
                ],
                back_url=reverse("funding:pay", kwargs={"pk": pk}),
                confirm_label=_("Confirmer le virement"),
            )
            if page is not None:
                return page
        transfer = services.confirm_payout(
            request.user, claim, site_url=request.build_absolute_uri("/"), session=session
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("funding:pay", pk=pk)
    messages.success(
        request,
        _("Virement de %(amount)s confirmé et écrit au registre (référence %(reference)s).")
        % {"amount": format_euros(transfer.amount_cents), "reference": transfer.bank_reference},
    )
    return redirect("funding:pay", pk=pk)


# --- coverage and ledger ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def coverages(request):
    """Which relay covers which département, when: current, past and future rows. An
    administrator adds a coverage from a date (the previous relay stops the day before)."""
    may_configure = can(request.user, "funding.configure_coverage")
    if request.method == "POST" and not may_configure:
        raise PermissionDenied
    form = CoverageForm(request.POST or None) if may_configure else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            coverage = services.add_coverage(
                request.user,
                relay=data["relay"],
                departement=data["departement"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(relay)s couvre %(departement)s à partir du %(date)s.")
                % {
                    "relay": coverage.relay.name,
                    "departement": coverage.departement.name,
                    "date": date_format(coverage.valid_from, "j F Y"),
                },
            )
            return redirect("funding:coverages")
    return render(
        request,
        "funding/money_coverages.html",
        {"rows": selectors.coverage_history(), "form": form},
    )


@require_http_methods(["GET"])
def ledger(request):
    """The ledger, open to everyone: each entry in words with its raw canonical form one
    click away, the chain verified from the start with the tables that feed the public
    figures, and, if the reader gives one, a head they kept (`?tete=POSITION:HASH`)."""
    form = LedgerHeadForm(request.GET or None)
    head = form.cleaned_data["tete"] if form.is_bound and form.is_valid() else None
    check = verification.verify(head=head)
    page_obj = selectors.ledger_page(request.GET.get("page"))
    return render(
        request,
        "funding/money_ledger.html",
        {
            "check": check,
            "form": form,
            "kept_head": verification.head_text(head),
            "broken": set(check.broken),
            "page_obj": page_obj,
            "rows": ledger_selectors.rows(list(page_obj.object_list), request.user),
        },
    )

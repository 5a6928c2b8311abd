"""Needs: the public form (no account), the requester's page by its secret link, and the
coordinators' verification and discrepancies. Thin: parse with a form, call one selector
or service, render."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kenlabour.accounts.perms import can
from kenlabour.mobilisation.enums import DeliveryStatus, NeedStatus
from kenlabour.mobilisation.forms import needs as forms
from kenlabour.mobilisation.models import Campaign, Delivery, Need
from kenlabour.mobilisation.selectors import needs as selectors
from kenlabour.mobilisation.services import needs as services
from kenlabour.web.confirm import confirmation_page

NEEDS_PER_PAGE = 50
DISCREPANCIES_PER_PAGE = 30


def _site_url(request) -> str:
    return request.build_absolute_uri("/")


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal, shown at its field (or at the top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _refused(request, error: ValidationError, url: str):
    """A refusal about the record's state, not about what was typed: said at the top of the
    page the person comes back to (the form it came from may be gone)."""
    messages.error(request, " ".join(error.messages))
    return redirect(url)


def _require_coordinator(request, campaign: Campaign) -> None:
    if not can(request.user, "mobilisation.coordinate", campaign):
        raise PermissionDenied


def _private(response):
    """The requester's page is reached by a secret link: never indexed, never cached."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- the public form ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def submit(request, slug):
    """A carers' organisation says what it needs, without an account."""
    campaign = selectors.campaign_for_form(slug)
    closed = services.closed_reason(campaign)
    form = None
    if not closed:
        form = forms.NeedForm(request.POST or None, campaign=campaign)
        if request.method == "POST" and form.is_valid():
            try:
                need = services.submit_need(
                    campaign, fields=form.need_fields(), site_url=_site_url(request)
                )
            except ValidationError as error:
                if getattr(error, "code", None) == "closed":
                    closed = " ".join(error.messages)
                else:
                    _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Votre besoin est enregistré. L'équipe de coordination va le vérifier. "
                        "Le lien de cette page vient de vous être envoyé à %(email)s : gardez-le "
                        "pour suivre le besoin et confirmer les livraisons."
                    )
                    % {"email": need.contact_email},
                )
                return redirect(need.get_follow_url())
    return render(
        request,
        "mobilisation/need_submit.html",
        {"campaign": campaign, "form": form, "closed": closed},
    )


# --- the requester's page -------------------------------------------------------------------


@dataclass
class DeliveryRow:
    delivery: Delivery
    producer: str
    form: forms.DeliveryConfirmForm | None


def _follow_page(request, token, *, bound=None, withdraw_form=None):
    try:
        need = selectors.need_by_token(token)
    except Need.DoesNotExist:
        raise Http404 from None
    rows = []
    for delivery in need.deliveries.all():
        form = None
        if delivery.status == DeliveryStatus.DECLARED:
            if bound is not None and bound.prefix == forms.DeliveryConfirmForm.prefix_for(
                delivery.pk
            ):
                form = bound
            else:
                form = forms.DeliveryConfirmForm(
                    prefix=forms.DeliveryConfirmForm.prefix_for(delivery.pk),
                    initial={"received_units": delivery.declared_units},
                )
        rows.append(DeliveryRow(delivery, selectors.producer_label(delivery.producer), form))
    response = render(
        request,
        "mobilisation/need_follow.html",
        {
            "need": need,
            "rows": rows,
            "figures": selectors.delivery_figures(need),
            "withdraw_form": withdraw_form
            or (forms.WithdrawForm() if selectors.cancellable(need) else None),
        },
    )
    return _private(response)


@never_cache
@require_GET
def follow(request, token):
    """The need seen through its secret link: its status in words, its deliveries, and a
    form to confirm each delivery received."""
    return _follow_page(request, token)


def _units(count: int) -> str:
    return ngettext("%(count)s unité", "%(count)s unités", count) % {"count": count}


def _confirm_delivery_step(request, token, delivery: Delivery, data: dict):
    """The confirmation step before a requester confirms a delivery (None once confirmed)."""
    received = data["received_units"]
    declared = delivery.declared_units
    if received >= declared:
        message = ngettext(
            "Vous confirmez avoir reçu l'unité déclarée par %(producer)s.",
            "Vous confirmez avoir reçu les %(count)s unités déclarées par %(producer)s.",
            declared,
        )
    else:
        message = ngettext(
            "Vous indiquez ne pas avoir reçu l'unité déclarée par %(producer)s : l'écart "
            "sera signalé à l'équipe de coordination.",
            "Vous indiquez en avoir reçu %(received)s sur les %(count)s déclarées par "
            "%(producer)s : l'écart sera signalé à l'équipe de coordination.",
            declared,
        )
    return confirmation_page(
        request,
        title=_("Confirmer la réception ?"),
        message=message
        % {
            "count": declared,
            "received": received,
            "producer": selectors.producer_label(delivery.producer),
        },
        details=[
            _("Déclarées : %(units)s") % {"units": _units(declared)},
            _("Reçues : %(units)s") % {"units": _units(received)},
        ],
        back_url=reverse("mobilisation:need_follow", kwargs={"token": token}),
        confirm_label=_("Confirmer la réception"),
    )


@never_cache
@require_POST
def confirm_delivery(request, token, pk):
    form = forms.DeliveryConfirmForm(request.POST, prefix=forms.DeliveryConfirmForm.prefix_for(pk))
    delivery = selectors.delivery_of_need(token, pk)
    if form.is_valid() and delivery is not None and delivery.status == DeliveryStatus.DECLARED:
        # What the service would refuse is said at the field, before the confirmation.
        problems = services.confirmation_problems(delivery, **form.cleaned_data)
        if problems:
            _add_errors(form, ValidationError(problems))
            return _follow_page(request, token, bound=form)
        step = _confirm_delivery_step(request, token, delivery, form.cleaned_data)
        if step:
            return _private(step)
    if form.is_valid():
        try:
            delivery = services.confirm_delivery(
                token,
                pk,
                received_units=form.cleaned_data["received_units"],
                name=form.cleaned_data["name"],
                note=form.cleaned_data["note"],
                site_url=_site_url(request),
            )
        except Delivery.DoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _refused(request, error, reverse("mobilisation:need_follow", args=[token]))
            _add_errors(form, error)
        else:
            if delivery.status == DeliveryStatus.CONFIRMED:
                text = _("Merci : la réception de %(units)s unités est confirmée.")
            else:
                text = _(
                    "Merci : vous avez reçu %(units)s unités sur %(declared)s déclarées. "
                    "L'écart est signalé à l'équipe de coordination."
                )
            messages.success(
                request,
                text % {"units": delivery.confirmed_units, "declared": delivery.declared_units},
            )
            return redirect(reverse("mobilisation:need_follow", kwargs={"token": token}))
    return _follow_page(request, token, bound=form)


@never_cache
@require_POST
def withdraw(request, token):
    """The requester withdraws the need, while nothing was delivered."""
    form = forms.WithdrawForm(request.POST)
    if form.is_valid():
        step = confirmation_page(
            request,
            title=_("Retirer le besoin ?"),
            message=_(
                "Le besoin est annulé et les livraisons prévues avec : il ne sera pas livré. "
                "Pour un nouveau besoin, il faudra refaire une demande."
            ),
            back_url=reverse("mobilisation:need_follow", kwargs={"token": token}),
            confirm_label=_("Retirer le besoin"),
            danger=True,
        )
        if step:
            return _private(step)
        try:
            services.withdraw_need(token, reason=form.cleaned_data["reason"])
        except Need.DoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            return _refused(request, error, reverse("mobilisation:need_follow", args=[token]))
        else:
            messages.success(request, _("Le besoin est retiré : il ne sera pas livré."))
            return redirect(reverse("mobilisation:need_follow", kwargs={"token": token}))
    return _follow_page(request, token, withdraw_form=form)


# --- coordinators: the list, a need, the decision --------------------------------------------


@login_required
@require_GET
def needs(request, slug):
    """The campaign's needs, those to verify first, searched by keyword, filtered by status,
    article, département and urgency, and paginated."""
    campaign = selectors.campaign(slug)
    _require_coordinator(request, campaign)
    form = forms.NeedFilterForm(
        request.GET,
        campaign=campaign,
        departements=selectors.departements_of_campaign(campaign),
    )
    paginator = Paginator(selectors.needs_of_campaign(campaign, form.filters()), NEEDS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "mobilisation/need_list.html",
        {
            "campaign": campaign,
            "form": form,
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
            "submitted_count": selectors.submitted_count(campaign),
        },
    )


def _need_page(request, need, *, validate_form=None, cancel_form=None):
    if validate_form is None and need.status == NeedStatus.SUBMITTED:
        existing = selectors.matching_organisation(need)
        validate_form = forms.ValidateNeedForm(
            initial={
                "requester": forms.ValidateNeedForm.LINK
                if existing
                else forms.ValidateNeedForm.CREATE,
                "organisation": f"{existing.name} ({need.commune.name})" if existing else "",
            }
        )
    cancellable = selectors.cancellable(need)
    return render(
        request,
        "mobilisation/need_detail.html",
        {
            "need": need,
            "figures": selectors.delivery_figures(need),
            "validate_form": validate_form if need.status == NeedStatus.SUBMITTED else None,
            "cancel_form": (cancel_form or forms.CancelNeedForm()) if cancellable else None,
            "organisations": selectors.organisation_suggestions(need)
            if need.status == NeedStatus.SUBMITTED
            else [],
        },
    )


def _coordinated_need(request, pk) -> Need:
    try:
        found = selectors.need(pk)
    except Need.DoesNotExist:
        raise Http404 from None
    _require_coordinator(request, found.campaign)
    return found


@login_required
@require_GET
def need(request, pk):
    """A need for its coordinators: what was asked, by whom, its deliveries, and the
    decision (validate or cancel)."""
    return _need_page(request, _coordinated_need(request, pk))


@login_required
@require_POST
def decide(request, pk):
    found = _coordinated_need(request, pk)
    decision = request.POST.get("decision")
    if decision == "validate":
        form = forms.ValidateNeedForm(request.POST)
        # A need no longer to verify (decided meanwhile in another tab): the service says
        # so, whatever was typed.
        if form.is_valid() or found.status != NeedStatus.SUBMITTED:
            try:
                services.validate_need(
                    request.user,
                    found,
                    organisation=form.cleaned_data.get("actor"),
                    site_url=_site_url(request),
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    return _refused(request, error, found.get_absolute_url())
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Le besoin de %(name)s est validé ; le demandeur en est informé.")
                    % {"name": found.requester_name},
                )
                return redirect("mobilisation:need", pk=found.pk)
        return _need_page(request, found, validate_form=form)
    if decision == "cancel":
        form = forms.CancelNeedForm(request.POST)
        if form.is_valid():
            step = confirmation_page(
                request,
                title=_("Annuler le besoin ?"),
                message=_(
                    "Le besoin de %(name)s est annulé, et ses livraisons prévues avec ; le "
                    "demandeur reçoit le motif par e-mail."
                )
                % {"name": found.requester_name},
                details=[_("Motif : %(reason)s") % {"reason": form.cleaned_data["reason"]}],
                back_url=found.get_absolute_url(),
                confirm_label=_("Annuler le besoin"),
                danger=True,
            )
            if step:
                return step
            try:
                services.cancel_need(
                    request.user,
                    found,
                    reason=form.cleaned_data["reason"],
                    site_url=_site_url(request),
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    return _refused(request, error, found.get_absolute_url())
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Le besoin de %(name)s est annulé ; le demandeur en est informé.")
                    % {"name": found.requester_name},
                )
                return redirect("mobilisation:need", pk=found.pk)
        return _need_page(request, found, cancel_form=form)
    messages.error(request, _("Choisissez de valider ou d'annuler le besoin."))
    return redirect("mobilisation:need", pk=found.pk)


# --- coordinators: discrepancies ----------------------------------------------------------


@dataclass
class DiscrepancyRow:
    delivery: Delivery
    form: forms.ResolveDiscrepancyForm | None


def _discrepancies_page(request, campaign, *, bound=None, bound_pk=None):
    resolved = request.GET.get("traites") == "on"
    paginator = Paginator(
        selectors.discrepancies(campaign, resolved=resolved), DISCREPANCIES_PER_PAGE
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    rows = []
    for delivery in page_obj:
        form = None
        if not resolved:
            prefix = forms.ResolveDiscrepancyForm.prefix_for(delivery.pk)
            form = bound if delivery.pk == bound_pk else forms.ResolveDiscrepancyForm(prefix=prefix)
        rows.append(DiscrepancyRow(delivery, form))
    return render(
        request,
        "mobilisation/discrepancy_list.html",
        {
            "campaign": campaign,
            "resolved": resolved,
            "page_obj": page_obj,
            "rows": rows,
            "page_number": page_obj.number,
        },
    )


@login_required
@require_GET
def discrepancies(request, slug):
    """Deliveries whose recipient received fewer units than declared: both figures and
    both notes, and what the coordinators did about it."""
    campaign = selectors.campaign(slug)
    _require_coordinator(request, campaign)
    return _discrepancies_page(request, campaign)


@login_required
@require_POST
def resolve_discrepancy(request, pk):
    delivery = get_object_or_404(Delivery.objects.select_related("need__campaign"), pk=pk)
    campaign = delivery.need.campaign
    _require_coordinator(request, campaign)
    form = forms.ResolveDiscrepancyForm(
        request.POST, prefix=forms.ResolveDiscrepancyForm.prefix_for(pk)
    )
    discrepancies_url = reverse("mobilisation:discrepancies", kwargs={"slug": campaign.slug})
    page = request.GET.get("page", "")
    if page.isdigit():
        discrepancies_url += f"?page={page}"
    if form.is_valid():
        step = confirmation_page(
            request,
            title=_("Clore l'écart ?"),
            message=_(
                "L'écart de la livraison à %(name)s est marqué traité, avec la suite donnée : "
                "il quitte la liste des écarts à traiter."
            )
            % {"name": delivery.need.requester_name},
            details=[_("Suite donnée : %(note)s") % {"note": form.cleaned_data["note"]}],
            back_url=discrepancies_url,
            confirm_label=_("Clore l'écart"),
        )
        if step:
            return step
        try:
            services.resolve_discrepancy(request.user, delivery, note=form.cleaned_data["note"])
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _refused(request, error, discrepancies_url)
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("L'écart de la livraison à %(name)s est traité.")
                % {"name": delivery.need.requester_name},
            )
            return redirect(discrepancies_url)
    return _discrepancies_page(request, campaign, bound=form, bound_pk=pk)

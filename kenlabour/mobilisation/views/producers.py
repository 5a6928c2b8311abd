"""The producers' room: a producer's page for a campaign (capacities, deliveries to make,
production, material), and the forms they declare with. Thin views: a form parses, a
service decides, a selector reads. Every page works without JavaScript."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kenlabour.accounts.perms import can
from kenlabour.mobilisation.enums import DeliveryStatus, MaterialDirection, MaterialStatus
from kenlabour.mobilisation.forms.producers import (
    CapacityForm,
    DeliveryDeclareForm,
    MaterialFilterForm,
    MaterialForm,
    ProductionForm,
)
from kenlabour.mobilisation.models import Campaign, Capacity, Delivery, MaterialOffer
from kenlabour.mobilisation.selectors import producers as selectors
from kenlabour.mobilisation.services import producers as services
from kenlabour.web.confirm import confirmation_page

MATERIALS_PER_PAGE = 30


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal, shown at its field (or at the top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _duplicate_capacity_url(error: ValidationError) -> str:
    """The edit page of the capacity a refused addition duplicates, if that was the refusal."""
    for errors in getattr(error, "error_dict", {}).values():
        for item in errors:
            if item.code == services.DUPLICATE_CAPACITY:
                return reverse("mobilisation:capacity_edit", kwargs={"pk": item.params["pk"]})
    return ""


def _producer_url(campaign: Campaign, anchor: str = "") -> str:
    url = reverse("mobilisation:producer", kwargs={"slug": campaign.slug})
    return f"{url}#{anchor}" if anchor else url


def _no_actor(request, campaign: Campaign, title: str):
    """The user declares for no actor: how to register in the network (not an error)."""
    return render(
        request, "mobilisation/producer_no_actor_page.html", {"campaign": campaign, "title": title}
    )


def _preselected(request, actors, form_initial: dict) -> dict:
    """`?acteur=<pk>` (links from the producer's page) preselects one of the user's actors."""
    wanted = request.GET.get("acteur", "")
    for actor in actors:
        if str(actor.pk) == wanted:
            form_initial["producer"] = form_initial["actor"] = actor.pk
    return form_initial


# --- the producer's page --------------------------------------------------------------


def _dashboard_context(campaign: Campaign, actors, bound: DeliveryDeclareForm | None = None):
    """The producer's page; `bound` is a delivery's declaration form refused, shown with
    its errors at that delivery."""
    sections = selectors.producer_sections(campaign, actors)
    bound_pk = None
    for section in sections:
        for delivery in section.to_deliver:
            if bound is not None and bound.prefix == f"livraison-{delivery.pk}":
                delivery.declare_form = bound
                bound_pk = delivery.pk
            else:
                delivery.declare_form = DeliveryDeclareForm(delivery=delivery)
    return {
        "campaign": campaign,
        "sections": sections,
        "error_delivery_pk": bound_pk,
        "several": len(sections) > 1,
    }


@login_required
@require_GET
def dashboard(request, slug):
    """What the user's actors offer, have to deliver, delivered and produced."""
    campaign = get_object_or_404(Campaign, slug=slug)
    context = _dashboard_context(campaign, selectors.acting_actors(request.user))
    return render(request, "mobilisation/producer_dashboard.html", context)


def _declare_step(request, delivery: Delivery, data: dict):
    """The confirmation step before declaring a delivery (None once confirmed)."""
    return confirmation_page(
        request,
        title=_("Déclarer la livraison ?"),
        message=ngettext(
            "Vous déclarez avoir livré %(units)s unité à %(requester)s le %(date)s. "
            "L'établissement en est informé et confirme ce qu'il a reçu ; la déclaration ne "
            "se modifie plus.",
            "Vous déclarez avoir livré %(units)s unités à %(requester)s le %(date)s. "
            "L'établissement en est informé et confirme ce qu'il a reçu ; la déclaration ne "
            "se modifie plus.",
            data["units"],
        )
        % {
            "units": data["units"],
            "requester": delivery.need.requester_name,
            "date": date_format(data["declared_on"], "DATE_FORMAT"),
        },
        back_url=_producer_url(delivery.need.campaign, f"acteur-{delivery.producer_id}"),
        confirm_label=_("Déclarer la livraison"),
    )


@login_required
@require_POST
def declare_delivery(request, pk):
    """The producer delivered: how many units, on which day."""
    delivery = get_object_or_404(
        Delivery.objects.select_related("need__campaign", "producer"), pk=pk
    )
    campaign = delivery.need.campaign
    if not can(request.user, "mobilisation.act_for_producer", delivery.producer):
        raise PermissionDenied
    form = DeliveryDeclareForm(request.POST, delivery=delivery)
    # A delivery no longer planned: the service says why (already declared, cancelled),
    # whatever was typed.
    if form.is_valid() or delivery.status != DeliveryStatus.PLANNED:
        data = getattr(form, "cleaned_data", {})
        problems = {}
        if delivery.status == DeliveryStatus.PLANNED:
            # What the service would refuse is said at the field, before the confirmation.
            problems = services.declaration_problems(
                delivery, units=data["units"], declared_on=data["declared_on"]
            )
            if problems:
                _add_errors(form, ValidationError(problems))
            else:
                step = _declare_step(request, delivery, data)
                if step:
                    return step
        if not problems:
            try:
                services.declare_delivery(
                    request.user,
                    delivery,
                    units=data.get("units"),
                    declared_on=data.get("declared_on"),
                    site_url=request.build_absolute_uri("/"),
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):  # already declared, cancelled
                    messages.error(request, " ".join(error.messages))
                    return redirect(_producer_url(campaign, f"acteur-{delivery.producer_id}"))
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Livraison déclarée : %(units)s unité pour %(requester)s. "
                        "L'établissement va confirmer ce qu'il a reçu.",
                        "Livraison déclarée : %(units)s unités pour %(requester)s. "
                        "L'établissement va confirmer ce qu'il a reçu.",
                        data["units"],
                    )
                    % {"units": data["units"], "requester": delivery.need.requester_name},
                )
                return redirect(_producer_url(campaign, f"acteur-{delivery.producer_id}"))
    context = _dashboard_context(campaign, selectors.acting_actors(request.user), bound=form)
    if context["error_delivery_pk"] is None:
        # A platform administrator declaring for an actor they do not administer: their
        # page does not list it, so the errors come as a message.
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_producer_url(campaign))
    return render(request, "mobilisation/producer_dashboard.html", context)


# --- capacities --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def capacity_add(request, slug):
    campaign = get_object_or_404(Campaign, slug=slug)
    actors = selectors.acting_actors(request.user)
    if not actors:
        return _no_actor(request, campaign, _("Déclarer une capacité"))
    initial = _preselected(request, actors, {})
    item = request.GET.get("article", "")
    if item.isdigit():
        initial["item_type"] = int(item)
    form = CapacityForm(request.POST or None, campaign=campaign, actors=actors, initial=initial)
    existing_url = ""
    if request.method == "POST" and form.is_valid():
        try:
            capacity = services.add_capacity(request.user, campaign, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
            existing_url = _duplicate_capacity_url(error)
        else:
            messages.success(
                request,
                _("Capacité enregistrée : %(producer)s, %(item)s.")
                % {"producer": capacity.producer.name, "item": capacity.item_type.name},
            )
            if capacity.producer.latitude is None:
                messages.warning(request, _unplaced_message(capacity.producer))
            return redirect(_producer_url(campaign, f"acteur-{capacity.producer_id}"))
    return render(
        request,
        "mobilisation/producer_capacity_form.html",
        {
            "campaign": campaign,
            "form": form,
            "existing_url": existing_url,
            "unplaced": [actor for actor in actors if actor.latitude is None],
        },
    )


def _unplaced_message(actor) -> str:
    return _(
        "Attention : %(name)s n'a pas de commune dans l'annuaire, l'appariement ne peut donc "
        "pas lui proposer de livraisons. Indiquez sa commune sur sa page du réseau."
    ) % {"name": actor.name}


@login_required
@require_http_methods(["GET", "POST"])
def capacity_edit(request, pk):
    capacity = get_object_or_404(
        Capacity.objects.select_related("campaign", "item_type", "producer"), pk=pk
    )
    if not can(request.user, "mobilisation.act_for_producer", capacity.producer):
        raise PermissionDenied
    campaign = capacity.campaign
    form = CapacityForm(request.POST or None, campaign=campaign, actors=[], capacity=capacity)
    existing_url = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.update_capacity(request.user, capacity, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
            existing_url = _duplicate_capacity_url(error)
        else:
            if form.cleaned_data["active"]:
                message = _("Capacité modifiée : %(producer)s, %(item)s.")
            else:
                message = _(
                    "Capacité désactivée : %(producer)s, %(item)s. L'appariement ne la "
                    "proposera plus."
                )
            messages.success(
                request,
                message % {"producer": capacity.producer.name, "item": capacity.item_type.name},
            )
            return redirect(_producer_url(campaign, f"acteur-{capacity.producer_id}"))
    return render(
        request,
        "mobilisation/producer_capacity_form.html",
        {
            "campaign": campaign,
            "form": form,
            "capacity": capacity,
            "existing_url": existing_url,
            "unplaced": [capacity.producer] if capacity.producer.latitude is None else [],
        },
    )


# --- production ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def production_add(request, slug):
    campaign = get_object_or_404(Campaign, slug=slug)
    actors = selectors.acting_actors(request.user)
    if not actors:
        return _no_actor(request, campaign, _("Déclarer une production"))
    form = ProductionForm(
        request.POST or None,
        campaign=campaign,
        actors=actors,
        initial=_preselected(request, actors, {}),
    )
    if request.method == "POST" and form.is_valid():
        try:
            production = services.declare_production(request.user, campaign, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Production enregistrée : %(units)s × %(item)s, %(producer)s.")
                % {
                    "units": production.units,
                    "item": production.item_type.name,
                    "producer": production.producer.name,
                },
            )
            return redirect(
                reverse("mobilisation:production_add", kwargs={"slug": campaign.slug})
                + f"?acteur={production.producer_id}"
            )
    return render(
        request,
        "mobilisation/producer_production.html",
        {
            "campaign": campaign,
            "form": form,
            "productions": selectors.recent_productions(campaign, actors),
            "several": len(actors) > 1,
        },
    )


# --- material requests and donations -------------------------------------------------------


@require_GET
def materials(request, slug):
    """Open requests and donations of material, public, filterable."""
    campaign = get_object_or_404(Campaign, slug=slug)
    form = MaterialFilterForm(request.GET)
    offers = selectors.open_materials(campaign, **form.filters())
    page_obj = Paginator(offers, MATERIALS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "mobilisation/producer_materials.html",
        {
            "campaign": campaign,
            "form": form,
            "page_obj": page_obj,
            "page_range": page_obj.paginator.get_elided_page_range(page_obj.number),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def material_add(request, slug):
    campaign = get_object_or_404(Campaign, slug=slug)
    actors = selectors.acting_actors(request.user)
    if not actors:
        return _no_actor(request, campaign, _("Demander ou donner de la matière"))
    form = MaterialForm(
        request.POST or None, actors=actors, initial=_preselected(request, actors, {})
    )
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.add_material(request.user, campaign, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if offer.direction == MaterialDirection.REQUEST:
                message = _("Demande publiée : %(material)s, %(quantity)s %(unit)s.")
            else:
                message = _("Don publié : %(material)s, %(quantity)s %(unit)s.")
            messages.success(
                request,
                message
                % {
                    "quantity": offer.quantity,
                    "unit": offer.unit,
                    "material": offer.get_material_display(),
                },
            )
            return redirect(_producer_url(campaign, f"matiere-{offer.actor_id}"))
    return render(
        request, "mobilisation/producer_material_form.html", {"campaign": campaign, "form": form}
    )


@login_required
@require_POST
def material_status(request, pk):
    """Mark one's own request or donation as fulfilled or withdrawn."""
    offer = get_object_or_404(MaterialOffer.objects.select_related("campaign", "actor"), pk=pk)
    if not can(request.user, "mobilisation.act_for_producer", offer.actor):
        raise PermissionDenied
    if request.POST.get("statut") in (MaterialStatus.FULFILLED, MaterialStatus.WITHDRAWN):
        fulfilled = request.POST["statut"] == MaterialStatus.FULFILLED
        step = confirmation_page(
            request,
            title=_("Marquer l'annonce satisfaite ?") if fulfilled else _("Retirer l'annonce ?"),
            message=_(
                "L'annonce « %(material)s, %(quantity)s %(unit)s » quitte la liste publique ; "
                "elle ne pourra pas être rouverte."
            )
            % {
                "material": offer.get_material_display(),
                "quantity": offer.quantity,
                "unit": offer.unit,
            },
            back_url=_producer_url(offer.campaign, f"matiere-{offer.actor_id}"),
            confirm_label=_("Marquer satisfaite") if fulfilled else _("Retirer l'annonce"),
            danger=not fulfilled,
        )
        if step:
            return step
    try:
        services.close_material(request.user, offer, status=request.POST.get("statut", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if request.POST.get("statut") == MaterialStatus.FULFILLED:
            message = _("Annonce marquée satisfaite : elle ne figure plus dans la liste publique.")
        else:
            message = _("Annonce retirée : elle ne figure plus dans la liste publique.")
        messages.success(request, message)
    return redirect(_producer_url(offer.campaign, f"matiere-{offer.actor_id}"))

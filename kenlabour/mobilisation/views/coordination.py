"""Matching runs for coordinators: run, read the proposal on a list and a map, adjust,
confirm or discard."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kenlabour.accounts.perms import can
from kenlabour.mobilisation.forms.coordination import AdjustForm, DecisionForm, RunForm
from kenlabour.mobilisation.models import Campaign, MatchingRun
from kenlabour.mobilisation.selectors import coordination as selectors
from kenlabour.mobilisation.services import coordination as services
from kenlabour.web.confirm import confirmation_page

LINES_PER_PAGE = 100


def _coordinated(request, campaign: Campaign) -> None:
    if not can(request.user, "mobilisation.coordinate", campaign):
        raise PermissionDenied


@login_required
def run_matching(request, slug):
    campaign = get_object_or_404(Campaign, slug=slug)
    _coordinated(request, campaign)
    data = request.POST if request.method == "POST" else None
    form = RunForm(data, departements=selectors.departements_of(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            run = services.run_matching(
                request.user, campaign, departement=form.cleaned_data["departement"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("L'appariement est proposé : vérifiez-le, puis confirmez."))
            return redirect(run)
    return render(
        request,
        "mobilisation/coordination_run_form.html",
        {"campaign": campaign, "form": form, "runs": selectors.runs_of(campaign)},
    )


def _run_for(request, pk) -> MatchingRun:
    run = get_object_or_404(MatchingRun.objects.select_related("campaign"), pk=pk)
    _coordinated(request, run.campaign)
    return run


def _run_page(request, run: MatchingRun, page_number, *, adjust_error=None):
    """The run's page; `adjust_error` is (line id, why) when an adjustment was refused for
    what was typed: said at that line's field."""
    run = selectors.run_for_page(run.pk)
    page = Paginator(selectors.proposal_lines(run), LINES_PER_PAGE).get_page(page_number)
    return render(
        request,
        "mobilisation/coordination_run.html",
        {
            "campaign": run.campaign,
            "run": run,
            "page_obj": page,
            "open": selectors.proposal_is_open(run),
            "unserved": selectors.unserved_needs(run),
            "map_lines": selectors.map_lines(page.object_list),
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "adjust_error": adjust_error,
        },
    )


@login_required
def run(request, pk):
    return _run_page(request, _run_for(request, pk), request.GET.get("page"))


@login_required
@require_POST
def adjust(request, pk):
    """Adjust a line: a number of units refused is said at the line's field, on the run's
    page; a refusal about the run itself (decided since) at the top of the page."""
    run = _run_for(request, pk)
    page = request.POST.get("page", "")
    page = page if page.isdigit() else ""
    form = AdjustForm(request.POST)
    if form.is_valid():
        try:
            services.adjust(
                request.user, run, form.cleaned_data["line"], form.cleaned_data["units"]
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                messages.error(request, " ".join(error.messages))
                return redirect(f"{run.get_absolute_url()}{'?page=' + page if page else ''}")
            adjust_error = (form.cleaned_data["line"], " ".join(error.messages))
            return _run_page(request, run, page, adjust_error=adjust_error)
        messages.success(request, _("La ligne est ajustée."))
        return redirect(f"{run.get_absolute_url()}{'?page=' + page if page else ''}")
    line = form.cleaned_data.get("line") if "line" not in form.errors else None
    if line is None:
        messages.error(request, _("Cette ligne n'appartient pas à cet appariement."))
        return redirect(f"{run.get_absolute_url()}{'?page=' + page if page else ''}")
    adjust_error = (line, _("Indiquez un nombre d'unités positif ou nul."))
    return _run_page(request, run, page, adjust_error=adjust_error)


def _decision_step(run: MatchingRun, confirming: bool) -> dict:
    """What the confirmation step before deciding a run says."""
    summary = selectors.run_for_page(run.pk)
    lines = "{} — {}".format(
        ngettext("%(count)s livraison", "%(count)s livraisons", summary.lines)
        % {"count": summary.lines},
        ngettext("%(count)s unité", "%(count)s unités", summary.units) % {"count": summary.units},
    )
    if confirming:
        return {
            "title": _("Confirmer l'appariement ?"),
            "message": _(
                "Les livraisons proposées deviennent des livraisons à faire : chaque "
                "producteur les voit sur sa page. L'appariement ne pourra plus être ajusté."
            ),
            "details": [lines],
            "confirm_label": _("Confirmer l'appariement"),
        }
    return {
        "title": _("Écarter l'appariement ?"),
        "message": _(
            "La proposition est abandonnée : aucune livraison n'est planifiée. Vous pourrez "
            "relancer un appariement."
        ),
        "details": [lines],
        "confirm_label": _("Écarter l'appariement"),
        "danger": True,
    }


@login_required
@require_POST
def decide(request, pk):
    run = _run_for(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez de confirmer ou d'écarter l'appariement."))
        return redirect(run)
    confirming = form.cleaned_data["decision"] == DecisionForm.CONFIRM
    page = confirmation_page(
        request, back_url=run.get_absolute_url(), **_decision_step(run, confirming)
    )
    if page:
        return page
    try:
        if confirming:
            services.confirm(request.user, run)
            messages.success(
                request,
                _("L'appariement est confirmé : les producteurs voient leurs livraisons."),
            )
        else:
            services.discard(request.user, run)
            messages.success(request, _("L'appariement est écarté."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(run)

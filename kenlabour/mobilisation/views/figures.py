"""The public figures of the mobilisation: the campaigns, a campaign's dashboard, its map
and its exports. Thin: parse the filters, call a selector, render."""

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kenlabour.accounts.perms import can
from kenlabour.mobilisation import exports
from kenlabour.mobilisation.forms.figures import FigureFilterForm
from kenlabour.mobilisation.models import Campaign
from kenlabour.mobilisation.selectors import figures as selectors


@require_GET
def campaigns(request):
    """Every campaign with its headline figures."""
    return render(request, "mobilisation/campaigns.html", {"campaigns": selectors.campaign_list()})


def _filtered(request, slug):
    campaign = get_object_or_404(Campaign, slug=slug)
    form = FigureFilterForm(request.GET, campaign=campaign)
    return campaign, form


@require_GET
def campaign(request, slug):
    """A campaign's live dashboard ("faire remonter les chiffres")."""
    campaign, form = _filtered(request, slug)
    report = None
    if form.is_valid():
        report = selectors.dashboard(campaign, form.filters(), form.choices)
    return render(
        request,
        "mobilisation/campaign.html",
        {
            "campaign": campaign,
            "form": form,
            "report": report,
            "filters_query": report.filters.query() if report else "",
            "can_coordinate": can(request.user, "mobilisation.coordinate", campaign),
        },
    )


@require_GET
def campaign_map(request, slug):
    """Needs and producers by commune: a table, enhanced by a map when JavaScript runs."""
    campaign, form = _filtered(request, slug)
    report = selectors.campaign_map(campaign, form.filters()) if form.is_valid() else None
    return render(
        request,
        "mobilisation/campaign_map.html",
        {
            "campaign": campaign,
            "form": form,
            "report": report,
            "filters_query": form.filters().query() if report else "",
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )


def _export(request, slug, extension: str):
    campaign, form = _filtered(request, slug)
    if not form.is_valid():
        # The dashboard shows what is wrong with the filters, field by field.
        url = reverse("mobilisation:campaign", kwargs={"slug": slug})
        return redirect(f"{url}?{request.GET.urlencode()}")
    filters = form.filters()
    tables = selectors.export_tables(campaign, filters, form.choices)
    parts = [
        campaign.slug,
        filters.departement.code if filters.departement else "",
        filters.epci.code if filters.epci else "",
        f"article-{filters.item_type.pk}" if filters.item_type else "",
    ]
    filename = "-".join(["chiffres", *[p for p in parts if p]]) + f".{extension}"
    if extension == "csv":
        response = StreamingHttpResponse(
            exports.csv_chunks(tables), content_type=exports.CSV_CONTENT_TYPE
        )
    else:
        response = HttpResponse(
            exports.xlsx_bytes(tables, title=_("Chiffres de la mobilisation")),
            content_type=exports.XLSX_CONTENT_TYPE,
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def figures_csv(request, slug):
    return _export(request, slug, "csv")


@require_GET
def figures_xlsx(request, slug):
    return _export(request, slug, "xlsx")

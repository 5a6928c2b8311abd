from django.shortcuts import render
from django.utils import formats
from django.views.decorators.http import require_GET

from kenlabour.territories import selectors
from kenlabour.territories.enums import CoordinatesSource
from kenlabour.territories.forms import CommuneSearchForm, DistanceForm

SEARCH_LIMIT = 50


@require_GET
def communes(request):
    """Search communes by name or postcode (and the form of the distance page)."""
    search_form = CommuneSearchForm(request.GET if "q" in request.GET else None)
    results = None
    if search_form.is_bound and search_form.is_valid():
        results = selectors.search_communes(search_form.cleaned_data["q"], limit=SEARCH_LIMIT)
    return render(
        request,
        "territories/communes.html",
        {
            "search_form": search_form,
            "results": results,
            "search_limit": SEARCH_LIMIT,
            "distance_form": DistanceForm(),
        },
    )


@require_GET
def distance(request):
    """The distance, as the crow flies, between two communes."""
    form = DistanceForm(request.GET if DistanceForm.submitted(request.GET) else None)
    result = None
    if form.is_bound and form.is_valid():
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        km = selectors.distance_km(a, b)
        result = {
            "a": a,
            "b": b,
            "km": km,
            # Whole kilometres, but a decimal under 10 km ("6,5 km").
            "rounded_km": formats.number_format(km, decimal_pos=0 if km >= 10 else 1),
            "approximate": [
                commune
                for commune in (a, b)
                if commune.coordinates_source != CoordinatesSource.GEONAMES
            ],
        }
    return render(request, "territories/distance.html", {"distance_form": form, "distance": result})

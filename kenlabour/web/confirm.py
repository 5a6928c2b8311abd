"""A confirmation step before an irreversible action, that works without JavaScript.

The action's form posts as usual. The view asks `confirmation_page(request, …)` first: when
the post does not carry the confirmation field, it answers a page that says what will happen
and carries every posted value again (escaped, as hidden fields) with a "Confirmer" button and
a way back; the view then does nothing else. Posted again with the field, it answers None and
the view goes on to its service.

    def approve(request, pk):
        claim = ...
        if (page := confirmation_page(request, title=..., message=..., back_url=...)):
            return page
        services.approve(...)
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED_FIELD = "confirmation"


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRMED_FIELD) == "1"


def confirmation_page(
    request: HttpRequest,
    *,
    title: str,
    message: str,
    back_url: str,
    confirm_label: str = "",
    danger: bool = False,
    details: list[str] | None = None,
) -> HttpResponse | None:
    """None when the post is confirmed; otherwise the confirmation page to answer."""
    if is_confirmed(request):
        return None
    values = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in {"csrfmiddlewaretoken", CONFIRMED_FIELD}
        for value in values
    ]
    return render(
        request,
        "web/confirm.html",
        {
            "title": title,
            "message": message,
            "details": details or [],
            "back_url": back_url,
            "confirm_label": confirm_label,
            "danger": danger,
            "action": request.get_full_path(),
            "values": values,
            "confirmed_field": CONFIRMED_FIELD,
        },
    )

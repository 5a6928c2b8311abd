from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from kenlabour.web import audit
from kenlabour.web.branding import active_theme


@require_GET
def home(request):
    return render(request, "web/home.html")


@require_GET
def accessibility(request):
    return render(
        request,
        "web/accessibility.html",
        {
            "pages": audit.PAGES,
            "axe_version": audit.axe_version(),
            "standard": audit.STANDARD,
            "statement_date": audit.STATEMENT_DATE,
        },
    )


@require_GET
def legal(request):
    return render(request, "web/legal.html")


@require_GET
@cache_control(public=True, max_age=31536000, immutable=True)
def theme_css(request):
    """The deployment's colours as CSS custom properties (a file, since the CSP forbids
    inline styles). The URL carries the theme's fingerprint, so it can be cached forever."""
    return render(
        request, "web/theme.css", {"theme": active_theme()}, content_type="text/css; charset=utf-8"
    )


def permission_denied(request, exception=None):
    return render(request, "web/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "web/404.html", status=404)


def server_error(request):
    # Rendered without context processors or database: whatever broke must not break this.
    template = loader.get_template("web/500.html")
    return HttpResponse(
        template.render({"platform_name": settings.PLATFORM_NAME, "request": request}),
        status=500,
    )

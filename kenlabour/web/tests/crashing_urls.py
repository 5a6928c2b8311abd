"""URLs that fail on purpose, to test the error pages."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from kenlabour.urls import handler403, handler404, handler500
from kenlabour.urls import urlpatterns as real_patterns


def crash(request):
    raise RuntimeError("panne simulée")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("panne/", crash),
    path("interdit/", forbidden),
    *real_patterns,
]
__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]

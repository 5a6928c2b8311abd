"""Limits checked before a request's body is read.

A view that accepts files says how large a request it takes with `@upload_limit(bytes)`;
every other view takes at most `REQUEST_MAX_BYTES` (settings). `RequestLimitMiddleware`
compares the Content-Length the client declares with that limit before any other code
(the CSRF check, a form) reads the body: a request over it is answered at once, in
French, and not one byte of its body is read. A body without Content-Length is read as
empty by Django, so it cannot slip past.

`NoStoreMiddleware` asks browsers and proxies never to keep the money pages (the funding
app's URLs) on disk; the personal-data download says the same itself (`never_cache`).
"""

from django.conf import settings
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.cache import patch_cache_control

# What a form sends besides its file (other fields, multipart boundaries).
FORM_OVERHEAD = 1024 * 1024
NO_STORE_NAMESPACES = {"funding"}


def upload_limit(max_file_bytes: int):
    """Mark a view as taking a file of at most `max_file_bytes` (plus its form's fields)."""

    def decorate(view):
        view.request_max_bytes = max_file_bytes + FORM_OVERHEAD
        view.file_max_bytes = max_file_bytes
        return view

    return decorate


def declared_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


class RequestLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = getattr(view_func, "request_max_bytes", settings.REQUEST_MAX_BYTES)
        length = declared_length(request)
        if length is not None and length <= limit:
            return None
        file_limit = getattr(view_func, "file_max_bytes", None)
        response = render(
            request,
            "web/413.html",
            {
                "limit": filesizeformat(file_limit or limit),
                "size": filesizeformat(length or 0),
                "for_file": file_limit is not None,
            },
            status=413,
        )
        # The body was not read: the connection cannot carry another request.
        response["Connection"] = "close"
        return response


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and NO_STORE_NAMESPACES & set(match.namespaces):
            patch_cache_control(response, no_store=True, private=True)
        return response

"""No page before the second factor, for those who have one or whose roles require one.

A treasurer, a funder or a platform admin who has not enrolled an authentication
application or a security key is sent to enrol one; a person who has one is asked its code
(or their key) after signing in.
Until then only the sign-out, the second-factor pages and the language switch answer.
"""

from urllib.parse import urlencode

from django.shortcuts import redirect

from kenlabour.accounts import second_factor, selectors
from kenlabour.accounts.perms import needs_second_factor

ALLOWED = {
    "accounts:logout",
    "accounts:second_factor",
    "accounts:second_factor_setup",
    # A security key instead of a code (the view asks a signed-in person), and a first
    # key registered instead of an application (the view refuses a person who has a
    # second factor until the session is verified, as the setup page does).
    "accounts:webauthn_auth_begin",
    "accounts:webauthn_auth_complete",
    "accounts:webauthn_register_begin",
    "accounts:webauthn_register_complete",
    "set_language",
    "web:theme_css",
}


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        session = request.session
        if second_factor.is_verified(session):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED:
            return None
        if not (second_factor.is_pending(session) or needs_second_factor(user)):
            return None
        target = (
            "accounts:second_factor"
            if selectors.has_second_factor(user)
            else "accounts:second_factor_setup"
        )
        response = redirect(target)
        if request.method == "GET":
            response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response

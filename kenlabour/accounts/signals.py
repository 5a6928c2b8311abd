"""Receivers: every sign-in, whatever its way (password, identity provider), is recorded
and decides whether the session must pass the second factor."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from kenlabour.accounts import services
from kenlabour.accounts.models import SignInSession

OIDC_BACKEND = "kenlabour.accounts.oidc.AgentOIDCBackend"
PASSWORD_BACKENDS = {
    "django.contrib.auth.backends.ModelBackend",
    "axes.backends.AxesStandaloneBackend",
}


@receiver(user_logged_in, dispatch_uid="kenlabour_record_sign_in")
def record_sign_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    backend = getattr(user, "backend", "")
    if backend == OIDC_BACKEND:
        method = SignInSession.Method.OIDC
    elif backend in PASSWORD_BACKENDS:
        method = SignInSession.Method.PASSWORD
    else:
        method = SignInSession.Method.OTHER
    services.record_sign_in(request, user, method)

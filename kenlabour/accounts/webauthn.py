"""Security keys and passkeys (WebAuthn) as a second factor, with django-otp-webauthn.

The library verifies the ceremonies (py_webauthn) and stores the credentials as django-otp
devices. Its views are subclassed here so that they follow this platform's session state
(`accounts.second_factor`) rather than django-otp's own login: a key is only ever a second
factor, after the password or the identity provider, never a sign-in by itself.

- Registration needs a signed-in person whose session is verified, unless they have no
  second factor yet (the rule of the authentication application's enrolment). The first
  factor enrolled, whichever kind, brings the recovery codes.
- Authentication needs a signed-in person; a successful assertion marks the session
  verified, exactly as a code does, and answers where to go next (a safe `next`).

The browser side is `accounts/static/accounts/webauthn.js`, served from our static files.
"""

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as library
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.utils import rewrite_exceptions

from kenlabour.accounts import second_factor, selectors, services

NAME_KEY = "kenlabour_webauthn_name"
NAME_MAX_LENGTH = 64  # django-otp's Device.name


def default_key_name() -> str:
    return _("Clé de sécurité")


def clean_key_name(value) -> str:
    """The name a person gave their key, trimmed to what a device name holds."""
    name = " ".join(str(value or "").split())[:NAME_MAX_LENGTH]
    return name or default_key_name()


class Helper(WebAuthnHelper):
    """The library's helper, with the person's name in the key and the origins of this
    deployment. In development (DEBUG), a page served from `localhost` on any port is an
    allowed origin, so that `runserver` on another port works."""

    def get_credential_name(self, user) -> str:
        return user.email

    def get_credential_display_name(self, user) -> str:
        return user.display_name or user.email

    def get_allowed_origins(self) -> list[str]:
        origins = list(super().get_allowed_origins())
        host = self.request.get_host().split(":")[0]
        if settings.DEBUG and host == "localhost":
            origins.append(f"{self.request.scheme}://{self.request.get_host()}")
        return origins

    def create_credential(self, user, response, parsed_credential, original_data):
        device = super().create_credential(user, response, parsed_credential, original_data)
        device.name = clean_key_name(self.request.session.get(NAME_KEY))
        device.confirmed = True
        return device


class SessionStateMixin:
    """The library asks django-otp whether the person passed a second factor
    (`user.is_verified()`); here the session's own state answers."""

    def initial(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            user.is_verified = lambda: second_factor.is_verified(request.session)
        super().initial(request, *args, **kwargs)

    def next_url(self) -> str:
        target = self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return target
        return resolve_url(settings.LOGIN_REDIRECT_URL)


class RegistrationRules:
    def user_is_mfa_enrolled(self, user) -> bool:
        # A person with a second factor registers a key once their session is verified;
        # a person with none may register their first one right after the password.
        return selectors.has_second_factor(user)


class BeginRegistrationView(
    SessionStateMixin, RegistrationRules, library.BeginCredentialRegistrationView
):
    """Options for `navigator.credentials.create()`; the key's name is kept until the end."""

    def post(self, *args, **kwargs):
        self.request.session[NAME_KEY] = clean_key_name(self.request.data.get("name"))
        return super().post(*args, **kwargs)


class CompleteRegistrationView(
    SessionStateMixin, RegistrationRules, library.CompleteCredentialRegistrationView
):
    """The new key is stored; the session is verified; the first factor's recovery codes
    are shown next (the page the answer names)."""

    def post(self, *args, **kwargs):
        from kenlabour.accounts.views import show_codes_next

        request = self.request
        user = self.get_user()
        state = self.get_state()
        first = not selectors.has_second_factor(user)
        with rewrite_exceptions(logger=library._get_pywebauthn_logger()):
            device = self.get_helper().register_complete(user=user, state=state, data=request.data)
        request.session.pop(NAME_KEY, None)
        codes = services.security_key_added(user, device, first=first)
        second_factor.mark_verified(request.session)
        messages.success(request, _("Votre clé « %(name)s » est ajoutée.") % {"name": device.name})
        redirect_url = self.next_url()
        if codes:
            redirect_url = show_codes_next(request, codes, redirect_url)
        return JsonResponse({"id": device.pk, "redirect_url": redirect_url})


class BeginAuthenticationView(SessionStateMixin, library.BeginCredentialAuthenticationView):
    """Options for `navigator.credentials.get()`, naming the person's own keys."""

    def check_can_authenticate(self):
        user = self.get_user()
        if user is None or not user.is_active:
            raise exceptions.PasswordlessLoginDisabled()


class CompleteAuthenticationView(SessionStateMixin, library.CompleteCredentialAuthenticationView):
    """A key's assertion verified: the session passes the second factor, as with a code."""

    def check_can_authenticate(self):
        user = self.get_user()
        if user is None or not user.is_active:
            raise exceptions.PasswordlessLoginDisabled()

    def complete_auth(self, device):
        second_factor.mark_verified(self.request.session)

    def get_success_url(self):
        return self.next_url()

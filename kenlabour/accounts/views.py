import base64
import logging
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

import requests
import segno
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.crypto import get_random_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from kenlabour.accounts import oidc, second_factor, selectors, services, throttle
from kenlabour.accounts.forms import (
    EmailAuthenticationForm,
    ProfileForm,
    QueuedPasswordResetForm,
    SecondFactorForm,
    TotpSetupForm,
)
from kenlabour.accounts.models import SignInSession
from kenlabour.accounts.perms import needs_second_factor
from kenlabour.web.confirm import confirmation_page

SETUP_SECRET_KEY = "kenlabour_totp_secret"  # noqa: S105 - a session key name
logger = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "oidc": oidc.provider_name()}


class LogoutView(auth_views.LogoutView):
    """Signs out of Kenlabour and, after a sign-in by the identity provider, of the
    provider too (OpenID Connect RP-initiated logout), which sends the person home."""

    template_name = "accounts/logged_out.html"

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        if not id_token or not oidc.enabled():
            return response
        try:
            endpoint = oidc.get_setting("OIDC_OP_LOGOUT_ENDPOINT", "")
        except requests.RequestException:
            endpoint = ""
        if not endpoint:
            return response
        messages.success(
            request,
            _("Vous êtes déconnecté, de la plateforme et de %(provider)s.")
            % {"provider": oidc.provider_name()},
        )
        query = urlencode(
            {
                "id_token_hint": id_token,
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("web:home")),
                "state": get_random_string(32),
            }
        )
        return redirect(f"{endpoint}?{query}")


class OIDCLoginView(OIDCAuthenticationRequestView):
    """Sends the agent to the identity provider (ProConnect), with state, nonce and PKCE."""

    get_settings = staticmethod(oidc.get_setting)

    def __init__(self, **kwargs):
        # The endpoints are read on each request (discovery), not when the view is built.
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def get(self, request):
        if not oidc.enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except requests.RequestException:
            logger.warning("The identity provider's discovery document is unreachable.")
            messages.error(request, _unreachable())
            return redirect("accounts:login")
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        return super().get(request)


def _unreachable() -> str:
    return _(
        "%(provider)s ne répond pas pour le moment. Réessayez dans quelques minutes, ou "
        "connectez-vous avec votre adresse e-mail et votre mot de passe."
    ) % {"provider": oidc.provider_name()}


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer: the agent is signed in, or told in French why not."""

    get_settings = staticmethod(oidc.get_setting)

    @property
    def failure_url(self):
        return resolve_url("accounts:login")

    def get(self, request):
        if not oidc.enabled():
            raise Http404
        provider = {"provider": oidc.provider_name()}
        refused = request.GET.get("error")
        try:
            response = super().get(request)
        except SuspiciousOperation as error:
            logger.warning("Sign-in by identity provider refused: %s", error)
            request.oidc_identity_rejected = isinstance(error, oidc.IdentityRejected)
            response = None
        except requests.RequestException:
            logger.warning("The identity provider did not answer the token request.")
            messages.error(request, _unreachable())
            return redirect("accounts:login")
        if response is None or not request.user.is_authenticated:
            if getattr(request, "oidc_identity_rejected", False):
                message = _(
                    "%(provider)s n'a pas pu confirmer votre identité : la connexion est "
                    "refusée. Recommencez ; si cela se reproduit, écrivez à l'équipe du "
                    "laboratoire."
                )
            elif response is None:
                message = _(
                    "Cette demande de connexion n'est plus valable (elle a expiré, ou a été "
                    "commencée dans un autre navigateur). Recommencez la connexion."
                )
            elif refused == "access_denied":
                message = _("Vous avez annulé la connexion chez %(provider)s.")
            elif refused:
                message = _("%(provider)s a refusé la connexion.")
            elif getattr(self, "user", None) is not None and not self.user.is_active:
                message = _("Ce compte est désactivé. Écrivez à l'équipe du laboratoire.")
            else:
                message = _(
                    "La connexion par %(provider)s n'a pas abouti. Recommencez la connexion."
                )
            messages.error(request, message % provider)
            return redirect("accounts:login")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/emails/password_reset.txt"
    subject_template_name = "accounts/emails/password_reset_subject.txt"
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        address = get_client_ip_address(self.request) or ""
        if not throttle.password_reset_allowed(form.cleaned_data["email"], address):
            # The same answer whether an account has this address or not.
            form.add_error(
                "email",
                _(
                    "Trop de demandes de nouveau mot de passe pour cette adresse ou depuis "
                    "ce réseau. Réessayez dans une heure ; si un compte existe, le lien déjà "
                    "envoyé reste valable."
                ),
            )
            return self.form_invalid(form)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        old_key = self.request.session.session_key
        response = super().form_valid(form)
        services.follow_session_key(old_key, self.request.session.session_key)
        messages.success(self.request, _("Votre mot de passe a été changé."))
        return response


@login_required
def account(request):
    form = ProfileForm(request.POST or None, initial={"display_name": request.user.display_name})
    if request.method == "POST" and form.is_valid():
        services.update_profile(
            request.user, request.user, display_name=form.cleaned_data["display_name"]
        )
        messages.success(request, _("Votre profil a été enregistré."))
        return redirect("accounts:account")
    user = request.user
    totp = selectors.has_totp(user)
    security_keys = selectors.security_keys(user)
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            "roles": selectors.roles_for_display(user),
            "second_factor": totp or bool(security_keys),
            "totp": totp,
            "security_keys": security_keys,
            "second_factor_required": needs_second_factor(user),
            "recovery_codes_left": selectors.recovery_codes_left(user),
            "sessions": selectors.open_sessions(user, request.session.session_key),
        },
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def second_factor_check(request):
    """After the password: the code of the authentication application or a recovery code,
    or (by script, accounts/webauthn.py) a security key."""
    user = request.user
    totp = selectors.has_totp(user)
    has_keys = selectors.has_security_key(user)
    if not (totp or has_keys):
        return render(request, "accounts/second_factor.html", {"no_device": True})
    form = SecondFactorForm(request.POST or None)
    if not totp:
        form.fields["code"].label = _("Code de secours")
        form.fields["code"].help_text = _(
            "Sans votre clé, saisissez un de vos codes de secours (8 caractères)."
        )
        form.fields["code"].widget.attrs.pop("autofocus", None)
    if request.method == "POST" and form.is_valid():
        wait = services.second_factor_wait(user)
        if wait:
            form.add_error(
                "code",
                _("Trop d'essais : attendez %(seconds)s secondes avant de saisir un nouveau code.")
                % {"seconds": wait},
            )
        elif services.check_second_factor(user, form.cleaned_data["code"]):
            second_factor.mark_verified(request.session)
            return redirect(_next_url(request))
        else:
            form.add_error(
                "code",
                _(
                    "Ce code n'est pas le bon ou a déjà servi. Saisissez le code affiché "
                    "maintenant, ou un code de secours pas encore utilisé."
                ),
            )
    return render(
        request,
        "accounts/second_factor.html",
        {
            "form": form,
            "next": _next_url(request),
            "verified": second_factor.is_verified(request.session),
            "totp": totp,
            "has_keys": has_keys,
        },
    )


def _qr_data_uri(text: str) -> str:
    svg = segno.make(text, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@login_required
def second_factor_setup(request):
    """Enrol an authentication application: scan (or type) the secret, then confirm with
    the code it shows. The secret stays in the session until confirmed."""
    user = request.user
    totp = selectors.has_totp(user)
    has_factor = totp or selectors.has_security_key(user)
    if has_factor and not second_factor.is_verified(request.session):
        # Replacing an application, or adding one, asks the current second factor first.
        return redirect("accounts:second_factor")
    secret = request.session.get(SETUP_SECRET_KEY)
    if not secret:
        secret = services.new_totp_secret()
        request.session[SETUP_SECRET_KEY] = secret
    form = TotpSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.enrol_totp(user, secret, form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            del request.session[SETUP_SECRET_KEY]
            second_factor.mark_verified(request.session)
            messages.success(request, _("Votre application d'authentification est activée."))
            return _show_codes(request, codes, _next_url(request))
    base32 = b32encode(unhexlify(secret)).decode()
    label = quote(f"{settings.OTP_TOTP_ISSUER}:{user.email}")
    uri = (
        f"otpauth://totp/{label}?secret={base32}&issuer={quote(settings.OTP_TOTP_ISSUER)}"
        "&algorithm=SHA1&digits=6&period=30"
    )
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "secret_groups": [base32[i : i + 4] for i in range(0, len(base32), 4)],
            "qr_code": _qr_data_uri(uri),
            "otpauth_uri": uri,
            "required": needs_second_factor(user),
            "enrolled": totp,
            "first_factor": not has_factor,
            "next": _next_url(request),
        },
    )


@login_required
def security_key_add(request):
    """Register a security key or a passkey (the browser's WebAuthn ceremony, by script)."""
    has_factor = selectors.has_second_factor(request.user)
    if has_factor and not second_factor.is_verified(request.session):
        return redirect("accounts:second_factor")
    return render(
        request,
        "accounts/security_key_add.html",
        {
            "next": resolve_url("accounts:account"),
            "first_factor": not has_factor,
            "required": needs_second_factor(request.user),
        },
    )


@login_required
@require_POST
def security_key_remove(request, pk):
    from django_otp_webauthn.models import WebAuthnCredential

    device = get_object_or_404(WebAuthnCredential, pk=pk, user=request.user)
    if page := confirmation_page(
        request,
        title=_("Retirer une clé de sécurité"),
        message=_("La clé « %(name)s » ne pourra plus servir de second facteur pour votre compte.")
        % {"name": device.name},
        back_url=resolve_url("accounts:account"),
        confirm_label=_("Retirer la clé"),
        danger=True,
    ):
        return page
    try:
        turned_off = services.remove_security_key(request.user, device)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("accounts:account")
    if turned_off:
        second_factor.forget(request.session)
        messages.success(
            request,
            _("La clé « %(name)s » est retirée : la double authentification est désactivée.")
            % {"name": device.name},
        )
    else:
        messages.success(request, _("La clé « %(name)s » est retirée.") % {"name": device.name})
    return redirect("accounts:account")


SHOWN_CODES_KEY = "kenlabour_recovery_codes"


def show_codes_next(request, codes: list[str], next_url: str) -> str:
    """New recovery codes are shown once, on the page whose address this returns."""
    request.session[SHOWN_CODES_KEY] = {"codes": codes, "next": next_url}
    return reverse("accounts:recovery_codes")


def _show_codes(request, codes: list[str], next_url: str):
    return redirect(show_codes_next(request, codes, next_url))


@login_required
def recovery_codes(request):
    """GET: the recovery codes just made, once. POST: new codes replace the old ones."""
    if request.method != "POST":
        shown = request.session.pop(SHOWN_CODES_KEY, None) or {}
        return render(
            request,
            "accounts/recovery_codes.html",
            {
                "codes": shown.get("codes", []),
                "next": shown.get("next") or resolve_url("accounts:account"),
                "left": selectors.recovery_codes_left(request.user),
            },
        )
    if page := confirmation_page(
        request,
        title=_("Renouveler les codes de secours"),
        message=_(
            "De nouveaux codes de secours remplaceront les anciens, qui ne fonctionneront plus."
        ),
        back_url=resolve_url("accounts:account"),
        confirm_label=_("Renouveler les codes"),
    ):
        return page
    try:
        codes = services.regenerate_recovery_codes(request.user, request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("accounts:account")
    return _show_codes(request, codes, resolve_url("accounts:account"))


@login_required
@require_POST
def second_factor_remove(request):
    if page := confirmation_page(
        request,
        title=_("Désactiver la double authentification"),
        message=_(
            "Votre compte ne demandera plus de second facteur après le mot de passe ; votre "
            "application, vos clés de sécurité et vos codes de secours seront effacés."
        ),
        back_url=resolve_url("accounts:account"),
        confirm_label=_("Désactiver"),
        danger=True,
    ):
        return page
    try:
        services.remove_second_factor(request.user, request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        second_factor.forget(request.session)
        messages.success(request, _("La double authentification est désactivée."))
    return redirect("accounts:account")


@login_required
@require_POST
def session_close(request, pk):
    sign_in_session = get_object_or_404(SignInSession, pk=pk, user=request.user)
    if sign_in_session.session_key == request.session.session_key:
        messages.error(request, _("Pour fermer cette session-ci, déconnectez-vous."))
        return redirect("accounts:account")
    services.close_session(request.user, sign_in_session)
    messages.success(request, _("La session est fermée : cet appareil devra se reconnecter."))
    return redirect("accounts:account")

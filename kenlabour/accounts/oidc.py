"""Sign-in of public agents through an OpenID Connect provider (ProConnect in production),
with mozilla-django-oidc.

The provider is set by environment variables (docs/deploy.md): its issuer, whose discovery
document gives the endpoints, the client id and secret, the scopes. The ID token is
checked beyond the library's signature check: its audience must be this client, its
issuer the configured one, and it must not have expired. The account is the one with the
verified e-mail address (created on first sign-in); when the provider names the agent's
organisation by its SIRET and the directory has it, the agent is linked to it.
"""

import logging
import time

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

logger = logging.getLogger(__name__)

# Settings that may be left empty, to be read from the provider's discovery document.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
CLOCK_LEEWAY = 30  # seconds of clock difference tolerated with the provider
_metadata: dict[str, dict] = {}


class IdentityRejected(SuspiciousOperation):
    """The provider's answer does not prove who signs in (bad token, claims, state)."""


def enabled() -> bool:
    return bool(
        settings.OIDC_RP_CLIENT_ID
        and (settings.OIDC_OP_DISCOVERY_URL or settings.OIDC_OP_AUTHORIZATION_ENDPOINT)
    )


def provider_name() -> str:
    """The provider's name for the sign-in button, or "" when sign-in by provider is off."""
    return settings.OIDC_PROVIDER_NAME if enabled() else ""


def provider_metadata() -> dict:
    """The provider's discovery document, read once per process."""
    url = settings.OIDC_OP_DISCOVERY_URL
    if not url:
        return {}
    if url not in _metadata:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        _metadata[url] = response.json()
    return _metadata[url]


def expected_issuer() -> str:
    return settings.OIDC_OP_ISSUER or provider_metadata().get("issuer", "")


def get_setting(attr, *default):
    """mozilla-django-oidc's settings reader, with the endpoints found by discovery."""
    if attr in DISCOVERED and not getattr(settings, attr, ""):
        value = provider_metadata().get(DISCOVERED[attr], "")
        if value or not default:
            return value
        return default[0]
    return import_from_settings(attr, *default)


class AgentOIDCBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(get_setting)

    def __init__(self, *args, **kwargs):
        # Django builds every backend for every sign-in, password ones included: the
        # provider is only asked when a provider's answer is being checked.
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs or not enabled():
            return None
        super().__init__()
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload, key):
        try:
            return super()._verify_jws(payload, key)
        except jwt.ExpiredSignatureError:
            raise IdentityRejected("The ID token has expired.") from None
        except jwt.InvalidTokenError as error:
            raise IdentityRejected(f"Invalid token: {error}") from None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the ID token (the userinfo answer may be a JWT too)
            self.check_id_token(payload)
        return payload

    def check_id_token(self, payload: dict) -> None:
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise IdentityRejected(f"The ID token is meant for {audiences}, not this client.")
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise IdentityRejected("The ID token has several audiences and another azp.")
        if payload.get("iss") != expected_issuer():
            raise IdentityRejected(f"The ID token comes from {payload.get('iss')!r}.")
        expires = payload.get("exp")
        if not isinstance(expires, int | float) or expires < time.time() - CLOCK_LEEWAY:
            raise IdentityRejected("The ID token has no expiry or has expired.")
        self._id_token_subject = payload.get("sub")

    def verify_claims(self, claims) -> bool:
        if not claims.get("email") or not claims.get("sub"):
            return False
        if claims["sub"] != getattr(self, "_id_token_subject", claims["sub"]):
            return False
        return claims.get("email_verified") is True or settings.OIDC_EMAILS_VERIFIED

    def get_or_create_user(self, access_token, id_token, payload):
        from kenlabour.accounts import services

        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            # mozilla-django-oidc logs this and answers None: the callback view reads why.
            self.request.oidc_identity_rejected = True
            raise IdentityRejected("The provider sent no verified e-mail address.")
        return services.sign_in_agent(claims)

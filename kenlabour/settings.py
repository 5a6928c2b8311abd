"""Kenlabour settings: one module, driven by environment variables.

Every variable is documented in docs/deploy.md. A missing or malformed value
stops the program with a French message naming the variable (see kenlabour.config).
"""

from pathlib import Path

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from kenlabour import config

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = config.env_bool("DEBUG", default=False)
SECRET_KEY = config.secret_key(DEBUG)
ALLOWED_HOSTS = config.env_list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = config.env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "csp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "rules.apps.AutodiscoverRulesConfig",
    "kenlabour.web",
    "kenlabour.territories",
    "kenlabour.accounts",
    "kenlabour.network",
    "kenlabour.lab",
    "kenlabour.mobilisation",
    "kenlabour.funding",
    "kenlabour.audit",
    "kenlabour.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the body: an oversized request is refused unread.
    "kenlabour.web.limits.RequestLimitMiddleware",
    "kenlabour.web.limits.NoStoreMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Holders of money and administration roles pass a second factor before any page.
    "kenlabour.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kenlabour.urls"
WSGI_APPLICATION = "kenlabour.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kenlabour.web.context_processors.platform",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# SQLite (embedded, WAL mode) by default; PostgreSQL in production and CI.
DATABASES = {"default": config.database(BASE_DIR / "var" / "kenlabour.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Public agents sign in through their identity provider (ProConnect), when configured.
    "kenlabour.accounts.oidc.AgentOIDCBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:account"

# Lockout after repeated failed logins (django-axes): per e-mail and IP address.
AXES_FAILURE_LIMIT = config.env_int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The login form field holding the e-mail (Django's AuthenticationForm calls it "username").
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = config.env_list("AXES_IP_HEADERS", default=["REMOTE_ADDR"])

# --- Audit log and personal data --------------------------------------------------
# How long the audit log keeps an event (purge_audit deletes older ones).
AUDIT_RETENTION_DAYS = config.env_int("AUDIT_RETENTION_DAYS", default=365)
if not 1 <= AUDIT_RETENTION_DAYS <= 3650:
    raise config.ConfigurationError(
        "La variable AUDIT_RETENTION_DAYS doit valoir entre 1 et 3650 (jours)."
    )

# Second factor (django-otp): TOTP applications and recovery codes.
OTP_TOTP_ISSUER = config.env_str("PLATFORM_NAME", default="Kenlabour")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# OpenID Connect sign-in for public agents (mozilla-django-oidc), off unless OIDC_ISSUER is
# set. The endpoints come from the provider's discovery document unless given one by one.
OIDC_OP_ISSUER = config.env_str("OIDC_ISSUER", default="").rstrip("/")
OIDC_FORM_ACTION = (
    [config.origin_of(OIDC_OP_ISSUER, "OIDC_ISSUER", "https://auth.agentconnect.gouv.fr/api/v2")]
    if OIDC_OP_ISSUER
    else []
)
OIDC_OP_DISCOVERY_URL = config.env_str(
    "OIDC_DISCOVERY_URL",
    default=f"{OIDC_OP_ISSUER}/.well-known/openid-configuration" if OIDC_OP_ISSUER else "",
)
OIDC_OP_AUTHORIZATION_ENDPOINT = config.env_str("OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = config.env_str("OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = config.env_str("OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = config.env_str("OIDC_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = config.env_str("OIDC_END_SESSION_ENDPOINT", default="")
OIDC_RP_CLIENT_ID = config.env_str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = config.env_str("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = config.env_str("OIDC_SCOPES", default="openid email given_name usual_name siret")
OIDC_RP_SIGN_ALGO = config.env_str("OIDC_SIGN_ALGO", default="RS256")
OIDC_PROVIDER_NAME = config.env_str("OIDC_PROVIDER_NAME", default="ProConnect")
# Whether the provider only hands out e-mail addresses it verified (ProConnect does), for
# providers that send no `email_verified` claim.
OIDC_EMAILS_VERIFIED = config.env_bool("OIDC_EMAILS_VERIFIED", default=False)
OIDC_AUTH_REQUEST_EXTRA_PARAMS = config.env_dict("OIDC_EXTRA_PARAMS")
OIDC_TIMEOUT = config.env_int("OIDC_TIMEOUT", default=10)
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # for the provider's sign-out (id_token_hint)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "accounts:login"

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files (whitenoise) ------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = config.env_path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
MEDIA_URL = "media/"
MEDIA_ROOT = config.env_path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and config.env_bool("STATIC_MANIFEST", default=True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- E-mail -------------------------------------------------------------------
EMAIL_BACKEND = config.env_str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = config.env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = config.env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = config.env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = config.env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = config.env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = config.env_str("DEFAULT_FROM_EMAIL", default="kenlabour@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks (django-tasks backport of Django's tasks framework) ---------
TASKS = {
    "default": {
        "BACKEND": config.env_str(
            "TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# --- Limits on what a request may send (kenlabour.web.limits) -----------------------
# A request's declared size, checked before its body is read; views taking files set
# their own limit (@upload_limit). The fields of a form (without its files), in memory.
REQUEST_MAX_BYTES = config.env_int("REQUEST_MAX_BYTES", default=3 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, said here
# Uploaded files above this go to a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Cache (rate limits of the password reset) -------------------------------------
# One process: memory. Several processes or machines: a shared cache (see docs/deploy.md).
CACHES = {
    "default": {
        "BACKEND": config.env_str(
            "CACHE_BACKEND", default="django.core.cache.backends.locmem.LocMemCache"
        ),
        "LOCATION": config.env_str("CACHE_LOCATION", default="kenlabour"),
    }
}
# Password reset requests allowed per hour, per e-mail address and per client address.
PASSWORD_RESET_LIMIT_PER_ADDRESS = config.env_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=3)
PASSWORD_RESET_LIMIT_PER_IP = config.env_int("PASSWORD_RESET_LIMIT_PER_IP", default=20)

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = config.env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = config.env_int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy: no inline script, no inline style, nothing from a CDN.
MAP_TILE_URL = config.env_str(
    "MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
MAP_TILE_ATTRIBUTION = config.env_str(
    "MAP_TILE_ATTRIBUTION",
    default='© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", config.origin_of(MAP_TILE_URL)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # Signing out of the identity provider is a redirection after a form.
        "form-action": [SELF, *OIDC_FORM_ACTION],
        "frame-ancestors": [NONE],
    }
}

# --- Platform identity and theme (per deployment) -------------------------------
PLATFORM_NAME = config.env_str("PLATFORM_NAME", default="Kenlabour")
# The public address, for links in e-mails sent outside a request (reminders).
PLATFORM_URL = config.env_str("PLATFORM_URL", default="http://127.0.0.1:8000")

# Security keys and passkeys (WebAuthn, django-otp-webauthn), a second factor only: never
# a sign-in without the password. The relying party is the site's domain (from
# PLATFORM_URL unless WEBAUTHN_RP_ID is set); a browser refuses an IP address there, so a
# local address stands for `localhost`. The origins are those pages are served from.
WEBAUTHN_RP_ID, WEBAUTHN_ORIGIN = config.webauthn_party(PLATFORM_URL)
OTP_WEBAUTHN_RP_ID = config.env_str("WEBAUTHN_RP_ID", default=WEBAUTHN_RP_ID)
OTP_WEBAUTHN_RP_NAME = config.env_str("PLATFORM_NAME", default="Kenlabour")
OTP_WEBAUTHN_ALLOWED_ORIGINS = config.env_list("WEBAUTHN_ORIGINS", default=[WEBAUTHN_ORIGIN])
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_HELPER_CLASS = "kenlabour.accounts.webauthn.Helper"
OTP_WEBAUTHN_TIMEOUT_SECONDS = 5 * 60
PLATFORM_TAGLINE = config.env_str(
    "PLATFORM_TAGLINE", default="Laboratoire d'innovation publique de Bretagne"
)
PLATFORM_LOGO = config.env_str("PLATFORM_LOGO", default="web/img/logo.svg")
PLATFORM_THEME = config.env_str("PLATFORM_THEME", default="kenlabour")
PLATFORM_COLOURS = config.env_dict("PLATFORM_COLOURS")
PLATFORM_CONTACT_EMAIL = config.env_str("PLATFORM_CONTACT_EMAIL", default="contact@example.org")
PLATFORM_PUBLISHER = config.env_str(
    "PLATFORM_PUBLISHER", default="Laboratoire d'innovation publique (démonstration)"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": config.env_str("LOG_LEVEL", default="INFO")},
    # WeasyPrint tells every step of every PDF it makes at INFO.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

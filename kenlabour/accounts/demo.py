"""Demo accounts: one per role, with a shared password printed by `manage.py demo`.

The accounts whose roles require a second factor (admin, treasurer, funder), and the
organisation member who chose one, have an authentication application enrolled with a
known secret, printed by `manage.py demo` too: add it to any TOTP application (or
`oathtool --totp -b SECRET`) to get their codes. Each account also has a session left open
on a phone, to close from the account page.
"""

from base64 import b32decode
from binascii import hexlify
from datetime import timedelta

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment, SignInSession, User
from kenlabour.accounts.services import new_recovery_codes

DEMO_PASSWORD = "kenlabour-demo"  # noqa: S105 - printed to the demo's user on purpose

# Base32 secrets of the demo's authentication applications (printed on purpose).
DEMO_TOTP_SECRETS = {
    "admin@kenlabour.example": "KENLABOURADMINDEMOSECRETAAAAAAAA",
    "tresorier@kenlabour.example": "KENLABOURTRESORIERDEMOSECRETAAAA",
    # The relay's two other treasurers, created by the funding demo.
    "tresoriere@kenlabour.example": "KENLABOURTRESORIEREDEMOSECRETAAA",
    "comptable@kenlabour.example": "KENLABOURCOMPTABLEDEMOSECRETAAAA",
    "financeur@kenlabour.example": "KENLABOURFINANCEURDEMOSECRETAAAA",
    # An account that chose it, though its role does not require it.
    "membre@kenlabour.example": "KENLABOURMEMBREDEMOSECRETAAAAAAA",
}
DEMO_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Mobile Safari/537.36"
)


def totp_hex(base32_secret: str) -> str:
    return hexlify(b32decode(base32_secret)).decode()


# (e-mail, display name, platform-wide role or None, superuser)
DEMO_ACCOUNTS = [
    ("admin@kenlabour.example", "Gwenaëlle Admin", Role.PLATFORM_ADMIN, True),
    ("animatrice@kenlabour.example", "Nolwenn Le Bihan", Role.LAB_FACILITATOR, False),
    ("orga@kenlabour.example", "Yann Kerguelen", Role.ORGANISATION_ADMIN, False),
    ("membre@kenlabour.example", "Anne Le Goff", Role.ORGANISATION_MEMBER, False),
    ("tresorier@kenlabour.example", "Erwan Tanguy", Role.RELAY_TREASURER, False),
    ("financeur@kenlabour.example", "Maïwenn Riou", Role.FUNDER, False),
    ("coordination@kenlabour.example", "Soizic Le Meur", Role.CAMPAIGN_COORDINATOR, False),
    # The maker: the funding demo makes her the administrator of a fablab.
    ("fabricante@kenlabour.example", "Katell Le Roux", Role.ORGANISATION_ADMIN, False),
]


@transaction.atomic
def build(log) -> list[tuple[str, str]]:
    """Create or refresh the demo accounts; returns (e-mail, role label) pairs."""
    created = []
    for email, name, role, superuser in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email)
            user.set_password(DEMO_PASSWORD)
        user.display_name = name
        user.is_staff = user.is_superuser = superuser
        user.is_active = True
        user.save()
        # Platform-wide for now; later apps scope these roles to their own objects.
        if role in (Role.PLATFORM_ADMIN, Role.FUNDER):
            RoleAssignment.objects.get_or_create(user=user, role=role, scope_type=None)
        if email in DEMO_TOTP_SECRETS:
            _enrol(user, DEMO_TOTP_SECRETS[email])
        _open_phone_session(user)
        created.append((email, str(role.label)))
    log(f"{len(created)} comptes de démonstration")
    return created


def enrol_second_factor(user: User) -> None:
    """The demo account's authentication application, with its known secret (for the
    accounts other demos create)."""
    _enrol(user, DEMO_TOTP_SECRETS[user.email])


def _enrol(user: User, base32_secret: str) -> None:
    """The demo's authentication application, as if enrolled on the account page, with its
    recovery codes (unknown to the demo: as if kept on paper; the account page renews them)."""
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(
        user=user, name="Application d'authentification", key=totp_hex(base32_secret)
    )
    new_recovery_codes(user)


def _open_phone_session(user: User) -> None:
    """A session opened on a phone a few days ago, still open (the same as a real one)."""
    old = SignInSession.objects.filter(user=user, user_agent=DEMO_PHONE)
    Session.objects.filter(session_key__in=old.values("session_key")).delete()
    old.delete()
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    row = SignInSession.objects.create(
        user=user,
        session_key=store.session_key,
        method=SignInSession.Method.PASSWORD,
        user_agent=DEMO_PHONE,
        ip_address="192.0.2.10",
    )
    SignInSession.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=3))

"""Changes of state for accounts: one function per use case, permission checked here."""

import time
from binascii import unhexlify

from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from django_otp_webauthn.models import WebAuthnCredential

from kenlabour.accounts import second_factor, selectors
from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment, SignInSession, User
from kenlabour.accounts.perms import can, forget_roles, needs_second_factor
from kenlabour.audit import services as audit
from kenlabour.audit.enums import AuditAction

RECOVERY_CODES = 10


def _role_summary(role: Role, scope) -> str:
    label = str(Role(role).label)
    return f"{label} — {scope}" if scope is not None else label


@transaction.atomic
def assign_role(actor: User, user: User, role: Role, scope=None) -> RoleAssignment:
    """Give `user` the `role`, platform-wide or on `scope`. Only platform admins may."""
    if not can(actor, "accounts.assign_role"):
        raise PermissionDenied("Seuls les administrateurs de la plateforme attribuent des rôles.")
    scope_type = ContentType.objects.get_for_model(scope) if scope is not None else None
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        scope_type=scope_type,
        scope_id=scope.pk if scope is not None else None,
    )
    forget_roles(user)
    if _created:
        audit.record(
            AuditAction.ROLE_GRANTED,
            actor=actor,
            subject=user,
            target=scope,
            summary=_role_summary(role, scope),
        )
    return assignment


@transaction.atomic
def revoke_role(actor: User, user: User, role: Role, scope=None) -> int:
    if not can(actor, "accounts.assign_role"):
        raise PermissionDenied("Seuls les administrateurs de la plateforme retirent des rôles.")
    assignments = RoleAssignment.objects.filter(user=user, role=role)
    if scope is None:
        assignments = assignments.filter(scope_type__isnull=True)
    else:
        assignments = assignments.filter(
            scope_type=ContentType.objects.get_for_model(scope), scope_id=scope.pk
        )
    deleted, _ = assignments.delete()
    forget_roles(user)
    if deleted:
        audit.record(
            AuditAction.ROLE_REVOKED,
            actor=actor,
            subject=user,
            target=scope,
            summary=_role_summary(role, scope),
        )
    return deleted


# --- changes made in Django's admin, which writes the rows itself -----------------------
# (RoleAssignmentAdmin and the user page's inline): each is kept in the audit log as the
# services above keep theirs, in the admin's own transaction.

ADMIN_FLAGS = {
    "is_superuser": _("Superutilisateur"),
    "is_staff": _("Accès à l'administration"),
    "is_active": _("Compte actif"),
}


def record_admin_role(actor: User, assignment: RoleAssignment, *, granted: bool) -> None:
    """A role assignment added (`granted`) or removed through the admin."""
    forget_roles(assignment.user)
    audit.record(
        AuditAction.ROLE_GRANTED if granted else AuditAction.ROLE_REVOKED,
        actor=actor,
        subject=assignment.user,
        target=assignment.scope,
        summary=_role_summary(assignment.role, assignment.scope),
    )


def record_admin_role_change(actor: User, before: RoleAssignment, after: RoleAssignment) -> None:
    """A role assignment edited in the admin: the role it was is removed, the new one given."""
    if (before.user_id, before.role, before.scope_type_id, before.scope_id) == (
        after.user_id,
        after.role,
        after.scope_type_id,
        after.scope_id,
    ):
        return
    record_admin_role(actor, before, granted=False)
    record_admin_role(actor, after, granted=True)


def record_admin_flags(actor: User, before: User | None, after: User) -> None:
    """The platform-wide flags of an account (superuser, admin access, active) set or
    cleared in the admin."""
    for flag, label in ADMIN_FLAGS.items():
        was = getattr(before, flag) if before is not None else False
        now = getattr(after, flag)
        if was != now and (before is not None or now):
            audit.record(
                AuditAction.ROLE_GRANTED if now else AuditAction.ROLE_REVOKED,
                actor=actor,
                subject=after,
                summary=str(label),
            )


@transaction.atomic
def update_profile(actor: User, user: User, *, display_name: str) -> User:
    if not can(actor, "accounts.edit_profile", user):
        raise PermissionDenied("Vous ne pouvez modifier que votre propre profil.")
    user.display_name = display_name.strip()
    user.save(update_fields=["display_name"])
    return user


# --- Second factor ----------------------------------------------------------------------


def new_totp_secret() -> str:
    """A fresh secret (hexadecimal, 160 bits) for an authentication application."""
    return random_hex(20)


def _totp(secret_hex: str) -> TOTP:
    totp = TOTP(unhexlify(secret_hex.encode()))
    totp.time = time.time()
    return totp


@transaction.atomic
def enrol_totp(user: User, secret_hex: str, code: str) -> list[str]:
    """Register the authentication application that shows `code` for `secret_hex`: it
    replaces the person's previous one, and new recovery codes replace the old ones, which
    are returned (shown once)."""
    totp = _totp(secret_hex)
    try:
        token = int(second_factor.normalise_code(code))
    except ValueError:
        token = None
    if token is None or not totp.verify(token, tolerance=1):
        raise ValidationError(
            _(
                "Ce code ne correspond pas. Saisissez les 6 chiffres que votre application "
                "affiche maintenant (vérifiez que l'heure du téléphone est juste)."
            ),
            code="wrong_code",
        )
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(
        user=user,
        name=_("Application d'authentification"),
        key=secret_hex,
        confirmed=True,
        last_t=totp.t(),
        drift=totp.drift,
    )
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes for `user`, replacing the old ones; returned to show once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Codes de secours"), confirmed=True)
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def regenerate_recovery_codes(actor: User, user: User) -> list[str]:
    """New recovery codes for a person who has an authentication application; the old
    codes stop working."""
    if not can(actor, "accounts.edit_profile", user) or actor.pk != user.pk:
        raise PermissionDenied("Seule la personne elle-même renouvelle ses codes de secours.")
    if not selectors.has_second_factor(user):
        raise ValidationError(
            _("Activez d'abord une application d'authentification."), code="no_device"
        )
    return new_recovery_codes(user)


@transaction.atomic
def remove_second_factor(actor: User, user: User) -> None:
    """Turn the second factor off, for a person whose roles do not require it."""
    if actor.pk != user.pk:
        raise PermissionDenied("Seule la personne elle-même retire son second facteur.")
    if needs_second_factor(user):
        raise ValidationError(
            _("Vos rôles (trésorerie, financement ou administration) exigent un second facteur."),
            code="required",
        )
    TOTPDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def security_key_added(user: User, device: WebAuthnCredential, *, first: bool) -> list[str]:
    """After a security key or passkey is registered (django-otp-webauthn stored it): when
    it is the person's first second factor, new recovery codes, returned to be shown once."""
    return new_recovery_codes(user) if first else []


@transaction.atomic
def remove_security_key(actor: User, device: WebAuthnCredential) -> bool:
    """Remove one of the person's security keys. The last second factor of a person whose
    roles require one stays; when it was the last one of someone else, the second factor is
    off and the recovery codes go with it. Whether the second factor is now off."""
    user = User.objects.select_for_update().get(pk=device.user_id)
    if actor.pk != user.pk:
        raise PermissionDenied("Seule la personne elle-même retire ses clés de sécurité.")
    others = (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True)
        .exclude(pk=device.pk)
        .exists()
    )
    if not others and needs_second_factor(user):
        raise ValidationError(
            _(
                "C'est votre dernier second facteur, et vos rôles (trésorerie, financement ou "
                "administration) en exigent un : ajoutez d'abord une autre clé ou une "
                "application d'authentification."
            ),
            code="required",
        )
    device.delete()
    if others:
        return False
    StaticDevice.objects.filter(user=user).delete()
    return True


def check_second_factor(user: User, code: str) -> bool:
    """Whether `code` is the current code of the person's application or one of their
    unused recovery codes (used up by this). django-otp slows down repeated failures: after
    a wrong code, the next try waits 1, 2, 4… seconds."""
    code = second_factor.normalise_code(code)
    if not code:
        return False
    with transaction.atomic():
        devices = (
            TOTPDevice.objects.filter(user=user, confirmed=True)
            if code.isdigit()
            else StaticDevice.objects.filter(user=user, confirmed=True)
        )
        return any(device.verify_token(code) for device in devices.select_for_update())


def second_factor_wait(user: User) -> int:
    """Seconds before the next code is checked, after recent wrong codes (0 when none)."""
    from django.utils import timezone

    waits = []
    for device in [*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user)]:
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            waits.append(int((data["locked_until"] - timezone.now()).total_seconds()) + 1)
    return max(waits, default=0)


# --- Sessions -----------------------------------------------------------------------------


def record_sign_in(request, user: User, method: str) -> None:
    """After a sign-in: the session asks for the second factor when the person has one or
    must have one, and is listed on the account page."""
    session = request.session
    if selectors.has_second_factor(user) or needs_second_factor(user):
        second_factor.mark_pending(session)
    else:
        second_factor.forget(session)
    if not session.session_key:
        session.save()
    forwarded = request.META.get("REMOTE_ADDR") or None
    SignInSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "method": method,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "ip_address": forwarded,
        },
    )


@transaction.atomic
def close_session(actor: User, sign_in_session: SignInSession) -> None:
    """Sign a person out of one of their sessions (a forgotten browser, a lost phone)."""
    if sign_in_session.user_id != actor.pk:
        raise PermissionDenied("Vous ne pouvez fermer que vos propres sessions.")
    Session.objects.filter(session_key=sign_in_session.session_key).delete()
    sign_in_session.delete()


def follow_session_key(old_key: str | None, new_key: str | None) -> None:
    """Keep a session listed when its key changes (a password change renews it)."""
    if old_key and new_key and old_key != new_key:
        SignInSession.objects.filter(session_key=old_key).update(session_key=new_key)


# --- Sign-in by an identity provider ------------------------------------------------------


@transaction.atomic
def sign_in_agent(claims: dict) -> User:
    """The account of a public agent whose identity provider vouched for `claims` (a
    verified e-mail, names, perhaps the SIRET of their organisation): found by e-mail,
    or created without a password; linked to the organisation of that SIRET if the
    directory has it."""
    from kenlabour.network.services.actors import attach_agent_by_siret

    email = User.objects.normalize_email(claims["email"]).strip().lower()[:254]
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        given = str(claims.get("given_name") or "").strip()
        family = str(claims.get("usual_name") or claims.get("family_name") or "").strip()
        user = User(email=email, display_name=f"{given} {family}".strip()[:150])
        user.set_unusable_password()
        user.save()
    if user.is_active and claims.get("siret"):
        attach_agent_by_siret(user, str(claims["siret"]))
    return user

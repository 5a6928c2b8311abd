"""A person's rights over their data: the download (recorded), consent withdrawn, erasure.

Erasure follows `policy.ERASURE` for every reference `selectors.references()` finds, in one
transaction: the account and the person's actor stay, anonymised, for what must stay (money,
the ledger, the figures); the rest is deleted."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kenlabour.accounts.perms import can, forget_roles
from kenlabour.audit import services as audit
from kenlabour.audit.enums import AuditAction
from kenlabour.network.models import Actor
from kenlabour.network.services import contributions as contribution_services
from kenlabour.privacy import policy, selectors

EXPORT_FORMATS = ("json", "pdf")


@transaction.atomic
def record_export(user, export_format: str) -> None:
    """The person downloads their data: the audit log keeps that they did, and how."""
    if not can(user, "privacy.export", user):
        raise PermissionDenied(_("Vous ne pouvez télécharger que vos propres données."))
    if export_format not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {export_format!r}")
    audit.record(
        AuditAction.PERSONAL_DATA_EXPORTED,
        actor=user,
        subject=user,
        summary=export_format.upper(),
    )


@transaction.atomic
def withdraw_consent(user) -> Actor | None:
    """The person's page leaves the public directory (their actor stays, private)."""
    if not can(user, "privacy.withdraw_consent", user):
        raise PermissionDenied(_("Vous ne pouvez retirer que votre propre consentement."))
    actor = (
        Actor.objects.select_for_update()
        .filter(pk=getattr(selectors.person_actor(user), "pk", None))
        .first()
    )
    if actor is None or not actor.public_consent:
        return actor
    actor.public_consent = False
    actor.save(update_fields=["public_consent", "updated_at"])
    contribution_services.record_consent_change(user, actor)
    return actor


def _anonymise_actor(actor: Actor) -> None:
    actor.name = policy.ANONYMOUS_NAME
    actor.slug = f"anonyme-{actor.pk}"
    actor.description = actor.skills = actor.website = actor.email = actor.address = ""
    actor.moderation_note = actor.search_text = actor.proposed_name = ""
    actor.public_consent = False
    actor.user = None
    actor.save()


def _anonymise_user(user) -> None:
    user.email = f"efface-{user.pk}@anonyme.invalid"
    user.display_name = user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.save()
    forget_roles(user)


@transaction.atomic
def erase(requester, user) -> None:
    """Erase `user`: every reference handled by its rule, then the actor and the account
    anonymised. Nothing is written if a reference has no rule."""
    if not can(requester, "privacy.erase", user):
        raise PermissionDenied(_("Vous ne pouvez effacer que votre propre compte."))
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    person = selectors.person_actor(user)
    rules = []
    for reference in selectors.references():
        rule = policy.ERASURE.get(reference.key)
        if rule is None:
            raise ImproperlyConfigured(f"no erasure rule for {reference.key}")
        target = user if reference.via == "user" else person
        if target is not None:
            rows = reference.model._default_manager.filter(**{reference.field: target})
            rules.append((rule, reference.key, rows))
    # Copies of the name first (an attendance is found through its registration), then
    # deletions, then the person's own actor and account.
    for rule, key, rows in rules:
        if rule == policy.SCRUB:
            rows.update(**policy.SCRUBBED[key])
    for rule, key, rows in rules:
        if rule == policy.DELETE:
            rows.delete()
        elif rule == policy.LOGINS:
            rows.filter(action=AuditAction.LOGIN_NEW_DEVICE).delete()
        elif rule == policy.ANONYMISE:
            # Another actor linked to the account (not the person's own) is only unlinked.
            others = rows.exclude(pk=person.pk) if person is not None else rows
            others.update(**{key.rsplit(".", 1)[1]: None})
    if person is not None:
        _anonymise_actor(person)
    _anonymise_user(user)
    audit.record(AuditAction.ERASURE, actor=user, subject=user, summary=_("Compte effacé"))

"""Registering an organisation or a collective, editing a page, consent to a public page,
moderation."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment
from kenlabour.accounts.perms import can, forget_roles
from kenlabour.audit import services as audit
from kenlabour.audit.enums import AuditAction
from kenlabour.network.enums import (
    ActorKind,
    ModerationStatus,
)
from kenlabour.network.models import (
    Actor,
    Resource,
)
from kenlabour.network.selectors.areas import AreaOfAction
from kenlabour.network.services.actors import place_actor, refresh_search_text, unique_slug


def _set_area(actor: Actor, area: AreaOfAction) -> None:
    actor.area_communes.set(area.communes)
    actor.area_epcis.set(area.epcis)
    actor.area_departements.set(area.departements)


def _set_resources(actor: Actor, resources: Iterable[tuple[str, int, str]]) -> None:
    """Make the actor's resources these (kind, quantity, details), keeping the rows of the
    kinds it already had (other apps may point at them)."""
    wanted = {kind: (quantity, details) for kind, quantity, details in resources}
    existing = {r.kind: r for r in actor.resources.all()}
    Resource.objects.filter(actor=actor).exclude(kind__in=wanted).delete()
    for kind, (quantity, details) in wanted.items():
        resource = existing.get(kind)
        if resource is None:
            Resource.objects.create(actor=actor, kind=kind, quantity=quantity, details=details)
        elif (resource.quantity, resource.details) != (quantity, details):
            resource.quantity, resource.details = quantity, details
            resource.save(update_fields=["quantity", "details"])
    # The resources a selector prefetched are out of date now.
    getattr(actor, "_prefetched_objects_cache", {}).pop("resources", None)


def _grant_actor_admin(user, actor: Actor) -> None:
    """The person who registers an actor administers it. Written directly: the accounts
    service `assign_role` is for platform admins handing out roles, not for this."""
    _assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=Role.ORGANISATION_ADMIN,
        scope_type=ContentType.objects.get_for_model(Actor),
        scope_id=actor.pk,
    )
    forget_roles(user)
    if created:
        audit.record(
            AuditAction.ROLE_GRANTED,
            actor=user,
            subject=user,
            target=actor,
            summary=f"{Role.ORGANISATION_ADMIN.label} — {actor.name}",
        )


@transaction.atomic
def register_actor(
    user,
    *,
    fields: dict,
    area: AreaOfAction | None = None,
    resources: Iterable[tuple[str, int, str]] = (),
) -> Actor:
    """A logged-in person registers an organisation or a collective. It waits for a
    facilitator's moderation; the person becomes its admin."""
    if not can(user, "network.register_actor"):
        raise PermissionDenied("Connectez-vous pour inscrire un acteur.")
    if fields.get("kind") not in (ActorKind.ORGANISATION, ActorKind.COLLECTIVE):
        raise ValueError("Only organisations and collectives are registered here.")
    actor = Actor(**fields, status=ModerationStatus.PENDING, created_by=user)
    actor.slug = unique_slug(actor.name)
    place_actor(actor)
    actor.save()
    _set_area(actor, area or AreaOfAction())
    _set_resources(actor, resources)
    refresh_search_text(actor)
    _grant_actor_admin(user, actor)
    return actor


@transaction.atomic
def update_actor(
    user,
    actor: Actor,
    *,
    fields: dict,
    area: AreaOfAction | None = None,
    resources: Iterable[tuple[str, int, str]] = (),
) -> Actor:
    """An actor's admin, or a facilitator, edits its page.

    A published actor stays published: facilitators vouched for who it is, and holding
    every correction back until a new moderation would leave the directory out of date.
    But its name is who it is: renamed by someone who does not moderate it, it keeps its
    name until a facilitator accepts the new one (`proposed_name`, in the moderation
    queue). A refused actor, once edited, goes back to the moderation queue."""
    if not can(user, "network.edit_actor", actor):
        raise PermissionDenied("Seuls les administrateurs de cet acteur modifient sa page.")
    if (fields.get("kind", actor.kind) == ActorKind.PERSON) != (actor.kind == ActorKind.PERSON):
        raise ValueError("A person stays a person, and an organisation never becomes one.")
    consent_before = actor.public_consent
    new_name = (fields.get("name") or actor.name).strip()
    if (
        actor.status == ModerationStatus.PUBLISHED
        and new_name != actor.name
        and not can(user, "network.moderate_actor", actor)
    ):
        fields = {**fields, "name": actor.name}
        actor.proposed_name = new_name
    elif "name" in fields:
        actor.proposed_name = ""
    for name, value in fields.items():
        setattr(actor, name, value)
    place_actor(actor)
    if actor.public_consent != consent_before:
        record_consent_change(user, actor)
    if actor.status == ModerationStatus.REJECTED:
        actor.status = ModerationStatus.PENDING
    actor.save()
    _set_area(actor, area or AreaOfAction())
    _set_resources(actor, resources)
    refresh_search_text(actor)
    return actor


def record_consent_change(user, actor: Actor) -> None:
    """A person's consent to a public page, given or withdrawn, goes to the audit log."""
    audit.record(
        AuditAction.CONSENT_CHANGED,
        actor=user,
        subject=actor.user,
        target=actor,
        summary=(
            _("Page publique acceptée") if actor.public_consent else _("Page publique refusée")
        ),
    )


def _locked_for_moderation(user, actor: Actor) -> Actor:
    if not can(user, "network.moderate_actor", actor):
        raise PermissionDenied(
            "Seuls les animateurs du laboratoire de son territoire modèrent cet acteur."
        )
    return Actor.objects.select_for_update().get(pk=actor.pk)


@transaction.atomic
def publish_actor(user, actor: Actor) -> Actor:
    """A facilitator publishes a pending actor: it enters the directory and the map; or
    accepts the new name proposed for a published one."""
    locked = _locked_for_moderation(user, actor)
    locked.status = ModerationStatus.PUBLISHED
    locked.moderation_note = ""
    fields = ["status", "moderation_note", "updated_at"]
    if locked.proposed_name:
        locked.name, locked.proposed_name = locked.proposed_name, ""
        fields += ["name", "proposed_name"]
    locked.save(update_fields=fields)
    if "name" in fields:
        refresh_search_text(locked)
    audit.record(AuditAction.ACTOR_PUBLISHED, actor=user, target=locked, summary=locked.name)
    return locked


@transaction.atomic
def reject_actor(user, actor: Actor, reason: str) -> Actor:
    """A facilitator refuses an actor, saying why: its admins read the reason on its page."""
    locked = _locked_for_moderation(user, actor)
    reason = reason.strip()
    if not reason:
        raise ValueError("A refusal needs a reason.")
    if locked.proposed_name and locked.status == ModerationStatus.PUBLISHED:
        # Only the new name is refused: the actor stays published under its own.
        refused, locked.proposed_name = locked.proposed_name, ""
        locked.moderation_note = reason
        locked.save(update_fields=["proposed_name", "moderation_note", "updated_at"])
        audit.record(
            AuditAction.ACTOR_REJECTED,
            actor=user,
            target=locked,
            summary=f"{locked.name} → {refused} : {reason}",
        )
        return locked
    locked.status = ModerationStatus.REJECTED
    locked.moderation_note = reason
    locked.save(update_fields=["status", "moderation_note", "updated_at"])
    audit.record(
        AuditAction.ACTOR_REJECTED, actor=user, target=locked, summary=f"{locked.name} : {reason}"
    )
    return locked

"""Which actors a person may see, open, edit or administers, and the moderation queue."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment
from kenlabour.accounts.perms import can
from kenlabour.network.enums import ActorKind, ModerationStatus
from kenlabour.network.models import Actor, Resource


def public_filter() -> Q:
    """Published, and for people only with their consent."""
    return Q(status=ModerationStatus.PUBLISHED) & (
        ~Q(kind=ActorKind.PERSON) | Q(public_consent=True)
    )


def visible_actors(user) -> QuerySet[Actor]:
    """The actors a user may see: facilitators see everyone, others what is public."""
    actors = Actor.objects.all()
    if can(user, "network.see_private"):
        return actors
    return actors.filter(public_filter())


def pending_actors() -> QuerySet[Actor]:
    """Actors waiting for moderation, oldest first, with everything the moderation page
    shows: a fixed number of queries however many are waiting."""
    return (
        Actor.objects.filter(status=ModerationStatus.PENDING)
        .select_related("commune__departement", "created_by")
        .prefetch_related(
            Prefetch("resources", queryset=Resource.objects.order_by("kind")),
            "area_communes",
            "area_epcis",
            "area_departements",
        )
        .order_by("created_at", "pk")
    )


def actor_for_edit(slug: str) -> Actor:
    """An actor with what its edit form shows; raises Actor.DoesNotExist."""
    return (
        Actor.objects.select_related("commune__departement")
        .prefetch_related("resources", "area_communes", "area_epcis", "area_departements")
        .get(slug=slug)
    )


def administered_actors(user) -> list[Actor]:
    """The actors a person administers: those they hold the organisation admin role on,
    and their own person page. Two queries."""
    if not getattr(user, "is_authenticated", False):
        return []
    scoped = RoleAssignment.objects.filter(
        user=user,
        role=Role.ORGANISATION_ADMIN,
        scope_type=ContentType.objects.get_for_model(Actor),
    ).values("scope_id")
    return list(
        Actor.objects.filter(Q(pk__in=scoped) | Q(user=user))
        .select_related("commune")
        .order_by("name", "pk")
    )


def actors_on_their_page(user) -> QuerySet[Actor]:
    """The actors whose page `user` may open: what they may see in the directory, and
    also, whatever their moderation, the actors they administer (a registrant sees their
    pending page and the reason of a refusal)."""
    visible = visible_actors(user)
    if can(user, "network.see_private") or not getattr(user, "is_authenticated", False):
        return visible
    administered = RoleAssignment.objects.filter(
        user=user,
        role=Role.ORGANISATION_ADMIN,
        scope_type=ContentType.objects.get_for_model(Actor),
    ).values("scope_id")
    return Actor.objects.filter(
        Q(pk__in=visible.values("pk")) | Q(pk__in=administered) | Q(user=user)
    )

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


def money_actor_ids() -> QuerySet:
    """The actors that hold public money (relays, funders), as `network.perms.is_money_actor`
    tells them apart, for a subquery."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from kenlabour.accounts.enums import Role
    from kenlabour.accounts.models import RoleAssignment

    by_role = RoleAssignment.objects.filter(
        scope_type=ContentType.objects.get_for_model(Actor),
        role__in=[Role.RELAY_TREASURER, Role.FUNDER],
    ).values("scope_id")
    ids = Actor.objects.filter(pk__in=by_role)
    if apps.is_installed("kenlabour.funding"):
        coverage = apps.get_model("funding", "Coverage").objects.values("relay_id")
        envelope = apps.get_model("funding", "Envelope").objects.values("funder_id")
        ids = Actor.objects.filter(Q(pk__in=by_role) | Q(pk__in=coverage) | Q(pk__in=envelope))
    return ids.values("pk")


def moderated_by(user, actors: QuerySet[Actor]) -> QuerySet[Actor]:
    """The actors of `actors` that `user` may moderate (`network.moderate_actor`), in one
    query: every actor for a platform administrator; for a facilitator, those of the
    territories of their labs (all, platform-wide), never a relay or a funder."""
    from kenlabour.accounts.enums import Role
    from kenlabour.accounts.perms import holds_anywhere, is_platform_admin
    from kenlabour.network.perms import facilitated_territories

    if is_platform_admin(user):
        return actors
    if not holds_anywhere(user, Role.LAB_FACILITATOR):
        return actors.none()
    actors = actors.exclude(pk__in=money_actor_ids())
    territories = facilitated_territories(user)
    if territories is None:
        return actors
    within = Q(pk__in=[])
    for name in sorted(territories):
        within |= (
            Q(departement__name__iexact=name)
            | Q(departement__region__name__iexact=name)
            | Q(departement__isnull=True, area_departements__name__iexact=name)
            | Q(departement__isnull=True, area_departements__region__name__iexact=name)
        )
    return actors.filter(pk__in=Actor.objects.filter(within).values("pk"))


def pending_actors() -> QuerySet[Actor]:
    """Actors waiting for moderation, oldest first, with everything the moderation page
    shows: a fixed number of queries however many are waiting."""
    return (
        Actor.objects.filter(Q(status=ModerationStatus.PENDING) | ~Q(proposed_name=""))
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

"""An actor's page: the actor, its resources, its area and its strongest links."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Max, Min, Q, Sum, When

from kenlabour.accounts.perms import can
from kenlabour.network.enums import ActorKind, OrganisationKind, ResourceCategory, ResourceKind
from kenlabour.network.models import (
    Actor,
    Directorate,
    Link,
    LinkSource,
    Membership,
    Profile,
    Resource,
)
from kenlabour.network.selectors.actors import actors_on_their_page, public_filter
from kenlabour.network.selectors.areas import attach_areas

# An actor page lists its strongest links; the rest are counted.
MAX_LINKS_SHOWN = 100
MAX_SOURCES_SHOWN = 5


@dataclass
class LinkSummary:
    """One acquaintance of an actor, figures computed from its sources."""

    other: Actor
    weight: int
    first_date: datetime.date
    last_date: datetime.date
    sources: list[LinkSource]
    more_sources: int = 0


@dataclass
class ActorPage:
    actor: Actor
    resources: list[Resource]
    directorates: list[Directorate] = field(default_factory=list)
    members: list[Membership] = field(default_factory=list)
    hidden_members: int = 0
    memberships: list[Membership] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)
    links: list[LinkSummary] = field(default_factory=list)
    links_total: int = 0
    hidden_links: int = 0


def actor_links(
    user, actor: Actor, limit: int = MAX_LINKS_SHOWN
) -> tuple[list[LinkSummary], int, int]:
    """The actors `actor` is linked to that `user` may see, strongest first, each with its
    weight (sum of its sources' weights), first and last dates and sources: computed by
    aggregates, never stored. Returns (the `limit` strongest, how many visible in all,
    how many hidden from `user`). Four queries whatever the number of links."""
    mine = Q(actor_a=actor) | Q(actor_b=actor)
    links = Link.objects.filter(mine)
    see_all = can(user, "network.see_private")
    visible = Q()
    if not see_all:
        public = Actor.objects.filter(public_filter()).values("pk")
        visible = Q(actor_a=actor, actor_b__in=public) | Q(actor_b=actor, actor_a__in=public)
    counts = links.aggregate(
        total=Count("pk"), shown=Count("pk", filter=visible) if visible else Count("pk")
    )
    rows = list(
        links.filter(visible)
        .annotate(
            weight=Sum("sources__weight"),
            first_date=Min("sources__date"),
            last_date=Max("sources__date"),
            other_id=Case(When(actor_a=actor, then=F("actor_b")), default=F("actor_a")),
        )
        .filter(weight__gt=0)
        .order_by("-weight", "-last_date", "other_id")
        .values("pk", "other_id", "weight", "first_date", "last_date")[:limit]
    )
    if not rows:
        return [], counts["shown"], counts["total"] - counts["shown"]
    others = Actor.objects.select_related("commune").in_bulk([row["other_id"] for row in rows])
    sources: dict[int, list[LinkSource]] = {}
    for source in LinkSource.objects.filter(link_id__in=[row["pk"] for row in rows]).order_by(
        "-date", "pk"
    ):
        sources.setdefault(source.link_id, []).append(source)
    summaries = []
    for row in rows:
        link_sources = sources.get(row["pk"], [])
        summaries.append(
            LinkSummary(
                other=others[row["other_id"]],
                weight=row["weight"],
                first_date=row["first_date"],
                last_date=row["last_date"],
                sources=link_sources[:MAX_SOURCES_SHOWN],
                more_sources=max(0, len(link_sources) - MAX_SOURCES_SHOWN),
            )
        )
    return summaries, counts["shown"], counts["total"] - counts["shown"]


def actor_page(user, slug: str) -> ActorPage:
    """Everything an actor's page shows, for `user`; raises Actor.DoesNotExist when the
    actor does not exist or `user` may not see it. A fixed number of queries."""
    actor = (
        actors_on_their_page(user)
        .select_related("commune__departement", "epci", "departement")
        .get(slug=slug)
    )
    attach_areas([actor])
    page = ActorPage(actor=actor, resources=list(actor.resources.order_by("kind")))
    for resource in page.resources:
        resource.category_label = ResourceCategory(ResourceKind.category_of(resource.kind)).label
    see_all = can(user, "network.see_private")
    public = Actor.objects.filter(public_filter()).values("pk")
    if actor.organisation_kind in OrganisationKind.administrations():
        page.directorates = list(actor.directorates.order_by("name"))
    if actor.kind == ActorKind.PERSON:
        memberships = actor.memberships.select_related("group").order_by("group__name")
        profiles = actor.profiles.select_related("organisation", "directorate").order_by("kind")
        if not see_all:
            memberships = memberships.filter(group__in=public)
        page.memberships = list(memberships)
        page.profiles = list(profiles)
        for profile in page.profiles:
            if profile.organisation is not None and not (see_all or profile.organisation.is_public):
                profile.organisation = profile.directorate = None
    else:
        members = actor.members.select_related("person").order_by("person__name", "pk")
        if see_all:
            page.members = list(members)
        else:
            page.members = list(members.filter(person__in=public))
            page.hidden_members = members.exclude(person__in=public).count()
    page.links, page.links_total, page.hidden_links = actor_links(user, actor)
    return page

"""Introductions (mises en relation): who answers for an actor, on whose behalf a person
may ask, the chain through which they may be presented, and a person's requests, sent,
received and to present."""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment, User
from kenlabour.network import reach
from kenlabour.network.enums import IntroductionStatus
from kenlabour.network.models import Actor, Introduction, IntroductionBlock
from kenlabour.network.selectors.actors import actors_on_their_page, administered_actors
from kenlabour.network.selectors.who_could_help import link_neighbours

# The requests a person's page lists in each part, newest first.
INBOX_LIMIT = 50


def responders(actor: Actor) -> QuerySet[User]:
    """The people who answer for an actor: the person behind a person's page, the
    administrators of an organisation or a collective (active accounts only)."""
    admins = RoleAssignment.objects.filter(
        role=Role.ORGANISATION_ADMIN,
        scope_type=ContentType.objects.get_for_model(Actor),
        scope_id=actor.pk,
    ).values("user_id")
    return User.objects.filter(is_active=True).filter(Q(pk=actor.user_id) | Q(pk__in=admins))


def has_responders(actor: Actor) -> bool:
    return responders(actor).exists()


def requester_actors(user) -> list[Actor]:
    """The pages a person may ask on behalf of: their own and those they administer, once
    published (who asks is shown to the actor asked)."""
    return [actor for actor in administered_actors(user) if actor.status == "published"]


def is_blocked(actor: Actor, user) -> bool:
    return IntroductionBlock.objects.filter(actor=actor, user=user).exists()


def sent_since(user, since: datetime.datetime) -> int:
    """How many requests a person sent since then (the daily limit counts them)."""
    return Introduction.objects.filter(requester=user, created_at__gte=since).count()


def open_request(user, target: Actor, now: datetime.datetime) -> Introduction | None:
    """The person's request to this actor still waiting for an answer, if any."""
    return (
        Introduction.objects.filter(
            requester=user,
            target=target,
            status__in=IntroductionStatus.open(),
            expires_at__gt=now,
        )
        .order_by("-created_at")
        .first()
    )


@dataclass(frozen=True)
class Intermediary:
    """Someone who worked with both the requester's page and the actor asked: who may
    present one to the other. `shown` is False when their page is not public (then the
    requester reads "une personne du réseau")."""

    actor: Actor
    shown: bool

    @property
    def label(self) -> str:
        from django.utils.translation import gettext as _

        return self.actor.name if self.shown else _("une personne du réseau")


def intermediary(requester_actor: Actor, target: Actor) -> Intermediary | None:
    """The person in the middle when the shortest chain of acquaintances between the two
    goes through exactly one actor who has people to answer (none when they know each
    other directly, or only through longer chains). The chain is the graph's own
    (reach.shortest_chains), so it is the one "who could help" shows."""
    chain = reach.shortest_chains(requester_actor.pk, [target.pk], link_neighbours).get(target.pk)
    if chain is None or len(chain) != 3:
        return None
    middle = Actor.objects.filter(pk=chain[1]).first()
    if middle is None or not has_responders(middle):
        return None
    return Intermediary(actor=middle, shown=middle.is_public)


def introduction_for(pk: int) -> Introduction:
    """One request with what its page shows (raises Introduction.DoesNotExist)."""
    return Introduction.objects.select_related(
        "requester", "requester_actor", "target", "via", "answered_by"
    ).get(pk=pk)


@dataclass
class Inbox:
    received: list[Introduction]
    to_present: list[Introduction]
    sent: list[Introduction]
    blocks: list[IntroductionBlock]
    waiting: int  # received or to present, still open


def inbox(user, now: datetime.datetime) -> Inbox:
    """A person's requests: received by the actors they answer for, to present as an
    intermediary, and sent; and the accounts their actors blocked. Six queries."""
    ids = [actor.pk for actor in administered_actors(user)]
    related = ("requester", "requester_actor", "target", "via")
    received = list(
        Introduction.objects.filter(target__in=ids)
        .filter(Q(via__isnull=True) | Q(introduced_at__isnull=False))
        .select_related(*related)[:INBOX_LIMIT]
    )
    to_present = list(
        Introduction.objects.filter(via__in=ids).select_related(*related)[:INBOX_LIMIT]
    )
    sent = list(Introduction.objects.filter(requester=user).select_related(*related)[:INBOX_LIMIT])
    blocks = list(
        IntroductionBlock.objects.filter(actor__in=ids)
        .select_related("actor", "user")
        .order_by("-created_at", "-pk")
    )
    for introduction in (*received, *to_present, *sent):
        introduction.current_state = introduction.state(now)
        introduction.current_label = introduction.state_label(now)
    for introduction in sent:
        if introduction.current_state == IntroductionStatus.REPORTED:
            # A report is closed without a word to its sender: to them, it was declined.
            introduction.current_label = IntroductionStatus.DECLINED.label
    # Counted in the records, not in the lists above (they stop at INBOX_LIMIT).
    waiting = (
        Introduction.objects.filter(
            Q(target__in=ids, status=IntroductionStatus.PENDING)
            & (Q(via__isnull=True) | Q(introduced_at__isnull=False))
            | Q(via__in=ids, status=IntroductionStatus.AWAITING_INTERMEDIARY),
            expires_at__gt=now,
        )
        .distinct()
        .count()
    )
    return Inbox(received, to_present, sent, blocks, waiting)


def target_for(user, slug: str) -> Actor | None:
    """The actor a person may open and write to, with its resources (the form's choices)."""
    return actors_on_their_page(user).prefetch_related("resources").filter(slug=slug).first()


def block_for(pk: int) -> IntroductionBlock | None:
    return IntroductionBlock.objects.select_related("actor").filter(pk=pk).first()

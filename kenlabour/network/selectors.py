"""Reads of the network for pages, exports and other apps."""

from django.db.models import Q, QuerySet

from kenlabour.accounts.perms import can
from kenlabour.network.enums import ActorKind, ModerationStatus
from kenlabour.network.models import Actor


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

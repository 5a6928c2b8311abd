"""An actor's place and search text, its page address, and a public agent attached to the
organisation their identity provider names."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.text import slugify

from kenlabour.network.enums import (
    ActorKind,
    ModerationStatus,
)
from kenlabour.network.models import (
    Actor,
)
from kenlabour.territories.geo import normalise


def place_actor(actor: Actor) -> None:
    """Copy position and territory from the actor's commune (never typed by hand)."""
    commune = actor.commune
    if commune is None:
        actor.departement_id = actor.epci_id = actor.latitude = actor.longitude = None
        return
    actor.departement_id = commune.departement_id
    actor.epci_id = commune.epci_id
    actor.latitude, actor.longitude = commune.latitude, commune.longitude


def search_text_of(actor: Actor, resource_labels: Iterable[str] = ()) -> str:
    """What directory search looks in, accent- and case-folded."""
    parts = [
        actor.name,
        actor.description,
        actor.skills,
        actor.get_organisation_kind_display() if actor.organisation_kind else "",
        actor.commune.name if actor.commune_id else "",
        *resource_labels,
    ]
    return normalise(" ".join(p for p in parts if p))


def refresh_search_text(actor: Actor) -> None:
    labels = [str(r.get_kind_display()) + " " + r.details for r in actor.resources.all()]
    actor.search_text = search_text_of(actor, labels)
    Actor.objects.filter(pk=actor.pk).update(search_text=actor.search_text)


def unique_slug(name: str, taken: set[str] | None = None) -> str:
    """A page address from the name, made unique with a number when needed."""
    base = slugify(name)[:200] or "acteur"
    candidate, n = base, 1
    while (taken is not None and candidate in taken) or Actor.objects.filter(
        slug=candidate
    ).exists():
        n += 1
        candidate = f"{base}-{n}"
    if taken is not None:
        taken.add(candidate)
    return candidate


@transaction.atomic
def attach_agent_by_siret(user, siret: str):
    """A public agent signed in through their identity provider, which named their
    organisation by its SIRET: when an organisation of the directory has that SIRET, the
    agent becomes one of its members, with a public-agent profile there, as the directory
    links people to organisations. Returns the organisation, or None when none matches.
    The agent's person record stays private (no public page without consent)."""
    from kenlabour.network.enums import ProfileKind
    from kenlabour.network.models import Membership, Profile

    siret = "".join(ch for ch in siret or "" if ch.isdigit())
    if len(siret) != 14:
        return None
    organisation = Actor.objects.filter(kind=ActorKind.ORGANISATION, siret=siret).first()
    if organisation is None:
        return None
    person = Actor.objects.filter(user=user).first()
    if person is None:
        name = user.display_name or user.email.split("@")[0]
        person = Actor(
            kind=ActorKind.PERSON,
            name=name[:200],
            slug=unique_slug(name),
            user=user,
            created_by=user,
            status=ModerationStatus.PUBLISHED,
            public_consent=False,
        )
        person.save()
        refresh_search_text(person)
    Profile.objects.get_or_create(
        person=person, kind=ProfileKind.PUBLIC_AGENT, organisation=organisation
    )
    Membership.objects.get_or_create(person=person, group=organisation)
    return organisation

"""Changes of state in the network: one function per use case, permission checked here."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from kenlabour.accounts.perms import can
from kenlabour.network.enums import LinkSourceKind
from kenlabour.network.models import Actor, Link, LinkSource
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


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


@transaction.atomic
def record_cooperation(
    actor_ids: Iterable[int],
    *,
    kind: LinkSourceKind,
    reference: str,
    date: datetime.date,
    label: str = "",
    weight: int = 1,
) -> int:
    """Record that these actors worked together (a workshop, an experiment, a delivery…):
    every pair gets a link with this source. Idempotent per (kind, reference). This is the
    one door through which other apps feed the acquaintance graph. Returns the number of
    pairs recorded."""
    ids = sorted(set(actor_ids))
    pairs = [_pair(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    if not pairs:
        return 0
    Link.objects.bulk_create(
        [Link(actor_a_id=a, actor_b_id=b) for a, b in pairs], ignore_conflicts=True
    )
    link_ids = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        for pk, a, b in Link.objects.filter(actor_a__in=chunk, actor_b__in=ids).values_list(
            "pk", "actor_a", "actor_b"
        ):
            link_ids[(a, b)] = pk
    LinkSource.objects.bulk_create(
        [
            LinkSource(
                link_id=link_ids[pair],
                kind=kind,
                reference=reference,
                label=label[:250],
                date=date,
                weight=weight,
            )
            for pair in pairs
        ],
        ignore_conflicts=True,
    )
    return len(pairs)


@transaction.atomic
def declare_partnership(
    user, actor: Actor, partner: Actor, *, date: datetime.date, label: str = ""
) -> None:
    """An actor's admin declares that the actor works with another one."""
    if not can(user, "network.declare_partnership", actor):
        raise PermissionDenied(
            "Seuls les administrateurs de cet acteur déclarent ses partenariats."
        )
    if actor.pk == partner.pk:
        raise ValueError("An actor cannot be its own partner.")
    record_cooperation(
        [actor.pk, partner.pk],
        kind=LinkSourceKind.PARTNERSHIP,
        reference=f"{min(actor.pk, partner.pk)}-{max(actor.pk, partner.pk)}",
        date=date,
        label=label,
    )

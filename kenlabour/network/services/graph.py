"""The acquaintance graph's one door (`record_cooperation`), and partnerships declared by
an actor's admins."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from kenlabour.accounts.perms import can
from kenlabour.network.enums import (
    LinkSourceKind,
)
from kenlabour.network.models import (
    Actor,
    Link,
    LinkSource,
)


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

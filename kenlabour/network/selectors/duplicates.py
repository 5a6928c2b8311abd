"""The actors a registration, an edit or an import would duplicate: the SIRET already
held, the names already present in a commune or without a place."""

from kenlabour.network.models import Actor
from kenlabour.territories.geo import normalise


def siret_holder(siret: str, *, exclude_pk: int | None = None) -> Actor | None:
    """The actor that already has this SIRET, if any (the one being edited excepted)."""
    actors = Actor.objects.filter(siret=siret).only("pk", "name", "slug")
    if exclude_pk is not None:
        actors = actors.exclude(pk=exclude_pk)
    return actors.first()


def existing_actor_keys(commune_codes, names) -> dict[tuple[str, str | None], str]:
    """(normalised name, commune code or None) -> name, for the actors that an import
    could duplicate: those in the given communes, and the place-less ones with one of the
    given names (normalised). One query per 500 communes, plus one."""
    found: dict[tuple[str, str | None], str] = {}
    codes = sorted(set(commune_codes))
    for start in range(0, len(codes), 500):
        for name, code in Actor.objects.filter(
            commune_id__in=codes[start : start + 500]
        ).values_list("name", "commune_id"):
            found.setdefault((normalise(name), code), name)
    wanted = set(names)
    if wanted:
        for (name,) in Actor.objects.filter(commune__isnull=True).values_list("name"):
            if normalise(name) in wanted:
                found.setdefault((normalise(name), None), name)
    return found


def siret_holders(sirets) -> dict[str, str]:
    """SIRET -> name of the actor holding it, for those of `sirets` already taken."""
    sirets = sorted(set(sirets))
    found = {}
    for start in range(0, len(sirets), 500):
        found.update(
            Actor.objects.filter(siret__in=sirets[start : start + 500]).values_list("siret", "name")
        )
    return found

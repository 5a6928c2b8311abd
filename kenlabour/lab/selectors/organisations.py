"""Organisations and directorates of the directory as people type them (in the
sign-in sheet, an experiment's partners, a recommendation's addressee): the names the
fields suggest, and the record a typed name designates."""

from django.db.models import Q
from django.utils.translation import gettext

from kenlabour.network.enums import ActorKind, ModerationStatus
from kenlabour.network.models import Actor, Directorate


def came_as_suggestions() -> dict:
    """Names the organisation and directorate fields suggest (a datalist each)."""
    organisations = list(
        Actor.objects.filter(kind=ActorKind.ORGANISATION, status=ModerationStatus.PUBLISHED)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )
    directorates = list(
        Directorate.objects.filter(organisation__status=ModerationStatus.PUBLISHED)
        .order_by("name", "organisation__name")
        .values_list("name", "organisation__name")
    )
    return {"organisations": organisations, "directorates": directorates}


class NotFoundByName(LookupError):
    """A typed name that designates no record ("unknown") or several ("ambiguous")."""

    def __init__(self, message: str, code: str = "unknown"):
        super().__init__(message)
        self.message = message
        self.code = code


def _published_organisations():
    return Actor.objects.filter(kind=ActorKind.ORGANISATION, status=ModerationStatus.PUBLISHED)


def _name_and_commune(text: str) -> tuple[str, str] | None:
    """Split « Mission locale (Brest) » into the name and the commune; None without
    parentheses."""
    name, opening, rest = text.rpartition("(")
    if not opening or not rest.endswith(")") or not name.strip() or not rest[:-1].strip():
        return None
    return name.strip(), rest[:-1].strip()


def resolve_organisation(text: str) -> Actor:
    """The published organisation of this exact name (case ignored). When several bear the
    name, "Name (Commune)" tells them apart; NotFoundByName says whether the name is
    unknown or shared."""
    text = text.strip()
    found = list(_published_organisations().filter(name__iexact=text)[:2])
    split = _name_and_commune(text) if not found else None
    if split is not None:
        found = list(
            _published_organisations().filter(
                name__iexact=split[0], commune__name__iexact=split[1]
            )[:2]
        )
    if len(found) == 1:
        return found[0]
    if found:
        raise NotFoundByName(
            gettext(
                "Plusieurs organisations de l'annuaire s'appellent « %(text)s » : choisissez "
                "dans la liste proposée celle qui porte sa commune entre parenthèses."
            )
            % {"text": text},
            code="ambiguous",
        )
    raise NotFoundByName(
        gettext(
            "« %(text)s » n'est pas une organisation de l'annuaire : choisissez-la dans la "
            "liste proposée, ou laissez vide."
        )
        % {"text": text}
    )


def organisation_names() -> list[str]:
    """What an organisation field suggests: each published organisation's name, with its
    commune in parentheses when several share the name (resolve_organisation reads both)."""
    rows = list(
        _published_organisations().order_by("name", "pk").values_list("name", "commune__name")
    )
    per_name: dict[str, int] = {}
    for name, _commune in rows:
        per_name[name.lower()] = per_name.get(name.lower(), 0) + 1
    names = []
    for name, commune_name in rows:
        shared = per_name[name.lower()] > 1 and commune_name
        label = f"{name} ({commune_name})" if shared else name
        if not names or names[-1] != label:
            names.append(label)
    return names


def resolve_directorate(organisation: Actor, text: str) -> Directorate:
    text = text.strip()
    found = list(
        Directorate.objects.filter(organisation=organisation).filter(
            Q(name__iexact=text) | Q(acronym__iexact=text)
        )[:2]
    )
    if len(found) != 1:
        raise NotFoundByName(
            gettext("« %(text)s » n'est pas une direction de %(organisation)s.")
            % {"text": text, "organisation": organisation.name}
        )
    return found[0]

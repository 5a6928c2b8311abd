"""Reads of the gazetteer: search, lookup, distances, and the resolution of a typed place.

`resolve_commune` is what imports and forms of other apps use to turn a text ("Quimper",
"Sainte-Marie (35)", "29000", "29232") into exactly one commune, or a French message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kenlabour.territories.geo import bounding_box, haversine_km, normalise
from kenlabour.territories.models import Commune, CommunePostcode, Departement

POSTCODE_RE = re.compile(r"\d{5}")
INSEE_CODE_RE = re.compile(r"(?:\d{5}|2[AB]\d{3})", re.IGNORECASE)
# "INSEE 29232", "code INSEE : 29232", "insee:29232"
_EXPLICIT_INSEE_RE = re.compile(
    r"(?:code\s+)?insee\s*:?\s*(?P<code>\d{5}|2[AB]\d{3})", re.IGNORECASE
)
# "Sainte-Marie (35)", "Sainte-Marie (Ille-et-Vilaine)", "Quimper (29000)"
_QUALIFIED_RE = re.compile(r"(?P<name>.+?)\s*\((?P<hint>[^()]*)\)\s*")
# "29000 Quimper", "Quimper 29000", "Quimper, 29000"
_LEADING_POSTCODE_RE = re.compile(r"(?P<postcode>\d{5})[\s,]+(?P<name>.+)")
_TRAILING_POSTCODE_RE = re.compile(r"(?P<name>.+?)[\s,]+(?P<postcode>\d{5})")

# How many candidates an ambiguity message lists.
MAX_LISTED_CANDIDATES = 8


class CommuneLookupError(LookupError):
    """A text does not designate exactly one commune. `message` is in French, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class CommuneNotFound(CommuneLookupError):
    pass


class CommuneAmbiguous(CommuneLookupError):
    def __init__(self, message: str, candidates: list[Commune]):
        super().__init__(message)
        self.candidates = candidates


def communes() -> QuerySet[Commune]:
    """Communes with what every listing shows: département and postcodes, in 2 queries."""
    return Commune.objects.select_related("departement").prefetch_related(
        Prefetch("postcodes", queryset=CommunePostcode.objects.order_by("postcode"))
    )


def get_commune(code: str) -> Commune:
    """The commune of an INSEE code ("29232", "2A004"); raises CommuneNotFound."""
    try:
        return communes().get(code=code.strip().upper())
    except Commune.DoesNotExist:
        raise CommuneNotFound(
            _("Aucune commune n'a le code INSEE « %(code)s ».") % {"code": code.strip()}
        ) from None


def search_communes(query: str, limit: int = 20) -> list[Commune]:
    """Communes matching a name (accents, case, hyphens and "Saint"/"St" ignored) or a
    postcode or INSEE code (5 characters).

    Names: the exact normalised name first, then names starting with the query, then
    names containing it; within each group the most populated first."""
    text = query.strip()
    if POSTCODE_RE.fullmatch(text) or INSEE_CODE_RE.fullmatch(text):
        # Postcodes first: 5 digits are a postcode for most people (3,000 of them are
        # also the INSEE code of another commune).
        return list(
            communes()
            .filter(Q(postcodes__postcode=text) | Q(code=text.upper()))
            .distinct()
            .annotate(
                rank=Case(
                    When(code=text.upper(), then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            )
            .order_by("rank", "-population", "name")[:limit]
        )
    key = normalise(text)
    if not key:
        return []
    return list(
        communes()
        .filter(search_name__contains=key)
        .annotate(
            rank=Case(
                When(search_name=key, then=Value(0)),
                When(search_name__startswith=key, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "-population", "name")[:limit]
    )


def distance_km(commune_a: Commune, commune_b: Commune) -> float:
    """Great-circle distance between two communes' positions, in kilometres."""
    return haversine_km(
        commune_a.latitude, commune_a.longitude, commune_b.latitude, commune_b.longitude
    )


def communes_within(
    commune: Commune, radius_km: float, *, include_self: bool = False
) -> list[Commune]:
    """Communes within `radius_km` of a commune, nearest first, each with a `distance_km`.

    A latitude/longitude bounding box, served by an index, prefilters the rows; the exact
    great-circle distance then decides."""
    box = bounding_box(commune.latitude, commune.longitude, radius_km)
    longitude = Q(longitude__gte=box.min_lon, longitude__lte=box.max_lon)
    if box.crosses_antimeridian:
        longitude = Q(longitude__gte=box.min_lon) | Q(longitude__lte=box.max_lon)
    rows = Commune.objects.select_related("departement").filter(
        longitude, latitude__gte=box.min_lat, latitude__lte=box.max_lat
    )
    if not include_self:
        rows = rows.exclude(code=commune.code)
    found = []
    for other in rows:
        other.distance_km = distance_km(commune, other)
        if other.distance_km <= radius_km:
            found.append(other)
    found.sort(key=lambda other: (other.distance_km, other.code != commune.code, other.code))
    return found


def describe(commune: Commune) -> str:
    """How a candidate is named to a user: "Sainte-Marie (Ille-et-Vilaine, 35)"."""
    return f"{commune.name} ({commune.departement.name}, {commune.departement.code})"


def _list_candidates(candidates: list[Commune]) -> str:
    listed = ", ".join(describe(c) for c in candidates[:MAX_LISTED_CANDIDATES])
    rest = len(candidates) - MAX_LISTED_CANDIDATES
    if rest > 0:
        listed += " " + ngettext("et %(count)d autre", "et %(count)d autres", rest) % {
            "count": rest
        }
    return listed


def _ordered(rows: QuerySet[Commune]) -> list[Commune]:
    return list(rows.order_by("-population", "departement_id", "code"))


def _departement_filter(hint: str) -> Q | None:
    """The département (or postcode) named in parentheses: "35", "2A", "Finistère"."""
    hint = hint.strip()
    if POSTCODE_RE.fullmatch(hint):
        return Q(postcodes__postcode=hint)
    code = hint.upper()
    if re.fullmatch(r"\d{2,3}|2[AB]", code):
        return Q(departement_id=code.zfill(2))
    key = normalise(hint)
    for departement in Departement.objects.only("code", "name"):
        if normalise(departement.name) == key:
            return Q(departement_id=departement.code)
    return None


def _suggestions(text: str, limit: int = 3) -> list[Commune]:
    """Close names: those containing the text, else containing its first words
    ("Quimperlé-sur-Mer" -> "Quimperlé")."""
    words = normalise(text).split()
    while words:
        found = search_communes(" ".join(words), limit=limit)
        if found:
            return found
        words.pop()
    return []


def _not_found(text: str) -> CommuneNotFound:
    message = _(
        "Aucune commune ne correspond à « %(text)s ». "
        "Vérifiez l'orthographe ou saisissez le code postal."
    ) % {"text": text}
    suggestions = _suggestions(text)
    if suggestions:
        message += " " + _("Vouliez-vous dire : %(names)s ?") % {
            "names": ", ".join(describe(c) for c in suggestions)
        }
    return CommuneNotFound(message)


def _resolve_code(text: str, *, insee_only: bool = False) -> Commune:
    """5 digits are a postcode; an INSEE code when no commune has that postcode (or when
    written "INSEE 29232", or with a letter: "2A004")."""
    rows = Commune.objects.select_related("departement")
    candidates = [] if insee_only else _ordered(rows.filter(postcodes__postcode=text).distinct())
    if not candidates:
        candidates = _ordered(rows.filter(code=text.upper()))
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise CommuneNotFound(
            (
                _("Aucune commune n'a le code INSEE « %(code)s ».")
                if insee_only
                else _(
                    "Aucune commune n'a le code postal ou le code INSEE « %(code)s ». "
                    "Vérifiez le code ou saisissez le nom de la commune."
                )
            )
            % {"code": text}
        )
    raise CommuneAmbiguous(
        _(
            "Le code postal « %(code)s » couvre plusieurs communes : %(candidates)s. "
            "Saisissez le nom de la commune, par exemple « %(example)s »."
        )
        % {
            "code": text,
            "candidates": _list_candidates(candidates),
            "example": f"{candidates[0].name} ({text})",
        },
        candidates,
    )


def resolve_commune(text: str) -> Commune:
    """The one commune a text designates, or CommuneNotFound / CommuneAmbiguous with a
    French message for the user.

    Accepted: a name ("Quimper", "st brieuc", "SAINT-BRIEUC"), a name with its département
    or postcode ("Sainte-Marie (35)", "Sainte-Marie (Ille-et-Vilaine)", "Quimper 29000"),
    a postcode covering one commune ("29000"), an INSEE code ("29232" when it is no
    postcode, "2A004", or explicitly "INSEE 01400": 3,000 INSEE codes are also another
    commune's postcode). An import with a column of INSEE codes should call `get_commune`."""
    text = " ".join((text or "").split())
    if not text:
        raise CommuneNotFound(_("Saisissez le nom, le code postal ou le code INSEE d'une commune."))
    if match := _EXPLICIT_INSEE_RE.fullmatch(text):
        return _resolve_code(match["code"], insee_only=True)
    if POSTCODE_RE.fullmatch(text) or INSEE_CODE_RE.fullmatch(text):
        return _resolve_code(text)

    name, restriction, qualifier = text, None, None
    if match := _QUALIFIED_RE.fullmatch(text):
        name, qualifier = match["name"], match["hint"].strip()
    elif match := (_LEADING_POSTCODE_RE.fullmatch(text) or _TRAILING_POSTCODE_RE.fullmatch(text)):
        name, qualifier = match["name"], match["postcode"]
    if qualifier is not None:
        restriction = _departement_filter(qualifier)
        if restriction is None:
            raise CommuneNotFound(
                _(
                    "« %(hint)s » n'est ni un département ni un code postal. Écrivez par "
                    "exemple « Sainte-Marie (35) » ou « Sainte-Marie (Ille-et-Vilaine) »."
                )
                % {"hint": qualifier}
            )

    key = normalise(name)
    if not key:
        raise _not_found(text)
    namesakes = Commune.objects.select_related("departement").filter(search_name=key)
    candidates = _ordered(namesakes.filter(restriction).distinct() if restriction else namesakes)
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        example = f"{candidates[0].name} ({candidates[0].departement.code})"
        raise CommuneAmbiguous(
            _(
                "Plusieurs communes s'appellent « %(name)s » : %(candidates)s. "
                "Précisez le département, par exemple « %(example)s », "
                "ou saisissez le code postal."
            )
            % {"name": name, "candidates": _list_candidates(candidates), "example": example},
            candidates,
        )
    if restriction is not None:
        elsewhere = _ordered(namesakes)
        if elsewhere:
            raise CommuneNotFound(
                _("Aucune commune « %(name)s » dans « %(hint)s ». Communes de ce nom : %(list)s.")
                % {"name": name, "hint": qualifier, "list": _list_candidates(elsewhere)}
            )
    raise _not_found(text)


def resolve_communes(texts: Iterable[str]) -> dict[str, Commune | CommuneLookupError]:
    """Resolve many texts (an import's column): each distinct text once."""
    results: dict[str, Commune | CommuneLookupError] = {}
    for text in texts:
        if text not in results:
            try:
                results[text] = resolve_commune(text)
            except CommuneLookupError as error:
                results[text] = error
    return results

"""Areas of action: the communes, EPCI and départements a place-less collective acts on,
as people type them (forms, imports) and as the pages read them."""

import re

from django.utils.translation import gettext as _

from kenlabour.network.models import Actor
from kenlabour.territories import selectors as territories
from kenlabour.territories.geo import normalise
from kenlabour.territories.models import Commune, CommunePostcode, Departement, Epci

# "Sainte-Marie (35)", "Bastia (2B)": a name and its département's code.
_NAME_AND_DEPARTEMENT_RE = re.compile(r"(?P<name>.+?)\s*\((?P<dep>\d{2,3}|2[AB])\)", re.IGNORECASE)
# "Plouhinec (56680)": a name and its postcode (an import's commune and postcode columns).
_NAME_AND_POSTCODE_RE = re.compile(r"(?P<name>.+?)\s*\((?P<postcode>\d{5})\)")


class CommuneResolver:
    """Resolves many commune texts (an import's column) to what
    `territories.selectors.resolve_commune` answers, in bulk.

    The usual forms — a name alone, "Name (35)", a postcode — are looked up a few hundred
    at a time, and kept when they designate exactly one commune, which is then the one
    `resolve_commune` returns. Anything else, and every error message, goes through
    `resolve_commune`, text by text; each distinct text is looked up once."""

    def __init__(self):
        self._cache: dict[str, Commune | territories.CommuneLookupError] = {}

    def prefetch(self, texts) -> None:
        names: dict[str, str] = {}  # text -> normalised name
        qualified: dict[str, tuple[str, str]] = {}  # text -> (normalised name, département)
        postcodes: set[str] = set()
        with_postcode: dict[str, tuple[str, str]] = {}  # text -> (normalised name, postcode)
        for text in {" ".join(t.split()) for t in texts} - self._cache.keys():
            if territories.POSTCODE_RE.fullmatch(text):
                postcodes.add(text)
            elif match := _NAME_AND_POSTCODE_RE.fullmatch(text):
                with_postcode[text] = (normalise(match["name"]), match["postcode"])
            elif match := _NAME_AND_DEPARTEMENT_RE.fullmatch(text):
                qualified[text] = (normalise(match["name"]), match["dep"].upper().zfill(2))
            elif text and not any(c.isdigit() or c in "()" for c in text):
                names[text] = normalise(text)
        by_name: dict[str, list[Commune]] = {}
        keys = sorted({*names.values(), *(key for key, _dep in qualified.values())} - {""})
        for start in range(0, len(keys), 500):
            for commune in Commune.objects.select_related("departement").filter(
                search_name__in=keys[start : start + 500]
            ):
                by_name.setdefault(commune.search_name, []).append(commune)
        for text, key in names.items():
            if len(by_name.get(key, ())) == 1:
                self._cache[text] = by_name[key][0]
        for text, (key, dep) in qualified.items():
            found = [c for c in by_name.get(key, ()) if c.departement_id == dep]
            if len(found) == 1:
                self._cache[text] = found[0]
        codes = sorted(postcodes | {postcode for _key, postcode in with_postcode.values()})
        by_postcode: dict[str, set[str]] = {}
        for start in range(0, len(codes), 500):
            for postcode, commune_id in CommunePostcode.objects.filter(
                postcode__in=codes[start : start + 500]
            ).values_list("postcode", "commune_id"):
                by_postcode.setdefault(postcode, set()).add(commune_id)
        single = {
            postcode: next(iter(ids))
            for postcode, ids in by_postcode.items()
            if len(ids) == 1 and postcode in postcodes
        }
        wanted = set(single.values())
        if with_postcode:
            wanted |= {
                commune_id
                for _name, postcode in with_postcode.values()
                for commune_id in by_postcode.get(postcode, ())
            }
        communes = Commune.objects.select_related("departement").in_bulk(sorted(wanted))
        for postcode, commune_id in single.items():
            self._cache[postcode] = communes[commune_id]
        # A name and a postcode: kept when exactly one commune of that postcode has that
        # name (else `resolve_commune` says what is wrong, text by text).
        for text, (key, postcode) in with_postcode.items():
            found = [
                communes[i]
                for i in by_postcode.get(postcode, ())
                if i in communes and communes[i].search_name == key
            ]
            if len(found) == 1:
                self._cache[text] = found[0]

    def resolve(self, text: str) -> Commune:
        """The commune, or raises territories.CommuneLookupError (French message)."""
        text = " ".join(text.split())
        if text not in self._cache:
            try:
                self._cache[text] = territories.resolve_commune(text)
            except territories.CommuneLookupError as error:
                self._cache[text] = error
        found = self._cache[text]
        if isinstance(found, territories.CommuneLookupError):
            raise found
        return found


class AreaResolver:
    """Turns the entries of an area of action (communes, EPCI, départements) into
    territories, each wrong entry with a French message naming it.

    An entry is tried as a département code ("29", "2A", "971"), an EPCI's SIREN number
    or name ("Quimper Bretagne Occidentale"), a département's name ("Finistère"), then a
    commune (anything `territories.selectors.resolve_commune` accepts: "Quimper",
    "Sainte-Marie (35)", "29000"). One resolver may serve a whole import: each distinct
    entry is looked up once."""

    def __init__(self, communes: CommuneResolver | None = None):
        self._cache: dict[str, object] = {}
        self._epcis_by_name = None
        self._departements_by_name = None
        self.communes = communes or CommuneResolver()

    # Legal forms that open EPCI names ("CA Quimper Bretagne Occidentale"): people often
    # leave them out, or write them in full.
    _EPCI_FORMS = re.compile(
        r"^(?:ca|cc|cu|communaute (?:de communes|d agglomeration|urbaine))\s+"
        r"(?:(?:du|de la|des|de)\s+)?"
    )

    def _epci_names(self):
        """normalised name -> EPCI, under its full name and without its legal form; a
        short name shared by two EPCI designates neither."""
        if self._epcis_by_name is None:
            names: dict[str, list] = {}
            for epci in Epci.objects.only("code", "name"):
                full = normalise(epci.name)
                keys = {full, self._EPCI_FORMS.sub("", full)}
                for key in keys:
                    names.setdefault(key, []).append(epci)
            self._epcis_by_name = {key: e[0] for key, e in names.items() if len(e) == 1}
        return self._epcis_by_name

    def _epci_key(self, entry: str) -> str:
        return self._EPCI_FORMS.sub("", normalise(entry))

    def _departement_names(self):
        if self._departements_by_name is None:
            self._departements_by_name = {
                normalise(d.name): d for d in Departement.objects.only("code", "name")
            }
        return self._departements_by_name

    def _other_territory(self, entry: str):
        """The EPCI or département an entry names, if it names one."""
        key = normalise(entry)
        return (
            self._epci_names().get(key)
            or self._epci_names().get(self._epci_key(entry))
            or self._departement_names().get(key)
        )

    def prefetch(self, entries) -> None:
        """Look up in bulk the communes among these entries (see CommuneResolver)."""
        self.communes.prefetch(
            entry
            for entry in {" ".join(e.split()) for e in entries}
            if not re.fullmatch(r"\d{2,3}|2[AB]|\d{9}", entry.upper())
            and self._other_territory(entry) is None
        )

    def resolve(self, entry: str):
        """A Commune, an Epci or a Departement; or a French message (str) saying why not."""
        entry = " ".join(entry.split())
        if entry in self._cache:
            return self._cache[entry]
        found: object
        code = entry.upper()
        if re.fullmatch(r"\d{2,3}|2[AB]", code):
            found = Departement.objects.filter(code=code.zfill(2)).first() or _(
                "« %(entry)s » : aucun département n'a ce code."
            ) % {"entry": entry}
        elif re.fullmatch(r"\d{9}", code):
            found = Epci.objects.filter(code=code).first() or _(
                "« %(entry)s » : aucune intercommunalité n'a ce numéro SIREN."
            ) % {"entry": entry}
        else:
            found = self._other_territory(entry)
            if found is None:
                try:
                    found = self.communes.resolve(entry)
                except territories.CommuneLookupError as error:
                    found = _(
                        "« %(entry)s » n'est ni une commune, ni une intercommunalité, ni un "
                        "département : %(reason)s"
                    ) % {"entry": entry, "reason": error.message}
        self._cache[entry] = found
        return found

    def resolve_all(self, entries) -> tuple["AreaOfAction", list[str]]:
        """The area made of these entries, and the messages of the wrong ones."""
        area, errors = AreaOfAction(), []
        for entry in entries:
            found = self.resolve(entry)
            if isinstance(found, Commune):
                target = area.communes
            elif isinstance(found, Epci):
                target = area.epcis
            elif isinstance(found, Departement):
                target = area.departements
            else:
                errors.append(str(found))
                continue
            if found not in target:
                target.append(found)
        return area, errors


class AreaOfAction:
    """Where a place-less collective acts: communes, EPCI and départements."""

    def __init__(self, communes=None, epcis=None, departements=None):
        self.communes = list(communes or [])
        self.epcis = list(epcis or [])
        self.departements = list(departements or [])

    def __bool__(self) -> bool:
        return bool(self.communes or self.epcis or self.departements)

    def __eq__(self, other) -> bool:
        return isinstance(other, AreaOfAction) and (
            {c.pk for c in self.communes},
            {e.pk for e in self.epcis},
            {d.pk for d in self.departements},
        ) == (
            {c.pk for c in other.communes},
            {e.pk for e in other.epcis},
            {d.pk for d in other.departements},
        )

    __hash__ = None

    @classmethod
    def of(cls, actor: Actor) -> "AreaOfAction":
        return cls(actor.area_communes.all(), actor.area_epcis.all(), actor.area_departements.all())

    def as_text(self, separator: str = "\n") -> str:
        """As a person would type it back: "Finistère", "Quimper (29)", an EPCI's name."""
        return separator.join(
            [d.name for d in self.departements]
            + [e.name for e in self.epcis]
            + [f"{c.name} ({c.departement_id})" for c in self.communes]
        )


AreaCommune = Actor.area_communes.through
AreaEpci = Actor.area_epcis.through
AreaDepartement = Actor.area_departements.through


def attach_areas(actors: list[Actor]) -> None:
    """Give each actor `area` (its area of action as an `AreaOfAction`, empty when it has
    a place): up to three queries for the place-less of the list, none when there are none."""
    place_less = [actor.pk for actor in actors if actor.place_less]
    areas = {pk: AreaOfAction() for pk in place_less}
    if place_less:
        for row in (
            AreaDepartement.objects.filter(actor_id__in=place_less)
            .select_related("departement")
            .order_by("departement_id")
        ):
            areas[row.actor_id].departements.append(row.departement)
        for row in (
            AreaEpci.objects.filter(actor_id__in=place_less)
            .select_related("epci")
            .order_by("epci__name")
        ):
            areas[row.actor_id].epcis.append(row.epci)
        for row in (
            AreaCommune.objects.filter(actor_id__in=place_less)
            .select_related("commune")
            .order_by("commune__name", "commune_id")
        ):
            areas[row.actor_id].communes.append(row.commune)
    for actor in actors:
        actor.area = areas.get(actor.pk, AreaOfAction())

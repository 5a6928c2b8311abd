"""The words people write in their tables for kinds of actors, organisations and resources.

A pure module (no Django import): plain strings in, enum values (as strings, see
enums.py) out. A cell is compared with these words by `key`: case, accents, ligatures,
hyphens and punctuation ignored, and a plural's final "s" or "x" too, so "Fab-Lab",
"FABLABS" and "fablab" are one word. The import adds to these the values and labels of
the choices, and what the importing person chose for the words still unknown.
"""

from __future__ import annotations

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def key(text: str) -> str:
    """The comparison form of a word: "Tiers-Lieux" -> "tiers lieu", "Collectivité" ->
    "collectivite"."""
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    tokens = _NON_ALNUM.sub(" ", text).split()
    return " ".join(_singular(token) for token in tokens)


def _singular(token: str) -> str:
    if len(token) > 3 and token[-1] in "sx" and not token.endswith(("ss", "us")):
        return token[:-1]
    return token


# --- ActorKind ------------------------------------------------------------------------
PERSON, ORGANISATION, COLLECTIVE = "person", "organisation", "collective"

ACTOR_KIND_WORDS = {
    PERSON: (
        "personne",
        "personne physique",
        "particulier",
        "individu",
        "individuel",
        "maker",
        "benevole",
        "citoyen",
        "citoyenne",
        "habitant",
        "habitante",
        "couturiere",
        "couturier",
    ),
    ORGANISATION: ("organisation", "structure", "organisme", "personne morale"),
    COLLECTIVE: ("collectif", "groupe", "groupe informel", "collectif informel", "reseau"),
}

# --- OrganisationKind -----------------------------------------------------------------
ORGANISATION_KIND_WORDS = {
    "state": (
        "etat",
        "administration",
        "administration de l'etat",
        "service de l'etat",
        "prefecture",
        "sous prefecture",
        "ministere",
        "ddtm",
        "dreal",
        "ddets",
        "ars",
        "rectorat",
    ),
    "regional_council": ("region", "conseil regional", "region bretagne"),
    "local_authority": (
        "collectivite",
        "collectivite territoriale",
        "collectivite locale",
        "mairie",
        "commune",
        "ville",
        "departement",
        "conseil departemental",
        "epci",
        "intercommunalite",
        "communaute de commune",
        "communaute d'agglomeration",
        "agglomeration",
        "metropole",
        "ccas",
    ),
    "public_operator": (
        "operateur public",
        "etablissement public",
        "epic",
        "epa",
        "france travail",
        "pole emploi",
        "caf",
        "cpam",
    ),
    # The directory has no kind of its own for third places: those that make things are
    # fablabs in it (the kind that says "machines and people to use them").
    "fablab": (
        "fablab",
        "fab lab",
        "tiers lieu",
        "tiers lieu de fabrication",
        "makerspace",
        "hackerspace",
        "atelier partage",
        "repair cafe",
    ),
    "maker_collective": ("collectif de maker", "collectif maker", "maker collective"),
    "association": (
        "association",
        "asso",
        "association loi 1901",
        "loi 1901",
        "association 1901",
        "federation",
    ),
    "company": (
        "entreprise",
        "societe",
        "sarl",
        "sas",
        "sasu",
        "eurl",
        "sa",
        "sci",
        "scop",
        "scic",
        "snc",
        "ei",
        "eirl",
        "micro entreprise",
        "auto entrepreneur",
        "autoentrepreneur",
        "entrepreneur",
        "artisan",
        "commerce",
        "tpe",
        "pme",
        "start up",
        "startup",
        "entreprise privee",
    ),
    "school_research": (
        "ecole",
        "college",
        "lycee",
        "universite",
        "iut",
        "enseignement",
        "recherche",
        "laboratoire de recherche",
        "etablissement d'enseignement",
        "organisme de formation",
    ),
    "care": (
        "hopital",
        "chu",
        "centre hospitalier",
        "clinique",
        "ehpad",
        "centre de sante",
        "maison de sante",
        "soin",
        "etablissement de sante",
        "ssiad",
    ),
}

# --- ResourceKind ---------------------------------------------------------------------
RESOURCE_KIND_WORDS = {
    "printer_3d": ("imprimante 3d", "impression 3d", "imprimante", "3d"),
    "laser_cutter": ("laser", "decoupe laser", "decoupeuse laser", "graveuse laser"),
    "sewing_machine": ("machine a coudre", "surjeteuse", "piqueuse"),
    "cnc_mill": ("cnc", "fraiseuse", "fraiseuse cnc", "fraiseuse numerique", "defonceuse cnc"),
    "vinyl_cutter": ("plotter de decoupe", "decoupe vinyle", "plotter", "traceur de decoupe"),
    "embroidery_machine": ("brodeuse", "machine a broder"),
    "filament": ("filament", "filament pla", "pla", "bobine de filament"),
    "fabric": ("tissu", "coton", "textile"),
    "elastic": ("elastique",),
    "sheet_plastic": ("feuille plastique", "pet", "petg", "feuille pet", "plastique"),
    "design": ("conception", "modelisation", "modelisation 3d", "cao", "dao"),
    "sewing": ("couture",),
    "facilitation": ("animation", "animation d'atelier", "mediation", "formation"),
    "logistics": ("logistique", "livraison", "transport"),
    "workshop_space": ("atelier", "atelier de fabrication", "local"),
    "meeting_room": ("salle de reunion", "salle"),
    "storage": ("stockage", "entrepot"),
}


def index(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """{key of a word: value} from {value: words}."""
    return {key(word): value for value, synonyms in words.items() for word in synonyms}

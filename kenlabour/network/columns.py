"""The columns of the actors' spreadsheet: what the export writes and the import reads.

Plain strings, no Django import: the pure spreadsheet module, the import and the export
all name columns and values from here, so a file exported can be imported again.
"""

NAME = "nom"
KIND = "type"
ORGANISATION_KIND = "type_organisation"
SIRET = "siret"
COMMUNE = "commune"
ADDRESS = "adresse"
PLACE_LESS = "sans_lieu"
AREA = "zone_action"
DESCRIPTION = "description"
SKILLS = "savoir_faire"
WEBSITE = "site_web"
EMAIL = "email"
RESOURCES = "ressources"
PUBLIC_CONSENT = "consentement_public"

# In the order a file lists them.
COLUMNS = (
    NAME,
    KIND,
    ORGANISATION_KIND,
    SIRET,
    COMMUNE,
    ADDRESS,
    PLACE_LESS,
    AREA,
    DESCRIPTION,
    SKILLS,
    WEBSITE,
    EMAIL,
    RESOURCES,
    PUBLIC_CONSENT,
)
# Columns an imported file must have.
REQUIRED = (NAME, KIND)

# Columns only the import reads (the directory's exports do not write them): the postcode
# tells apart communes of the same name; the phone number is checked, not kept (see
# docs/network.md: the directory shows an e-mail address, never a phone number).
POSTCODE = "code_postal"
PHONE = "telephone"
# In the order the import lists them: each beside the column it goes with.
IMPORT_COLUMNS = tuple(
    column
    for name in COLUMNS
    for column in (
        (name, POSTCODE) if name == COMMUNE else (name, PHONE) if name == EMAIL else (name,)
    )
)

# What people call the columns in the tables they keep. A header is compared with these
# by `spreadsheet.header_key`: case, accents, spaces and punctuation ignored, so "E-mail",
# "e mail" and "EMAIL" are one synonym. Each column's own name is a synonym of itself.
HEADER_SYNONYMS = {
    NAME: (
        "nom",
        "raison sociale",
        "denomination",
        "nom de la structure",
        "nom structure",
        "structure",
        "nom de l'acteur",
        "nom de l'organisation",
        "organisme",
        "name",
    ),
    KIND: ("type", "type d'acteur", "type acteur", "categorie", "categorie d'acteur", "nature"),
    ORGANISATION_KIND: (
        "type organisation",
        "type d'organisation",
        "type de structure",
        "type structure",
        "forme juridique",
        "statut juridique",
        "statut",
    ),
    SIRET: ("siret", "n siret", "no siret", "numero siret", "numero de siret", "siret siren"),
    COMMUNE: ("commune", "ville", "localite", "municipalite", "city"),
    POSTCODE: ("code postal", "cp", "c p", "code post", "postcode", "zip", "code_postal"),
    ADDRESS: ("adresse", "adresse postale", "rue", "voie", "address"),
    PLACE_LESS: ("sans lieu", "sans_lieu"),
    AREA: (
        "zone action",
        "zone d'action",
        "zone d'intervention",
        "territoire",
        "territoire d'action",
        "zone geographique",
    ),
    DESCRIPTION: ("description", "presentation", "activite", "activites", "objet"),
    SKILLS: ("savoir faire", "savoir-faire", "competences", "competence", "savoirs"),
    WEBSITE: ("site web", "site", "site internet", "url", "web", "website"),
    EMAIL: (
        "email",
        "e-mail",
        "mail",
        "courriel",
        "adresse mail",
        "adresse e-mail",
        "adresse electronique",
        "adresse courriel",
        "mel",
    ),
    PHONE: (
        "telephone",
        "tel",
        "tel.",
        "numero de telephone",
        "n telephone",
        "portable",
        "mobile",
        "phone",
    ),
    RESOURCES: (
        "ressources",
        "ressource",
        "equipements",
        "equipement",
        "machines",
        "materiel",
        "materiels",
        "moyens",
    ),
    PUBLIC_CONSENT: ("consentement public", "consentement", "page publique", "accord public"),
}

# `type` column: French word -> ActorKind value.
KINDS = {"personne": "person", "organisation": "organisation", "collectif": "collective"}
YES = "oui"
NO = "non"

# `zone_action`: "Finistère|Quimper Bretagne Occidentale|Brest (29)"
AREA_SEPARATOR = "|"
# `ressources`: "Imprimante 3D:4, Découpeuse laser:1"
RESOURCE_SEPARATOR = ","
QUANTITY_SEPARATOR = ":"

# --- what the directory's exports add after COLUMNS (the import ignores them) ----------
# The commune's INSEE code (unambiguous where `commune` says "Name (département)"), where
# the actor is, how far from the commune of a radius search, and its page.
INSEE_CODE = "code_insee"
DEPARTEMENT = "departement"
LATITUDE = "latitude"
LONGITUDE = "longitude"
DISTANCE = "distance_km"
PAGE = "page"

EXPORT_COLUMNS = (*COLUMNS, INSEE_CODE, DEPARTEMENT, LATITUDE, LONGITUDE, DISTANCE, PAGE)

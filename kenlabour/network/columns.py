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

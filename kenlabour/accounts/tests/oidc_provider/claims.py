"""The test provider's agents and clients (plain values: the tests import them too)."""

SCOPES = ["openid", "email", "given_name", "usual_name", "siret"]
PASSWORD = "mot-de-passe-du-fournisseur"

# The provider's accounts: username (the e-mail), then the claims it vouches for.
AGENTS = {
    "morgane.legall@finistere.gouv.fr": {
        "given_name": "Morgane",
        "usual_name": "Le Gall",
        "siret": "13000548100010",
        "email_verified": True,
    },
    "ronan.ollivier@exemple.gouv.fr": {
        "given_name": "Ronan",
        "usual_name": "Ollivier",
        "siret": "",
        "email_verified": True,
    },
    "non.verifie@exemple.org": {
        "given_name": "Non",
        "usual_name": "Vérifié",
        "siret": "",
        "email_verified": False,
    },
}

# Clients registered at the provider: the real one, and two that receive tokens a relying
# party must refuse (meant for another service; expired on arrival).
CLIENT_SECRET = "secret-du-client-de-test"
CLIENT = "kenlabour"
WRONG_AUDIENCE_CLIENT = "kenlabour-autre-audience"
EXPIRED_CLIENT = "kenlabour-jeton-perime"
CLIENTS = (CLIENT, WRONG_AUDIENCE_CLIENT, EXPIRED_CLIENT)

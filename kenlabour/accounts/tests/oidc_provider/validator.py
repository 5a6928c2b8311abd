"""What the test provider says about its agents, and how its odd clients misbehave."""

import time

from oauth2_provider.oauth2_validators import OAuth2Validator

from kenlabour.accounts.tests.oidc_provider.claims import (
    AGENTS,
    EXPIRED_CLIENT,
    WRONG_AUDIENCE_CLIENT,
)


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # every claim below, whatever the scopes asked

    def get_additional_claims(self, request):
        agent = AGENTS.get(request.user.username, {})
        return {"email": request.user.username, **agent}

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        if request.client.client_id == WRONG_AUDIENCE_CLIENT:
            claims["aud"] = "un-autre-service"
        if request.client.client_id == EXPIRED_CLIENT:
            claims["iat"] = int(time.time()) - 7200
            claims["exp"] = int(time.time()) - 3600
        return claims, expiration

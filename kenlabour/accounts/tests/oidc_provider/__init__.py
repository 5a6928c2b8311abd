"""A real OpenID Connect provider for the tests (django-oauth-toolkit in its own process),
standing for ProConnect: see `serve.py`, started by the `oidc_provider` fixture."""

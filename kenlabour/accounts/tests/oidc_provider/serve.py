"""Start the test identity provider:

    python -m kenlabour.accounts.tests.oidc_provider.serve PORT CALLBACK DIRECTORY AFTER_LOGOUT

(CALLBACK and AFTER_LOGOUT are the relying party's URLs). It makes its RSA key and its
database in DIRECTORY, registers the clients and the agents, prints "ready" and serves
until stopped."""

import os
import sys


def main(port: int, callback: str, directory: str, after_logout: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with open(os.path.join(directory, "key.pem"), "wb") as out:
        out.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    os.environ["DJANGO_SETTINGS_MODULE"] = "kenlabour.accounts.tests.oidc_provider.settings"
    os.environ["OIDC_TEST_PROVIDER_DIR"] = directory
    os.environ["OIDC_TEST_PROVIDER_ISSUER"] = f"http://127.0.0.1:{port}/o"

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    from kenlabour.accounts.tests.oidc_provider import claims

    call_command("migrate", verbosity=0)
    for username in claims.AGENTS:
        User.objects.create_user(username=username, password=claims.PASSWORD)
    for client_id in claims.CLIENTS:
        Application.objects.create(
            name=client_id,
            client_id=client_id,
            client_secret=claims.CLIENT_SECRET,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=callback,
            post_logout_redirect_uris=after_logout,
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=client_id != claims.CLIENT,
        )
    print("ready", flush=True)
    run("127.0.0.1", port, get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4])

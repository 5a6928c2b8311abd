"""Rate limits kept in the cache: how many times an address or a client may do something in
an hour. The password reset is limited per e-mail address (so no one floods a person's
mailbox) and per client address (so no one tries addresses one after another)."""

import hashlib

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def _key(scope: str, value: str) -> str:
    # Hashed: the cache never holds an e-mail address or a network address in clear.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}\n{value}".encode()).hexdigest()
    return f"kenlabour:throttle:{scope}:{digest}"


def _hit(scope: str, value: str) -> int:
    """Count one attempt in the current window; returns the attempts so far."""
    key = _key(scope, value)
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        return 1


def password_reset_allowed(email: str, client_address: str) -> bool:
    """Count a reset request; False once the address or the client asked too often."""
    by_address = _hit("reset-email", email.strip().lower())
    by_client = _hit("reset-ip", client_address or "unknown")
    return (
        by_address <= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
        and by_client <= settings.PASSWORD_RESET_LIMIT_PER_IP
    )

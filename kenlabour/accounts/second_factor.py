"""Where a session stands with the second factor.

A session opened by a password (or an identity provider) is `PENDING` when its person has
a second factor, or must have one (accounts.perms.needs_second_factor); it becomes
`VERIFIED` once a code from the authentication application or a recovery code is accepted.
The middleware reads this state on every request; nothing else is stored.
"""

SESSION_KEY = "kenlabour_second_factor"
PENDING = "pending"
VERIFIED = "verified"


def is_verified(session) -> bool:
    return session.get(SESSION_KEY) == VERIFIED


def is_pending(session) -> bool:
    return session.get(SESSION_KEY) == PENDING


def mark_pending(session) -> None:
    session[SESSION_KEY] = PENDING


def mark_verified(session) -> None:
    session[SESSION_KEY] = VERIFIED


def forget(session) -> None:
    session.pop(SESSION_KEY, None)


def normalise_code(code: str) -> str:
    """A code as typed: spaces and dashes dropped (`123 456`, `abcd-efgh`), lower case."""
    return "".join(ch for ch in code if ch not in " -\u00a0\t").lower()

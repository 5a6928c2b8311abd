"""Reading the environment for settings.py, with French messages naming the variable.

A malformed value raises ConfigurationError; manage.py and the WSGI entry point print
its message and stop, without a traceback.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on", "oui", "vrai"}
FALSE = {"0", "false", "no", "off", "non", "faux", ""}
SUPPORTED_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}


class ConfigurationError(ImproperlyConfigured):
    """A setting read from the environment is missing or malformed."""


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ConfigurationError(
        f"La variable {name} vaut « {raw} » : attendu 1 ou 0 (true/false, oui/non)."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(
            f"La variable {name} vaut « {raw} » : attendu un nombre entier."
        ) from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_dict(name: str) -> dict[str, str]:
    """KEY=value pairs separated by commas, e.g. PLATFORM_COLOURS=primary=#1d4f7a,text=#111."""
    raw = os.environ.get(name, "").strip()
    pairs = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ConfigurationError(
                f"La variable {name} contient « {item} » : attendu des paires clé=valeur "
                "séparées par des virgules."
            )
        pairs[key.strip()] = value.strip()
    return pairs


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw) if raw else default


def secret_key(debug: bool) -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        if not debug and len(key) < 50:
            raise ConfigurationError(
                "La variable SECRET_KEY est trop courte pour la production : "
                "au moins 50 caractères aléatoires (par exemple : "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))')."
            )
        return key
    if debug:
        # Development only: a fresh key per process is fine, sessions are throwaway.
        return "dev-insecure-" + secrets.token_urlsafe(40)
    raise ConfigurationError(
        "La variable SECRET_KEY est obligatoire hors mode développement (DEBUG=0)."
    )


def database(default_sqlite_path: Path) -> dict:
    """DATABASES['default'] from DATABASE_URL, or the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        default_sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return sqlite(default_sqlite_path)
    return database_from_url(url)


def database_from_url(url: str) -> dict:
    example = "postgres://utilisateur@127.0.0.1:5432/kenlabour ou sqlite:///chemin/base.sqlite3"
    try:
        parsed = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except (ValueError, KeyError):
        # The URL may hold a password: never repeat it in the message.
        raise ConfigurationError(
            "La variable DATABASE_URL est mal formée : ce n'est pas une adresse de base de "
            f"données reconnue. Exemple : {example}."
        ) from None
    engine = parsed.get("ENGINE")
    if engine not in SUPPORTED_ENGINES:
        raise ConfigurationError(
            f"La variable DATABASE_URL désigne une base non prise en charge ({engine}). "
            f"Kenlabour fonctionne avec PostgreSQL ou SQLite. Exemple : {example}."
        )
    if engine == "django.db.backends.sqlite3":
        return sqlite(Path(parsed["NAME"]))
    if not parsed.get("NAME"):
        raise ConfigurationError(
            f"La variable DATABASE_URL ne nomme pas de base de données. Exemple : {example}."
        )
    return parsed


def sqlite(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets readers work while one writer writes; IMMEDIATE avoids
            # "database is locked" errors when a read transaction later writes.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


def origin_of(
    url: str,
    name: str = "MAP_TILE_URL",
    example: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
) -> str:
    """The scheme and host of a URL template, for the Content-Security-Policy."""
    parts = urlsplit(url.replace("{s}", "a"))
    if not parts.scheme or not parts.netloc:
        raise ConfigurationError(
            f"La variable {name} vaut « {url} » : attendu une adresse complète comme {example}."
        )
    host = parts.netloc
    if "{s}" in url:
        host = "*." + host.split(".", 1)[1]
    return f"{parts.scheme}://{host}"


def webauthn_party(platform_url: str) -> tuple[str, str]:
    """The WebAuthn relying party ID (a domain) and origin for the public address. A browser
    refuses an IP address as relying party, so a loopback address becomes `localhost`."""
    import ipaddress

    parts = urlsplit(platform_url)
    host = parts.hostname or "localhost"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        host = "localhost"
    port = f":{parts.port}" if parts.port else ""
    return host, f"{parts.scheme or 'https'}://{host}{port}"

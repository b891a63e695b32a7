"""The only module that reads the process environment.

Every deployment value Cerchia understands is read here once, validated, and
exposed as a typed constant; settings.py builds Django settings from these.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int | None = None) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


_RATE = re.compile(r"^\d+/\d*[smhd]$")


def env_rate_limits(name: str) -> dict[str, str]:
    """``post=20/h;login=10/m,50/d`` → {"post": "20/h", "login": "10/m,50/d"}; ``post=`` is off."""
    limits: dict[str, str] = {}
    for entry in env_str(name).split(";"):
        if not entry.strip():
            continue
        limit, equals, rates = (part.strip() for part in entry.partition("="))
        parts = [rate.strip() for rate in rates.split(",") if rate.strip()]
        if not limit or not equals or not all(_RATE.match(rate) for rate in parts):
            raise ImproperlyConfigured(
                f"{name} must read like 'post=20/h;login=10/m,50/d', got {entry.strip()!r}"
            )
        limits[limit] = ",".join(parts)
    return limits


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    file_path: str = ""


def parse_database_url(url: str) -> dict[str, object]:
    """``postgres://user:pass@host:port/name`` or ``sqlite:////abs/path``: DATABASES['default']."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in {"postgres", "postgresql", "pgsql"}:
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        options: dict[str, object] = {}
        if "sslmode" in query:
            options["sslmode"] = query["sslmode"]
        if env_bool("DATABASE_POOL", default=False):
            options["pool"] = {"min_size": 1, "max_size": env_int("DATABASE_POOL_SIZE", 10)}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 0 if options.get("pool") else env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
            "TEST": {"NAME": query.get("test_name") or None},
        }
    if scheme == "sqlite":
        # As in SQLAlchemy and dj-database-url: sqlite:///relative/db.sqlite3,
        # sqlite:////absolute/db.sqlite3; "sqlite://" alone is in memory.
        path = unquote(parts.path).removeprefix("/")
        if parts.netloc:  # sqlite://relative/path
            path = f"{parts.netloc}/{path}" if path else parts.netloc
        return sqlite_database(Path(path) if path not in {"", ":memory:"} else None)
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {scheme!r} is not supported (postgres, sqlite)"
    )


def sqlite_database(path: Path | None) -> dict[str, object]:
    """SQLite tuned for a small server: WAL journal, busy timeout, immediate write transactions."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path) if path else ":memory:",
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA foreign_keys=ON;"
            ),
        },
    }


def parse_email_url(url: str, data_dir: Path) -> EmailConfig:
    """``smtp://user:pass@host:587?tls=1``, ``smtps://…``, ``console://``, ``file:///dir``, ``memory://``."""
    if not url:
        return EmailConfig(backend="django.core.mail.backends.console.EmailBackend")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if scheme in {"smtp", "smtps"}:
        return EmailConfig(
            backend="django.core.mail.backends.smtp.EmailBackend",
            host=parts.hostname or "localhost",
            port=parts.port or (465 if scheme == "smtps" else 25),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            use_tls=query.get("tls", "").lower() in _TRUE,
            use_ssl=scheme == "smtps",
        )
    if scheme == "console":
        return EmailConfig(backend="django.core.mail.backends.console.EmailBackend")
    if scheme == "memory":
        return EmailConfig(backend="django.core.mail.backends.locmem.EmailBackend")
    if scheme == "file":
        path = unquote(parts.path) or str(data_dir / "mail")
        return EmailConfig(
            backend="django.core.mail.backends.filebased.EmailBackend", file_path=path
        )
    raise ImproperlyConfigured(f"EMAIL_URL scheme {scheme!r} is not supported")


DEBUG: bool = env_bool("DEBUG", default=False)
#: Development conveniences (console email, a generated secret) are allowed only here.
DEV_MODE: bool = env_bool("CERCHIA_DEV", default=DEBUG)
DATA_DIR: Path = Path(env_str("CERCHIA_DATA_DIR") or BASE_DIR / "var")
SECRET_KEY: str = env_str("SECRET_KEY")
ALLOWED_HOSTS: list[str] = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS: list[str] = env_list("CSRF_TRUSTED_ORIGINS")
DATABASE_URL: str = env_str("DATABASE_URL")
REDIS_URL: str = env_str("REDIS_URL")
EMAIL_URL: str = env_str("EMAIL_URL")
DEFAULT_FROM_EMAIL: str = env_str("DEFAULT_FROM_EMAIL", "Cerchia <noreply@localhost>")
#: Addresses (or CIDR networks) of reverse proxies whose X-Forwarded-For we believe.
TRUSTED_PROXIES: list[str] = env_list("TRUSTED_PROXIES")
#: Rate limit overrides (see ``cerchia.core.ratelimit`` and docs/operating.md).
RATE_LIMITS: dict[str, str] = env_rate_limits("RATE_LIMITS")
#: Set when TLS terminates at a trusted proxy that sends X-Forwarded-Proto.
BEHIND_TLS_PROXY: bool = env_bool("BEHIND_TLS_PROXY", default=False)
SECURE_COOKIES: bool = env_bool("SECURE_COOKIES", default=not DEBUG and not DEV_MODE)
SITE_URL: str = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
MEDIA_ROOT: Path = Path(env_str("MEDIA_ROOT") or DATA_DIR / "media")
STATIC_ROOT: Path = Path(env_str("STATIC_ROOT") or DATA_DIR / "static")
LOG_LEVEL: str = env_str("LOG_LEVEL", "INFO").upper()
#: Test settings. On by default under pytest, because pytest-django imports
#: settings before any conftest could set the variable.
TESTING: bool = env_bool("CERCHIA_TESTING", default="pytest" in sys.modules)
#: Where browsers open websockets, e.g. ``wss://example.org/ws/``. Empty: the page's own host,
#: on the port of ``cerchia serve``'s ASGI process if it exported one, else the page's origin.
WS_URL: str = env_str("WS_URL")
#: Set by ``cerchia serve`` for its children; not meant to be set by hand.
WS_PORT: int | None = env_int("CERCHIA_WS_PORT")

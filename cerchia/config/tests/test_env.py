"""env.py: every deployment value parsed, validated, and refused when wrong."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from django.core.exceptions import ImproperlyConfigured

from cerchia.config import env

DATA_DIR = Path("/srv/cerchia-data")


# --- DATABASE_URL ---------------------------------------------------------------


def test_postgres_url_gives_every_connection_field() -> None:
    config = env.parse_database_url(
        "postgres://cerchia:p%40ss%2Fword@db.internal:6543/cerchia_prod?sslmode=require"
    )

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "cerchia_prod"
    assert config["USER"] == "cerchia"
    assert config["PASSWORD"] == "p@ss/word"
    assert config["HOST"] == "db.internal"
    assert config["PORT"] == "6543"
    assert config["OPTIONS"] == {"sslmode": "require"}
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["TEST"] == {"NAME": None}


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql", "POSTGRES"])
def test_postgres_scheme_spellings(scheme: str) -> None:
    config = env.parse_database_url(f"{scheme}://u@h/db")

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["PORT"] == ""


def test_postgres_test_name_names_the_test_database() -> None:
    config = env.parse_database_url("postgres://postgres@127.0.0.1:5432/test?test_name=test_x")

    assert config["NAME"] == "test"
    assert config["TEST"] == {"NAME": "test_x"}


def test_postgres_pool_replaces_persistent_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_POOL", "1")
    monkeypatch.setenv("DATABASE_POOL_SIZE", "4")

    config = env.parse_database_url("postgres://u@h/db")

    assert config["OPTIONS"] == {"pool": {"min_size": 1, "max_size": 4}}
    assert config["CONN_MAX_AGE"] == 0


def test_postgres_without_pool_keeps_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_POOL", raising=False)
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "120")

    config = env.parse_database_url("postgres://u@h/db")

    assert "pool" not in config["OPTIONS"]  # type: ignore[operator]
    assert config["CONN_MAX_AGE"] == 120


def test_sqlite_absolute_path_is_tuned_for_a_server() -> None:
    config = env.parse_database_url("sqlite:////var/lib/cerchia/db.sqlite3")

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/var/lib/cerchia/db.sqlite3"
    options = config["OPTIONS"]
    assert isinstance(options, dict)
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL;" in options["init_command"]
    assert "PRAGMA busy_timeout=" in options["init_command"]
    assert "PRAGMA foreign_keys=ON;" in options["init_command"]


@pytest.mark.parametrize("url", ["sqlite:///var/db.sqlite3", "sqlite://var/db.sqlite3"])
def test_sqlite_relative_path(url: str) -> None:
    assert env.parse_database_url(url)["NAME"] == "var/db.sqlite3"


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite://:memory:"])
def test_sqlite_in_memory(url: str) -> None:
    assert env.parse_database_url(url)["NAME"] == ":memory:"


@pytest.mark.parametrize(
    "url", ["mysql://u@h/db", "redis://h:6379/0", "db.sqlite3", "/var/lib/db.sqlite3"]
)
def test_unsupported_database_url_is_refused(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.parse_database_url(url)


# --- EMAIL_URL ------------------------------------------------------------------


def test_smtp_with_starttls() -> None:
    config = env.parse_email_url("smtp://mailer:s%3Acret@mail.example.org:587?tls=1", DATA_DIR)

    assert config == env.EmailConfig(
        backend="django.core.mail.backends.smtp.EmailBackend",
        host="mail.example.org",
        port=587,
        user="mailer",
        password="s:cret",
        use_tls=True,
        use_ssl=False,
    )


def test_smtp_defaults_to_port_25_without_tls() -> None:
    config = env.parse_email_url("smtp://mail.example.org", DATA_DIR)

    assert (config.port, config.use_tls, config.use_ssl) == (25, False, False)
    assert (config.user, config.password) == ("", "")


def test_smtps_is_implicit_tls_on_465() -> None:
    config = env.parse_email_url("smtps://u:p@mail.example.org", DATA_DIR)

    assert config.backend == "django.core.mail.backends.smtp.EmailBackend"
    assert (config.port, config.use_ssl, config.use_tls) == (465, True, False)


@pytest.mark.parametrize("url", ["", "console://"])
def test_console(url: str) -> None:
    config = env.parse_email_url(url, DATA_DIR)

    assert config == env.EmailConfig(backend="django.core.mail.backends.console.EmailBackend")


def test_memory() -> None:
    config = env.parse_email_url("memory://", DATA_DIR)

    assert config.backend == "django.core.mail.backends.locmem.EmailBackend"


def test_file_with_a_directory() -> None:
    config = env.parse_email_url("file:///var/spool/cerchia", DATA_DIR)

    assert config.backend == "django.core.mail.backends.filebased.EmailBackend"
    assert config.file_path == "/var/spool/cerchia"


def test_file_without_a_directory_writes_beside_the_data() -> None:
    config = env.parse_email_url("file://", DATA_DIR)

    assert config.file_path == str(DATA_DIR / "mail")


@pytest.mark.parametrize("url", ["http://mail.example.org", "sendmail://", "mail.example.org"])
def test_unsupported_email_url_is_refused(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        env.parse_email_url(url, DATA_DIR)


# --- Scalars ----------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "True", "YES", "on", " 1 "])
def test_true_booleans(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("CERCHIA_FLAG", raw)

    assert env.env_bool("CERCHIA_FLAG", default=False) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "OFF", ""])
def test_false_booleans(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("CERCHIA_FLAG", raw)

    assert env.env_bool("CERCHIA_FLAG", default=True) is False


@pytest.mark.parametrize("default", [True, False])
def test_missing_boolean_takes_the_default(monkeypatch: pytest.MonkeyPatch, default: bool) -> None:
    monkeypatch.delenv("CERCHIA_FLAG", raising=False)

    assert env.env_bool("CERCHIA_FLAG", default=default) is default


@pytest.mark.parametrize("raw", ["maybe", "2", "enabled"])
def test_ambiguous_boolean_is_refused(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("CERCHIA_FLAG", raw)

    with pytest.raises(ImproperlyConfigured, match="CERCHIA_FLAG must be a boolean"):
        env.env_bool("CERCHIA_FLAG")


def test_list_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CERCHIA_LIST", " example.org, .example.net ,, ")

    assert env.env_list("CERCHIA_LIST", ["default"]) == ["example.org", ".example.net"]


def test_missing_list_takes_a_copy_of_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CERCHIA_LIST", raising=False)
    default = ["localhost"]

    value = env.env_list("CERCHIA_LIST", default)

    assert value == ["localhost"]
    assert value is not default


def test_integer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CERCHIA_NUMBER", " 42 ")

    assert env.env_int("CERCHIA_NUMBER") == 42


def test_bad_integer_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CERCHIA_NUMBER", "forty-two")

    with pytest.raises(ImproperlyConfigured, match="CERCHIA_NUMBER must be a whole number"):
        env.env_int("CERCHIA_NUMBER")


# --- Module-level values, read once at import --------------------------------------


@pytest.fixture
def reload_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """env.py re-read under a patched environment, then restored for the other tests."""
    for name in ("DEBUG", "CERCHIA_DEV", "SECRET_KEY", "WS_URL", "CERCHIA_WS_PORT", "SITE_URL"):
        monkeypatch.delenv(name, raising=False)
    yield env
    monkeypatch.undo()
    importlib.reload(env)


def test_production_is_the_default(reload_env: ModuleType) -> None:
    importlib.reload(reload_env)

    assert reload_env.DEBUG is False
    assert reload_env.DEV_MODE is False
    assert reload_env.SECURE_COOKIES is True
    assert reload_env.WS_URL == ""
    assert reload_env.WS_PORT is None


def test_debug_implies_development_mode(
    reload_env: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEBUG", "1")
    importlib.reload(reload_env)

    assert reload_env.DEV_MODE is True
    assert reload_env.SECURE_COOKIES is False


def test_websocket_settings(reload_env: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WS_URL", "wss://live.example.org/ws/")
    monkeypatch.setenv("CERCHIA_WS_PORT", "8001")
    monkeypatch.setenv("SITE_URL", "https://example.org/")
    importlib.reload(reload_env)

    assert reload_env.WS_URL == "wss://live.example.org/ws/"
    assert reload_env.WS_PORT == 8001
    assert reload_env.SITE_URL == "https://example.org"


def test_testing_defaults_on_under_pytest(
    reload_env: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CERCHIA_TESTING", raising=False)
    importlib.reload(reload_env)

    assert reload_env.TESTING is True


def test_bad_boolean_stops_the_import(
    reload_env: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEBUG", "perhaps")

    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        importlib.reload(reload_env)

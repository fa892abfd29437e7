"""Settings: local defaults, URL normalisation, refusing placeholder secrets in production, and
a clear error (not an `assert`, which `python -O` strips) when a needed setting has no value."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from learning_app.adapters import redis_store
from learning_app.settings import ConfigurationError, Settings, normalise_database_url
from tests.conftest import TEST_DATABASE

REAL_SECRETS = {
    "public_base_url": "https://learn.example.com",
    "secret_key": "k" * 40,
    "typesense_api_key": "ts-real-key-123",
    "s3_secret_access_key": "r2-real-secret-456",
}


def test_defaults_point_at_the_local_stack() -> None:
    s = Settings(_env_file=None, stack_pg_port=6000, stack_redis_port=6001)
    # DATABASE_NAME is the test database conftest chose; the host and port are the stack's.
    assert s.database_url == f"postgresql+psycopg://postgres@127.0.0.1:6000/{TEST_DATABASE}"
    assert s.redis_url is not None
    assert s.upload_max_bytes == 50 * 1024 * 1024
    assert s.upload_allowed_types == ("pdf", "docx", "md", "txt")


@pytest.mark.parametrize(
    "given",
    ["postgres://u:p@db.example.com/app", "postgresql://u:p@db.example.com/app"],
)
def test_managed_database_urls_use_psycopg3(given: str) -> None:
    assert normalise_database_url(given) == "postgresql+psycopg://u:p@db.example.com/app"


def test_upload_types_come_from_a_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPLOAD_ALLOWED_TYPES", "PDF, md")
    assert Settings(_env_file=None).upload_allowed_types == ("pdf", "md")


def test_production_accepts_real_secrets() -> None:
    s = Settings(_env_file=None, app_env="production", **REAL_SECRETS)
    assert s.is_production


SECRET_FIELDS = sorted(set(REAL_SECRETS) - {"public_base_url"})


@pytest.mark.parametrize("field", SECRET_FIELDS)
@pytest.mark.parametrize("placeholder", ["", "changethis", "dev-secret-key", "localstack-secret"])
def test_production_refuses_placeholder_secrets(field: str, placeholder: str) -> None:
    values = {**REAL_SECRETS, field: placeholder}
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, app_env="production", **values)
    assert field.upper() in str(caught.value)


def test_production_refuses_a_short_secret_key() -> None:
    with pytest.raises(ValidationError, match="shorter than 32"):
        Settings(_env_file=None, app_env="production", **{**REAL_SECRETS, "secret_key": "short1"})


@pytest.mark.parametrize("url", ["http://learn.example.com", "http://localhost:3000"])
def test_production_refuses_a_plain_http_public_url(url: str) -> None:
    # The session cookie is only `Secure` (and HSTS only sent) when users come over https.
    with pytest.raises(ValidationError, match="PUBLIC_BASE_URL"):
        Settings(_env_file=None, app_env="production", **{**REAL_SECRETS, "public_base_url": url})


def test_development_allows_the_local_defaults() -> None:
    assert Settings(_env_file=None, app_env="development").secret_key == "dev-secret-key"


def test_the_cli_prints_one_line_for_a_placeholder_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from learning_app.cli import main
    from learning_app.settings import reset_settings_cache

    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "changethis")
    reset_settings_cache()
    try:
        assert main.main(["health"]) == 2
    finally:
        reset_settings_cache()
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "SECRET_KEY" in err


def test_a_missing_store_url_names_its_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=None)
    settings.redis_url = None  # the validator fills it; a later change could still clear it
    monkeypatch.setattr(redis_store, "get_settings", lambda: settings)
    with pytest.raises(ConfigurationError, match=r"^REDIS_URL is not set$"):
        redis_store.get_redis()


def test_a_missing_database_url_names_its_setting() -> None:
    settings = Settings(_env_file=None).model_copy(update={"database_url": None})
    with pytest.raises(ConfigurationError, match=r"^DATABASE_URL is not set$"):
        _ = settings.sqlalchemy_url


def test_run_ports_move_the_addresses_that_depend_on_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from learning_app.cli.main import port_addresses

    for name in ("PUBLIC_BASE_URL", "BACKEND_URL", "REFLEX_API_URL"):
        monkeypatch.delenv(name, raising=False)
    plain = Settings(_env_file=None)
    assert port_addresses(plain, prod=False, frontend_port=3300, backend_port=8300) == {
        "PUBLIC_BASE_URL": "http://localhost:3300",
        "BACKEND_URL": "http://localhost:8300",
    }
    assert port_addresses(plain, prod=False, frontend_port=None, backend_port=None) == {}
    # Production serves pages and backend on one port: files come from the pages' origin.
    assert port_addresses(plain, prod=True, frontend_port=None, backend_port=None) == {
        "BACKEND_URL": ""
    }
    named = Settings(
        _env_file=None, public_base_url="https://learn.example.org", backend_url=""
    )  # as the environment or .env would name them
    assert port_addresses(named, prod=True, frontend_port=3300, backend_port=8300) == {}

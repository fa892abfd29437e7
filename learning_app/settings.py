"""Every URL, key and limit the app reads, from the environment and `.env`.

Defaults point at the local stack started by `learning-app stack up`; production sets the URLs
of managed services and nothing else changes. No Reflex import here: the CLI, jobs and tests read
the same settings.
"""

from __future__ import annotations

import functools
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Self, TypeVar
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Values that must never reach production: the development defaults and the usual stand-ins.
PLACEHOLDER_SECRETS = frozenset(
    {
        "",
        "changethis",
        "change-me",
        "changeme",
        "secret",
        "dev-secret-key",
        "localstack-key",
        "localstack-secret",
        "password",
        "xxx",
        "todo",
    }
)

MiB = 1024 * 1024

LOOPBACK_TWINS = {"localhost": "127.0.0.1", "127.0.0.1": "localhost"}


class AppEnv(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class EmbeddingProvider(StrEnum):
    AUTO = "auto"
    LOCAL = "local"
    OPENAI = "openai"


class PlaceholderSecretError(ValueError):
    """A production setting still holds a development default or is empty."""


class ConfigurationError(RuntimeError):
    """A setting the app needs has no value; the message names its environment variable."""


_T = TypeVar("_T")


def required(value: _T | None, name: str) -> _T:
    """`value`, or ConfigurationError naming the setting `name` (e.g. "REDIS_URL is not set").

    An explicit check rather than `assert`, which `python -O` strips.
    """
    if value is None:
        raise ConfigurationError(f"{name} is not set")
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env", env_file_encoding="utf-8", extra="ignore"
    )

    app_env: AppEnv = AppEnv.DEVELOPMENT
    secret_key: str = "dev-secret-key"  # noqa: S105 - dev default, refused in production
    public_base_url: str = "http://localhost:3000"

    # Local stack: where `learning-app stack` keeps data and which loopback ports it binds.
    # Production never starts the stack; it sets the *_URL settings below instead.
    stack_dir: Path = PROJECT_ROOT / ".data" / "stack"
    stack_pg_port: int = 55432
    stack_redis_port: int = 56379
    stack_typesense_port: int = 58108
    stack_s3_port: int = 58333
    stack_smtp_port: int = 51025
    # The load balancer (HAProxy) in front of several app servers: started with
    # `stack up --lb`, by this setting, or by `run --prod --servers N`. It listens on
    # stack_lb_port and balances across stack_lb_servers servers on stack_app_port, +1, ...
    stack_lb: bool = False
    stack_lb_port: int = 8080
    stack_app_port: int = 8001
    stack_lb_servers: int = Field(default=2, ge=1, le=16)

    # Stores. None means "the local stack's address", filled in by `_fill_local_urls`.
    database_url: str | None = None
    database_name: str = "learning_app"
    redis_url: str | None = None
    typesense_url: str | None = None
    typesense_api_key: str = "localstack-key"
    # Prepended to every search collection and alias name, so tests (or several apps) can share
    # one Typesense without touching each other's index.
    search_prefix: str = Field(default="", pattern=r"^[a-z0-9_]*$", max_length=40)
    s3_endpoint_url: str | None = None
    s3_bucket: str = "learning-app"
    s3_access_key_id: str = "localstack"
    s3_secret_access_key: str = "localstack-secret"  # noqa: S105 - local stack only
    s3_region: str = "auto"

    # Background jobs: every app backend also runs a job worker unless this is false (then run
    # `learning-app worker` processes).
    jobs_in_app: bool = True

    # A click waits at most this long for the database (state/calls.py `call_with_session`):
    # for a row lock another transaction holds (a busy database, a long import), and for any
    # one statement. Past it the action fails with "busy, nothing was changed" instead of
    # spinning; jobs and the CLI have no such limit.
    interactive_lock_timeout_seconds: float = Field(default=5.0, gt=0)
    interactive_statement_timeout_seconds: float = Field(default=20.0, gt=0)

    # Units of work (a page action's transaction) that run at once per app worker; a unit that
    # waits on another process or server gives its slot up meanwhile (adapters/unit_slots.py).
    unit_of_work_slots: int = Field(default=2, ge=1, le=64)
    # Brief units (marked `on_event_loop`) run on the worker's event loop, without a thread,
    # while the database answers quickly (adapters/loop_units.py); false: always in threads.
    units_on_event_loop: bool = True

    # Processes per app worker that hash and check passwords (argon2id) at a lower CPU
    # priority (services/accounts/passwords.py); 0 checks them in the request's own thread.
    password_hash_processes: int = Field(default=1, ge=0, le=8)

    # OpenAI: used only when a key is set; otherwise local models answer.
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_chat_model: str = "gpt-4o-mini"
    openai_embedding_model: str = "text-embedding-3-small"
    # Seconds before a chat answer or an embedding request is given up (the tutor then answers
    # extractively with a notice).
    openai_timeout_seconds: float = Field(default=30.0, gt=0)
    # `auto`: OpenAI embeddings when OPENAI_API_KEY is set, else the offline MiniLM model.
    # (OPENAI_BASE_URL alone only switches the chat model: small local servers rarely embed.)
    embedding_provider: EmbeddingProvider = EmbeddingProvider.AUTO

    # The tutor's tiers, on the cosine of a passage's best one or two sentences (services/tutor/
    # ranking.py): below `tutor_min_similarity` the course does not treat the question; from
    # `tutor_answer_similarity` up it may answer it. Chosen on the tune half of the evaluation
    # set for the local MiniLM model (README); another embedding model needs its own.
    # HNSW searches look at `tutor_ef_search` candidates (more when the course is a small
    # share of the index). 100 gave recall@10 1.00 at 100k topic-clustered chunks.
    tutor_min_similarity: float = Field(default=0.34, ge=0, le=1)
    tutor_answer_similarity: float = Field(default=0.44, ge=0, le=1)
    tutor_ef_search: int = Field(default=100, ge=10, le=1000)

    # Mail: the local stack runs an SMTP sink; production points these at a real relay.
    smtp_host: str = "127.0.0.1"
    smtp_port: int | None = None
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_from: str = "Learning App <no-reply@learning-app.local>"

    # Uploads: enforced on the server (Reflex only limits size in the browser).
    upload_max_bytes: int = Field(default=50 * MiB, gt=0)
    # The bytes of course files one account may keep (admins are not limited): 20 full-size files.
    upload_quota_bytes: int = Field(default=1024 * MiB, gt=0)
    # Uploads are spooled here while they arrive; a periodic job removes any left over an hour.
    # A folder of the app's own, so that sweep can never touch another program's files.
    upload_spool_dir: Path = Field(
        default_factory=lambda: Path(tempfile.gettempdir()) / "learning-app-uploads"
    )
    upload_allowed_types: Annotated[tuple[str, ...], NoDecode] = ("pdf", "docx", "md", "txt")
    # Pictures for lessons (`![..](/files/<id>)`), stored as course files but never ingested.
    upload_image_types: Annotated[tuple[str, ...], NoDecode] = ("png", "jpg", "gif", "webp")
    # Where the backend answers `/files/<id>` for pages: "" when it shares the pages' origin
    # (production behind one host); the dev backend's own address otherwise.
    backend_url: str = Field(
        default="http://localhost:8000",
        validation_alias=AliasChoices("BACKEND_URL", "REFLEX_API_URL"),
    )

    @model_validator(mode="before")
    @classmethod
    def _split_upload_types(cls, data: dict) -> dict:
        for name in ("upload_allowed_types", "upload_image_types"):
            raw = data.get(name) if isinstance(data, dict) else None
            if isinstance(raw, str):
                data[name] = tuple(part.strip().lower() for part in raw.split(",") if part.strip())
        return data

    @model_validator(mode="after")
    def _fill_local_urls(self) -> Self:
        if self.database_url is None:
            self.database_url = (
                f"postgresql+psycopg://postgres@127.0.0.1:{self.stack_pg_port}/{self.database_name}"
            )
        self.database_url = normalise_database_url(self.database_url)
        if self.redis_url is None:
            self.redis_url = f"redis://127.0.0.1:{self.stack_redis_port}/0"
        if self.typesense_url is None:
            self.typesense_url = f"http://127.0.0.1:{self.stack_typesense_port}"
        if self.s3_endpoint_url is None:
            self.s3_endpoint_url = f"http://127.0.0.1:{self.stack_s3_port}"
        if self.smtp_port is None:
            self.smtp_port = self.stack_smtp_port
        return self

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Self:
        if self.app_env is not AppEnv.PRODUCTION:
            return self
        secrets = {
            "SECRET_KEY": self.secret_key,
            "TYPESENSE_API_KEY": self.typesense_api_key,
            "S3_SECRET_ACCESS_KEY": self.s3_secret_access_key,
        }
        bad = [name for name, value in secrets.items() if is_placeholder(value)]
        if len(self.secret_key) < 32 and "SECRET_KEY" not in bad:
            bad.append("SECRET_KEY (shorter than 32 characters)")
        if not self.served_over_https:
            # Over plain http the session cookie could not be `Secure` and would travel in clear.
            bad.append("PUBLIC_BASE_URL (an https:// address)")
        if bad:
            raise PlaceholderSecretError(
                "APP_ENV=production needs real secrets; set " + ", ".join(bad)
            )
        return self

    @property
    def is_production(self) -> bool:
        return self.app_env is AppEnv.PRODUCTION

    @property
    def served_over_https(self) -> bool:
        """Users reach the app over https: cookies are `Secure` and HSTS is sent."""
        return self.public_base_url.lower().startswith("https://")

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """The origins whose pages may call the backend with the user's cookie (CORS) and open
        its websocket: the public address's, and in development its loopback twin (a page
        opened at 127.0.0.1 instead of localhost)."""
        parts = urlsplit(self.public_base_url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        default_port = {"http": 80, "https": 443}.get(scheme)
        port = f":{parts.port}" if parts.port and parts.port != default_port else ""
        hosts = [host]
        if not self.is_production and host in LOOPBACK_TWINS:
            hosts.append(LOOPBACK_TWINS[host])
        return tuple(f"{scheme}://{name}{port}" for name in hosts)

    @property
    def uses_openai_embeddings(self) -> bool:
        if self.embedding_provider is EmbeddingProvider.AUTO:
            return bool(self.openai_api_key)
        return self.embedding_provider is EmbeddingProvider.OPENAI

    @property
    def chat_configured(self) -> bool:
        """An LLM answers when there is an OpenAI key or any OpenAI-compatible server."""
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def sqlalchemy_url(self) -> str:
        return required(self.database_url, "DATABASE_URL")

    @property
    def libpq_url(self) -> str:
        """The database URL without the SQLAlchemy driver suffix (for psycopg, procrastinate)."""
        return self.sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def is_placeholder(value: str | None) -> bool:
    return value is None or value.strip().lower() in PLACEHOLDER_SECRETS


def normalise_database_url(url: str) -> str:
    """Accept the URL forms managed providers hand out and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@functools.cache
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    """Forget the cached settings (tests and the CLI change the environment)."""
    get_settings.cache_clear()

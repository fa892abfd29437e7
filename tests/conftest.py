"""Shared fixtures: the real local stack, a fresh test database, and clean stores per test.

Tests never mock our own stores. They run against the stack that `learning-app stack up` starts
(the fixture starts it if needed), but in their own database, Redis DB and bucket, so a developer's
demo data is never touched.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

# Overridable so two checkouts can run their suites side by side on one stack.
TEST_DATABASE = os.environ.get("TEST_DATABASE_NAME", "learning_app_test")
TEST_BUCKET = os.environ.get("TEST_S3_BUCKET", "learning-app-test")

# Point everything at the test namespaces before any app module reads its settings.
os.environ["APP_ENV"] = "test"
os.environ["DATABASE_NAME"] = TEST_DATABASE
os.environ["S3_BUCKET"] = TEST_BUCKET
os.environ.pop("DATABASE_URL", None)
# Search collections and aliases of this test database, apart from the dev index.
os.environ["SEARCH_PREFIX"] = "".join(c if c.isalnum() else "_" for c in TEST_DATABASE) + "_"
# Upload spools of this suite, apart from the app's and other checkouts' suites: the hostile
# suite checks that a refused or aborted upload leaves no file there.
os.environ["UPLOAD_SPOOL_DIR"] = os.path.join(
    tempfile.gettempdir(), f"learning-app-uploads-{TEST_DATABASE}"
)

from learning_app.settings import Settings, get_settings, reset_settings_cache  # noqa: E402

reset_settings_cache()
_settings = get_settings()
os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:{_settings.stack_redis_port}/1")
reset_settings_cache()


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def running_stack(settings: Settings) -> Iterator[Settings]:
    """The local stack, started if it is not running yet (idempotent)."""
    from learning_app.adapters.typesense_store import close_search_clients
    from learning_app.stack import launcher

    launcher.up(settings)
    yield settings
    close_search_clients()


@pytest.fixture(scope="session")
def pg_admin_url(running_stack: Settings) -> str:
    """The maintenance database of the stack's server, for creating scratch databases."""
    return running_stack.sqlalchemy_url.rsplit("/", 1)[0] + "/postgres"


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def recreate_database(admin_url: str, name: str) -> None:
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="session")
def database(pg_admin_url: str, running_stack: Settings) -> Iterator[str]:
    """A fresh test database at the latest migration; yields its SQLAlchemy URL."""
    from learning_app.adapters.postgres import dispose_engines
    from learning_app.cli.support import migrate

    recreate_database(pg_admin_url, TEST_DATABASE)
    migrate()
    yield running_stack.sqlalchemy_url
    dispose_engines()


@pytest.fixture(scope="session")
def job_worker(database: str) -> Iterator[None]:
    """A real `learning-app worker` process on the test database, for mail only: tests of other
    queues run their jobs themselves, and a worker racing them would make them flaky. It defers
    no periodic job either (none is in the mail queue): it used to queue the search drift check
    every ten minutes, which a search test then found waiting."""
    import signal
    import subprocess
    import sys

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "learning_app.cli",
            "worker",
            "--concurrency",
            "4",
            "--queues",
            "mail",
        ],
        start_new_session=True,
    )
    yield
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()


@pytest.fixture
def clean_db(database: str) -> Iterator[str]:
    """Every app table empty before the test (TRUNCATE is fast on a small schema)."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError
    from sqlmodel import SQLModel

    import learning_app.models  # noqa: F401 - registers every table
    from learning_app.adapters.postgres import get_engine

    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    for attempt in range(5):
        try:
            with get_engine().begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            break
        except OperationalError:
            # A running app's job worker (the browser tests') can hold a row lock that makes
            # TRUNCATE the deadlock victim; it is free again a moment later.
            if attempt == 4:
                raise
            time.sleep(0.5)
    yield database


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def s3_bucket(running_stack: Settings) -> str:
    """The test bucket, created on the stack's S3 server if missing."""
    from botocore.exceptions import ClientError

    from learning_app.adapters.s3_store import get_s3

    client = get_s3()
    try:
        client.head_bucket(Bucket=running_stack.s3_bucket)
    except ClientError:
        client.create_bucket(Bucket=running_stack.s3_bucket)
    return running_stack.s3_bucket

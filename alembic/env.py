"""Alembic environment: the app's settings give the URL, SQLModel.metadata the target schema.

Where the database comes from, first match wins:
1. `config.attributes["connection"]`: an open SQLAlchemy Connection handed in by code
   (tests, the CLI); it is used as is and not closed here.
2. `-x url=...` on the command line (`alembic -x url=postgresql://... upgrade head`).
3. `sqlalchemy.url` set on the Config object by code (`cfg.set_main_option(...)`); alembic.ini
   deliberately holds no URL.
4. `learning_app.settings.get_settings().sqlalchemy_url` (DATABASE_URL or the local stack).
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

import sqlalchemy as sa
from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import learning_app.models  # noqa: F401  (fills SQLModel.metadata)
from learning_app.models.base import alembic_include_object
from learning_app.settings import get_settings, normalise_database_url

config = context.config

# Code that already configured logging (pytest, the CLI) sets attributes["configure_logger"].
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata

CONTEXT_OPTIONS: dict[str, Any] = {
    "target_metadata": target_metadata,
    "compare_type": True,
    "include_object": alembic_include_object,
}


def database_url() -> str:
    x_url = context.get_x_argument(as_dictionary=True).get("url")
    if x_url:
        return normalise_database_url(x_url)
    ini_url = config.get_main_option("sqlalchemy.url")
    if ini_url:
        return normalise_database_url(ini_url)
    return get_settings().sqlalchemy_url


def skip_empty_autogenerate(context_, revision, directives) -> None:
    """`alembic revision --autogenerate` with no changes writes no file."""
    del context_, revision
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        print("No schema changes detected; no revision written.")


def run_migrations_offline() -> None:
    """`alembic upgrade --sql`: print the SQL instead of running it."""
    context.configure(
        url=database_url(),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **CONTEXT_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_with_connection(connection: Connection) -> None:
    context.configure(
        connection=connection,
        process_revision_directives=skip_empty_autogenerate,
        **CONTEXT_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with_connection(connection)
        return
    engine = sa.create_engine(database_url(), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            run_with_connection(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

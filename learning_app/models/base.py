"""Shared building blocks for the table modules: naming convention, ids, timestamps, enums.

Every table module imports this one first, so the naming convention below is in place before
any table is defined. Constraint and index names are therefore deterministic, which keeps
Alembic revisions reproducible and lets later revisions drop constraints by name.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLModel.metadata is the one MetaData all tables share (Alembic targets it).
SQLModel.metadata.naming_convention = NAMING_CONVENTION

# Per-model HNSW indexes on lesson_chunk are created at run time (see models.chunks), so
# Alembic must neither create nor drop them.
HNSW_INDEX_PREFIX = "ix_lesson_chunk_hnsw_"


# The clock port: None in the app (the real time). Only `learning-app seed` sets it, to write the
# demo world's 30 days of history through the same services as real use (services/demo/).
_SIMULATED_NOW: ContextVar[datetime | None] = ContextVar("simulated_now", default=None)


def utc_now() -> datetime:
    """The current time, timezone-aware (UTC), or the moment `simulated_clock` set."""
    return _SIMULATED_NOW.get() or datetime.now(UTC)


@contextmanager
def simulated_clock(moment: datetime) -> Iterator[None]:
    """Make `utc_now()` (and every Python-side timestamp default) return `moment` inside the
    block, in this thread or task only. Database-side defaults (`now()`) still read the real
    clock, so a service that relies on one is told the moment explicitly."""
    if moment.tzinfo is None:
        raise ValueError("simulated_clock needs a timezone-aware moment")
    reset = _SIMULATED_NOW.set(moment)
    try:
        yield
    finally:
        _SIMULATED_NOW.reset(reset)


def enum_values(enum_cls: type[enum.Enum]) -> list[str]:
    """Database labels of an enum: the members' lowercase values, not their names."""
    return [str(member.value) for member in enum_cls]


def pg_enum(enum_cls: type[enum.StrEnum], name: str) -> sa.Enum:
    """A native PostgreSQL enum type called `name` whose labels are the members' values."""
    return sa.Enum(enum_cls, name=name, values_callable=enum_values)


def uuid_pk() -> Any:
    """A UUID primary key: generated in Python (ids exist before flush) and by the database."""
    return Field(
        default_factory=uuid.uuid4,
        primary_key=True,
        sa_column_kwargs={"server_default": sa.text("gen_random_uuid()")},
    )


def created_at_field(*, index: bool = True) -> Any:
    """When the row was created (timezone-aware, server default now())."""
    return Field(
        default_factory=utc_now,
        nullable=False,
        index=index,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()},
    )


def updated_at_field() -> Any:
    """When the row last changed; refreshed by the ORM on every UPDATE it issues."""
    return Field(
        default_factory=utc_now,
        nullable=False,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now(), "onupdate": utc_now},
    )


def timestamp_field(*, index: bool = False) -> Any:
    """An optional timezone-aware moment (NULL until it happens)."""
    return Field(default=None, nullable=True, index=index, sa_type=sa.DateTime(timezone=True))


# Procrastinate's job queue tables live in the same database but are not our models
# (alembic/versions/0002_job_queue.py creates them).
JOB_QUEUE_PREFIX = "procrastinate_"


def ordered_positions(table: str, parent: str) -> tuple[sa.UniqueConstraint, sa.CheckConstraint]:
    """An ordered list's `position` column: unique per `parent`, but checked at COMMIT
    (DEFERRABLE INITIALLY DEFERRED) so a reorder can rewrite every position in one transaction,
    and never negative."""
    return (
        sa.UniqueConstraint(
            parent,
            "position",
            name=f"uq_{table}_{parent}_position",
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.CheckConstraint("position >= 0", name="position_not_negative"),
    )


def alembic_include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic `include_object` hook: skip the run-time HNSW indexes of lesson_chunk and the
    job queue's tables."""
    del obj, reflected, compare_to
    if name is None:
        return True
    if type_ == "index":
        return not name.startswith(HNSW_INDEX_PREFIX)
    # An excluded table's columns, indexes and constraints are not compared either.
    return not (type_ == "table" and name.startswith(JOB_QUEUE_PREFIX))

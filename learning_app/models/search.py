"""Search synonyms: groups of words that search treats as the same (e.g. "py", "python").

Postgres is the source of truth; the search index receives them through the sync job, and a
reindex copies them into each new collection.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from learning_app.models.base import created_at_field, uuid_pk


class SearchSynonym(SQLModel, table=True):
    """One group of interchangeable words (2-10, lower case), written by a teacher or admin."""

    __tablename__ = "search_synonym"
    __table_args__ = (
        sa.CheckConstraint(
            "jsonb_typeof(words) = 'array' AND jsonb_array_length(words) >= 2",
            name="words_is_a_group",
        ),
    )

    id: uuid.UUID = uuid_pk()
    words: list[str] = Field(sa_type=JSONB)
    created_by: uuid.UUID | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL", index=True
    )
    created_at: datetime = created_at_field()

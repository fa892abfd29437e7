"""Share links: a secret URL that lets a visitor open one course or lesson."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from learning_app.models.base import created_at_field, pg_enum, timestamp_field, uuid_pk


class ShareEntityType(StrEnum):
    COURSE = "course"
    LESSON = "lesson"


class ShareVisibility(StrEnum):
    """`public`: anyone with the link; `signed_in`: the link plus any signed-in account."""

    PUBLIC = "public"
    SIGNED_IN = "signed_in"


class SharedToken(SQLModel, table=True):
    """A share link for a course or a lesson.

    Only a SHA-256 of the token is stored (`token_hash`, lowercase hex). The raw token is a
    random secret shown to its creator once, when the link is made, and never again; a visit
    hashes the token from the URL and looks the hash up. A leak of this table therefore
    cannot be turned into working links. A link works while `revoked_at` is NULL and
    `expires_at` is NULL or in the future.

    `entity_id` is polymorphic (a course id or a lesson id depending on `entity_type`), so it
    has no foreign key: PostgreSQL cannot point one column at two tables. The services that
    delete a course or a lesson delete its share links in the same transaction, and resolving
    a link whose target no longer exists answers "link not found", so a stray row never
    exposes anything. Links die with their creator's account (CASCADE on `created_by`).
    """

    __tablename__ = "shared_token"
    __table_args__ = (
        sa.Index("ix_shared_token_entity", "entity_type", "entity_id"),
        sa.CheckConstraint("token_hash ~ '^[0-9a-f]{64}$'", name="token_hash_hex"),
        sa.CheckConstraint("view_count >= 0", name="view_count_not_negative"),
        sa.CheckConstraint(
            "expires_at IS NULL OR expires_at > created_at", name="expires_after_created"
        ),
    )

    id: uuid.UUID = uuid_pk()
    entity_type: ShareEntityType = Field(sa_type=pg_enum(ShareEntityType, "share_entity_type"))
    entity_id: uuid.UUID
    token_hash: str = Field(sa_type=sa.CHAR(64), unique=True)
    visibility: ShareVisibility = Field(
        default=ShareVisibility.PUBLIC,
        sa_type=pg_enum(ShareVisibility, "share_visibility"),
        sa_column_kwargs={"server_default": ShareVisibility.PUBLIC.value},
    )
    created_by: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    created_at: datetime = created_at_field()
    expires_at: datetime | None = timestamp_field()
    revoked_at: datetime | None = timestamp_field()
    view_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_viewed_at: datetime | None = timestamp_field()

"""Uploaded files: the bytes live in S3, this table holds what we know about them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from learning_app.models.base import (
    created_at_field,
    pg_enum,
    timestamp_field,
    updated_at_field,
    uuid_pk,
)


class DocumentStatus(StrEnum):
    """uploaded -> processing (text extraction, chunking, embedding) -> ready | failed."""

    UPLOADED = "uploaded"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class Document(SQLModel, table=True):
    """An uploaded file and its processing state.

    A document is attached to a course (course material), to a lesson (lesson material, seen
    in every course containing the lesson), or to neither (personal files such as avatars),
    never to both (check constraint `one_parent`).

    ON DELETE: the course/lesson it is attached to owns it (CASCADE), so the services that
    delete courses or lessons must enqueue the S3 deletes of their documents in the same
    transaction. The uploader is RESTRICT: course material outlives a teacher's account, and a
    cascade would silently leave S3 objects nobody can find; deleting a user goes through a
    service that hands course files over and deletes personal files with their S3 objects.

    `sha256` (lowercase hex) is indexed so re-uploads of the same bytes can be recognised.
    """

    __tablename__ = "document"
    __table_args__ = (
        sa.CheckConstraint("num_nonnulls(course_id, lesson_id) <= 1", name="one_parent"),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
        sa.CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        sa.CheckConstraint("status <> 'failed' OR error IS NOT NULL", name="failed_has_error"),
    )

    id: uuid.UUID = uuid_pk()
    owner_id: uuid.UUID = Field(foreign_key="user.id", ondelete="RESTRICT", index=True)
    course_id: uuid.UUID | None = Field(
        default=None, foreign_key="course.id", ondelete="CASCADE", index=True
    )
    lesson_id: uuid.UUID | None = Field(
        default=None, foreign_key="lesson.id", ondelete="CASCADE", index=True
    )
    s3_key: str = Field(max_length=1024, unique=True)
    filename: str = Field(max_length=255)
    size_bytes: int = Field(sa_type=sa.BigInteger)
    mime_type: str = Field(max_length=255)
    sha256: str = Field(sa_type=sa.CHAR(64), index=True)
    status: DocumentStatus = Field(
        default=DocumentStatus.UPLOADED,
        index=True,
        sa_type=pg_enum(DocumentStatus, "document_status"),
        sa_column_kwargs={"server_default": DocumentStatus.UPLOADED.value},
    )
    error: str | None = Field(default=None, sa_type=sa.Text)
    page_count: int | None = Field(default=None)
    processed_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()

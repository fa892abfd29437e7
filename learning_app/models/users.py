"""Accounts: who can sign in (`user`) and how they appear in the product (`user_profile`)."""

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


class UserRole(StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    ADMIN = "admin"


class User(SQLModel, table=True):
    """A sign-in identity.

    Email uniqueness is case-insensitive and enforced by the database: the address is stored
    as the user typed it (trimmed; the check below refuses surrounding spaces) so mail goes to
    exactly what they entered, and the unique index on `lower(email)` makes `Foo@x.com` and
    `foo@x.com` one account. Look users up with `func.lower(User.email) == email.lower()` so
    that index is used. (No citext: the only extension available is `vector`.)

    `password_hash` is NULL for accounts that only sign in with magic links.
    """

    __tablename__ = "user"
    __table_args__ = (
        sa.Index("ux_user_email_lower", sa.text("lower(email)"), unique=True),
        sa.CheckConstraint(
            "email = btrim(email) AND position('@' in email) > 1", name="email_shape"
        ),
    )

    id: uuid.UUID = uuid_pk()
    email: str = Field(max_length=320)
    password_hash: str | None = Field(default=None, max_length=255)
    email_verified_at: datetime | None = timestamp_field()
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    last_login_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class UserProfile(SQLModel, table=True):
    """What the product shows about a user, and their role. One row per user.

    `xp` is the user's experience points total; streaks and other counters live in
    `user_stats` (models.progress). Both are written only by the progress service, which
    holds the XP rules.
    """

    __tablename__ = "user_profile"
    __table_args__ = (
        sa.CheckConstraint("btrim(display_name) <> ''", name="display_name_not_blank"),
        sa.CheckConstraint("xp >= 0", name="xp_not_negative"),
    )

    user_id: uuid.UUID = Field(primary_key=True, foreign_key="user.id", ondelete="CASCADE")
    role: UserRole = Field(
        default=UserRole.STUDENT,
        index=True,
        sa_type=pg_enum(UserRole, "user_role"),
        sa_column_kwargs={"server_default": UserRole.STUDENT.value},
    )
    display_name: str = Field(max_length=100)
    xp: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    bio: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    timezone: str = Field(default="UTC", max_length=64, sa_column_kwargs={"server_default": "UTC"})
    # The avatar image is an uploaded document; losing the file must not delete the profile.
    avatar_document_id: uuid.UUID | None = Field(
        default=None, foreign_key="document.id", ondelete="SET NULL", index=True
    )
    created_at: datetime = created_at_field(index=False)
    updated_at: datetime = updated_at_field()

"""Admin tasks on accounts: list and search users, grant and withdraw roles (as `UserRow`s)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from learning_app.models.users import User, UserProfile, UserRole
from learning_app.services.access.roles import require_admin, require_viewer
from learning_app.services.errors import InvalidInput, NotFound

MAX_LIST_LIMIT = 500
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class UserRow:
    """One line of the admin user list."""

    user_id: str
    email: str
    display_name: str
    role: str
    email_verified: bool
    created_at: str  # ISO date


def _row(user: User, profile: UserProfile) -> UserRow:
    return UserRow(
        user_id=str(user.id),
        email=user.email,
        display_name=profile.display_name,
        role=UserRole(profile.role).value,
        email_verified=user.email_verified_at is not None,
        created_at=user.created_at.date().isoformat(),
    )


def _like_pattern(query: str) -> str:
    """A substring pattern where the user's % and _ match themselves, not anything."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_users(session: Session, *, token: str, query: str = "", limit: int = 100) -> list[UserRow]:
    """Users whose email or display name contains `query` (case-insensitive), newest first."""
    require_admin(require_viewer(session, token))
    statement = select(User, UserProfile).join(
        UserProfile,
        UserProfile.user_id == User.id,  # type: ignore[arg-type]
    )
    text = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if text:
        pattern = _like_pattern(text)
        statement = statement.where(
            or_(
                col(User.email).ilike(pattern, escape="\\"),
                col(UserProfile.display_name).ilike(pattern, escape="\\"),
            )
        )
    statement = statement.order_by(col(User.created_at).desc(), col(User.email)).limit(
        max(1, min(limit, MAX_LIST_LIMIT))
    )
    return [_row(user, profile) for user, profile in session.exec(statement).all()]


def set_role(session: Session, *, token: str, user_id: str, role: str) -> UserRow:
    """Give a user another role (admins only). The last admin cannot be demoted."""
    require_admin(require_viewer(session, token))
    try:
        new_role = UserRole(role)
    except ValueError as exc:
        raise InvalidInput("Choose student, teacher or admin.", field="role") from exc
    try:
        target_id = uuid.UUID(str(user_id))
    except ValueError as exc:
        raise InvalidInput("That is not a user id.", field="user_id") from exc

    # Lock every admin profile: two admins demoting each other at once must not leave none.
    admin_ids = set(
        session.exec(
            select(UserProfile.user_id)
            .join(User, User.id == UserProfile.user_id)  # type: ignore[arg-type]
            .where(UserProfile.role == UserRole.ADMIN, col(User.is_active))
            .with_for_update(of=UserProfile)  # type: ignore[arg-type]
        ).all()
    )
    row = session.exec(
        select(User, UserProfile)
        .join(UserProfile, UserProfile.user_id == User.id)  # type: ignore[arg-type]
        .where(User.id == target_id)
        .with_for_update(of=UserProfile)  # type: ignore[arg-type]
    ).first()
    if row is None:
        raise NotFound("There is no such user.")
    user, profile = row
    if new_role is not UserRole.ADMIN and admin_ids == {user.id}:
        raise InvalidInput(
            "This is the last admin. Make someone else an admin first.", field="role"
        )
    if profile.role != new_role:
        profile.role = new_role
        session.add(profile)
        session.flush()
    return _row(user, profile)

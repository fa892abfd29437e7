"""Who is signed in: the `Viewer` that every action resolves from its session token, and the
account rows behind it.

Kept apart from sign-up and sign-in because every page and service call goes through
`viewer_for_session`, while the account flows are rare; its statement is built once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func
from sqlmodel import Session, select

from learning_app.adapters.postgres import on_event_loop, reads_only
from learning_app.models.users import User, UserProfile, UserRole
from learning_app.services.accounts import sessions
from learning_app.services.errors import PermissionDenied

SIGNED_OUT_MESSAGE = "Please sign in first."
# session.info key: the viewer a unit of work resolved for its session token (`note_viewer`).
_NOTED_VIEWER = "accounts.noted_viewer"


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as states see it (safe to keep in client state)."""

    user_id: str
    email: str
    display_name: str
    role: str  # "student" | "teacher" | "admin"
    email_verified: bool
    # The profile's time zone name, loaded with the viewer; None when it was not loaded.
    timezone: str | None = None


def viewer_of(user: User, profile: UserProfile) -> Viewer:
    return viewer_from_columns(
        user.id,
        user.email,
        profile.display_name,
        profile.role,
        user.email_verified_at,
        profile.timezone,
    )


def viewer_from_columns(
    user_id: uuid.UUID,
    email: str,
    display_name: str,
    role: str,
    verified_at: datetime | None,
    timezone: str,
) -> Viewer:
    """A Viewer from its account's columns, whether loaded as entities or as a row."""
    return Viewer(
        user_id=str(user_id),
        email=email,
        display_name=display_name,
        role=UserRole(role).value,
        email_verified=verified_at is not None,
        timezone=timezone,
    )


def load_account(session: Session, user_id: uuid.UUID) -> tuple[User, UserProfile] | None:
    row = session.exec(
        select(User, UserProfile)
        .join(UserProfile, UserProfile.user_id == User.id)  # type: ignore[arg-type]
        .where(User.id == user_id)
    ).first()
    return (row[0], row[1]) if row else None


def find_account_by_email(session: Session, email: str) -> User | None:
    # lower(email) matches the unique index ux_user_email_lower.
    return session.exec(select(User).where(func.lower(User.email) == email.lower())).first()


def _active_account(session: Session, token: str | None) -> tuple[User, UserProfile] | None:
    """The account behind a session token; None if signed out, unknown or deactivated."""
    user_id = sessions.resolve_session(token)
    loaded = load_account(session, user_id) if user_id else None
    return loaded if loaded is not None and loaded[0].is_active else None


def signed_in(session: Session, token: str | None) -> tuple[User, UserProfile]:
    """The active account behind a session token; PermissionDenied if there is none."""
    loaded = _active_account(session, token)
    if loaded is None:
        raise PermissionDenied(SIGNED_OUT_MESSAGE)
    return loaded


# What a Viewer is made of (its time zone included: pages that show times would otherwise read
# it in a statement of their own), as plain columns of an active user: every action resolves its
# viewer, and loading two ORM entities (with the password hash) for six values cost more than
# the query. Built once, with the user id bound: building it per call cost another third.
# `viewer_from_columns`' columns after the user id, in its order; `access.viewing` joins them
# to the first rows an action reads.
VIEWER_COLUMNS = (
    User.email,
    UserProfile.display_name,
    UserProfile.role,
    User.email_verified_at,
    UserProfile.timezone,
)
_ACTIVE_VIEWER = (
    select(*VIEWER_COLUMNS)  # type: ignore[call-overload]
    .join(UserProfile, UserProfile.user_id == User.id)  # type: ignore[arg-type]
    .where(User.id == bindparam("user_id"), User.is_active)
)


def note_viewer(session: Session, token: str | None, viewer: Viewer | None) -> Viewer | None:
    """Keep what this unit of work found behind `token` (None: nobody signed in with it), for
    `noted_viewer`; returns `viewer`."""
    session.info[_NOTED_VIEWER] = (token, viewer)
    return viewer


def noted_viewer(session: Session) -> tuple[str | None, Viewer | None] | None:
    """(token, viewer) as this unit of work last resolved them, if it did. A page's first load
    shows that viewer in the navbar rather than resolving it in a unit of its own
    (`state.auth.opens_page`)."""
    return session.info.get(_NOTED_VIEWER)


@on_event_loop()
@reads_only
def viewer_for_session(session: Session, token: str | None) -> Viewer | None:
    """The signed-in user of a session token; None if signed out, unknown or deactivated."""
    user_id = sessions.resolve_session(token)
    if user_id is None:
        return note_viewer(session, token, None)
    row = session.exec(_ACTIVE_VIEWER, params={"user_id": user_id}).first()
    return note_viewer(
        session, token, viewer_from_columns(user_id, *row) if row is not None else None
    )

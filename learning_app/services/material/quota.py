"""The upload quota: the bytes of files one account may keep (`UPLOAD_QUOTA_BYTES`).

What counts is the size of every `document` row the account uploaded, in any course: a file
deleted frees its room, the same bytes uploaded twice to a course count once (they are stored
once). Admins are not limited: they bulk-import with `learning-app ingest`, and an admin
account can change the setting anyway.

An upload is measured three times: before a byte is spooled (no room left at all), while it
streams (it would not fit: refused at once, not after 50 MB have arrived), and before it is
stored, under a lock on the account's row, so two uploads at once cannot both take the last
room.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import Session, select

from learning_app.models.documents import Document
from learning_app.models.users import User
from learning_app.services.access.roles import is_admin
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.errors import DomainError
from learning_app.services.values import size_label
from learning_app.settings import get_settings

MAKE_ROOM = "Delete files you no longer need to make room."


class UploadQuotaExceeded(DomainError):
    default_message = f"Your upload quota is used up. {MAKE_ROOM}"


def quota_full() -> UploadQuotaExceeded:
    quota = size_label(get_settings().upload_quota_bytes)
    return UploadQuotaExceeded(f"You have used all of your {quota} upload quota. {MAKE_ROOM}")


def does_not_fit(filename: str, room: int) -> UploadQuotaExceeded:
    quota = size_label(get_settings().upload_quota_bytes)
    return UploadQuotaExceeded(
        f"{filename} does not fit in your upload quota ({size_label(room)} of {quota} left). "
        + MAKE_ROOM
    )


def used_bytes(session: Session, user_id: uuid.UUID) -> int:
    total = session.exec(
        select(func.coalesce(func.sum(Document.size_bytes), 0)).where(Document.owner_id == user_id)
    ).one()
    return int(total)


def room_left(session: Session, viewer: Viewer) -> int | None:
    """The bytes the viewer may still upload; None when they are not limited (admins)."""
    if is_admin(viewer):
        return None
    left = get_settings().upload_quota_bytes - used_bytes(session, uuid.UUID(viewer.user_id))
    return max(0, left)


def require_room(session: Session, viewer: Viewer, filename: str, size: int) -> None:
    """UploadQuotaExceeded unless a new file of `size` bytes fits in the viewer's quota."""
    room = room_left(session, viewer)
    if room is not None and size > room:
        raise does_not_fit(filename, room)


def lock_account(session: Session, viewer: Viewer) -> None:
    """Hold the uploader's row until the transaction ends: their uploads are recorded one at a
    time, each measuring what the previous one left."""
    session.exec(select(User.id).where(User.id == uuid.UUID(viewer.user_id)).with_for_update())

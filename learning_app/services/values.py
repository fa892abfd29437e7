"""Values every area parses or writes the same way: ids from the browser, timestamps for it."""

from __future__ import annotations

import uuid
from datetime import datetime

from learning_app.services.errors import NotFound


def parse_id(raw: str | uuid.UUID | None, message: str = "We could not find that.") -> uuid.UUID:
    """The UUID in `raw`; NotFound for anything that is not one (a bad id names nothing)."""
    if isinstance(raw, uuid.UUID):
        return raw
    try:
        return uuid.UUID(str(raw or "").strip())
    except ValueError as exc:
        raise NotFound(message) from exc


def iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def size_label(size: int) -> str:
    """A byte count as people read it: '812 bytes', '3.4 KB', '50.0 MB', '1.0 GB'."""
    if size < 1024:
        return count_label(size, "byte")
    amount = float(size)
    for unit in ("KB", "MB", "GB"):
        amount /= 1024
        if amount < 1024 or unit == "GB":
            break
    return f"{amount:.1f} {unit}"


def count_label(count: int, singular: str, plural: str | None = None) -> str:
    """ "1 lesson", "0 lessons", "3 lessons": the noun agrees with the number (`plural`
    defaults to `singular` + "s"; give it for "1 quiz" / "2 quizzes")."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"

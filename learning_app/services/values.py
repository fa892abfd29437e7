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

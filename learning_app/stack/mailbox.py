"""Read the messages the development SMTP sink saved (a dev-only mailbox page, browser tests).

Plain functions over the sink's folder; no server is involved, so they work whether or not the
sink runs.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from learning_app.settings import Settings

# `<ns-timestamp>-<uuid hex>`: anything else (e.g. "../x" from a URL) is not a message id.
_ID = re.compile(r"^(\d{19,20})-([0-9a-f]{32})$")


@dataclass(frozen=True)
class StoredMail:
    """One received message. `recipients` are the envelope recipients (Bcc included)."""

    id: str
    sender: str
    recipients: tuple[str, ...]
    subject: str
    date: datetime  # the Date header, else the time the sink received it (timezone-aware)
    received_at: datetime
    text: str  # the plain-text body ("" if the message has only HTML)
    html: str | None


def mail_dir(settings: Settings) -> Path:
    """Where the local stack's sink saves messages."""
    return settings.stack_dir / "mail"


def list_messages(directory: Path | str, recipient: str | None = None) -> list[StoredMail]:
    """Every saved message, oldest first; only those addressed to `recipient` if given."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    messages = []
    for path in sorted(folder.glob("*.eml")):
        mail = _load(path)
        if mail is None:
            continue
        if recipient is None or recipient.lower() in (r.lower() for r in mail.recipients):
            messages.append(mail)
    return messages


def read_message(directory: Path | str, message_id: str) -> StoredMail | None:
    """One message by id, or None if there is no such message (or the id is malformed)."""
    if not _ID.match(message_id):
        return None
    return _load(Path(directory) / f"{message_id}.eml")


def read_raw(directory: Path | str, message_id: str) -> bytes | None:
    """The message exactly as saved (with the sink's X-Envelope-* headers first)."""
    if not _ID.match(message_id):
        return None
    try:
        return (Path(directory) / f"{message_id}.eml").read_bytes()
    except OSError:
        return None


def clear_messages(directory: Path | str) -> int:
    """Delete every saved message; returns how many were removed."""
    removed = 0
    for path in Path(directory).glob("*.eml"):
        if _ID.match(path.stem):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _load(path: Path) -> StoredMail | None:
    match = _ID.match(path.stem)
    if match is None:
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    received_at = datetime.fromtimestamp(int(match.group(1)) / 1e9, tz=UTC)
    return StoredMail(
        id=path.stem,
        sender=_sender(msg),
        recipients=_recipients(msg),
        subject=str(msg.get("Subject", "")),
        date=_date(msg) or received_at,
        received_at=received_at,
        text=_body(msg, "plain") or "",
        html=_body(msg, "html"),
    )


def _sender(msg: EmailMessage) -> str:
    envelope = str(msg.get("X-Envelope-From", "")).strip()
    if envelope:
        return envelope
    addresses = getaddresses([str(msg.get("From", ""))])
    return addresses[0][1] if addresses else ""


def _recipients(msg: EmailMessage) -> tuple[str, ...]:
    envelope = str(msg.get("X-Envelope-To", "")).strip()
    if envelope:
        return tuple(part.strip() for part in envelope.split(",") if part.strip())
    headers = [str(v) for key in ("To", "Cc") for v in msg.get_all(key, [])]
    return tuple(addr for _, addr in getaddresses(headers) if addr)


def _date(msg: EmailMessage) -> datetime | None:
    header = msg.get("Date")
    value = getattr(header, "datetime", None)
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _body(msg: EmailMessage, subtype: str) -> str | None:
    part = msg.get_body(preferencelist=(subtype,))
    if part is None:
        return None
    assert isinstance(part, EmailMessage)
    try:
        return str(part.get_content())
    except (LookupError, ValueError):  # unknown charset or broken encoding
        payload = part.get_payload(decode=True)
        return payload.decode(errors="replace") if isinstance(payload, bytes) else None

"""Share-link storage details that the course and lesson services need too (kept apart from
`sharing.links`, which depends on them)."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import delete
from sqlmodel import Session, col

from learning_app.models.sharing import SharedToken, ShareEntityType


def token_hash(raw: str) -> str:
    """What `shared_token.token_hash` stores for a raw token: its SHA-256, lowercase hex."""
    return hashlib.sha256(raw.encode()).hexdigest()


def delete_links_to(session: Session, entity_type: ShareEntityType, entity_id: uuid.UUID) -> None:
    """Remove the links of a course or lesson being deleted, in the caller's transaction
    (`entity_id` has no foreign key to cascade from)."""
    session.execute(
        delete(SharedToken).where(
            SharedToken.entity_type == entity_type, col(SharedToken.entity_id) == entity_id
        )
    )

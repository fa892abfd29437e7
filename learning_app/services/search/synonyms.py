"""Search synonyms, managed by teachers and admins: "py" finds "python", "maths" finds "math".

A group lists 2-10 interchangeable words or short phrases; any of them finds the others. Groups
apply to the whole catalogue (students misspell the same way in every course), so only staff
edit them: teachers add groups and remove their own, admins remove any. The search outbox
syncs every change to the index.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from learning_app.models.search import SearchSynonym
from learning_app.models.users import UserProfile
from learning_app.services.access.roles import is_admin, require_teacher, require_viewer
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied
from learning_app.services.search.text import clean_text
from learning_app.services.values import iso, parse_id

MIN_WORDS, MAX_WORDS = 2, 10
MAX_WORD_CHARS = 50
MAX_GROUPS = 1_000
SYNONYM_NOT_FOUND = "We could not find that synonym group."


@dataclass(frozen=True)
class SynonymGroup:
    id: str
    words: list[str]
    created_by: str  # display name, "" when the author's account is gone
    created_at: str
    can_delete: bool


def parse_words(raw: str) -> list[str]:
    """'Py, python ,PY' -> ['py', 'python']: comma-separated, lower case, de-duplicated."""
    words: list[str] = []
    for part in (raw or "").split(","):
        word = clean_text(part).lower()
        if not word or word in words:
            continue
        if len(word) > MAX_WORD_CHARS:
            raise InvalidInput(f"Keep each word under {MAX_WORD_CHARS} characters.", field="words")
        words.append(word)
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        raise InvalidInput(
            f"List {MIN_WORDS} to {MAX_WORDS} different words, separated by commas.",
            field="words",
        )
    return words


def list_synonym_groups(session: Session, *, token: str) -> list[SynonymGroup]:
    viewer = require_teacher(require_viewer(session, token))
    rows = session.exec(
        select(SearchSynonym, UserProfile.display_name)
        .join(UserProfile, col(UserProfile.user_id) == col(SearchSynonym.created_by), isouter=True)
        .order_by(col(SearchSynonym.created_at).desc(), col(SearchSynonym.id))
    ).all()
    return [
        SynonymGroup(
            id=str(group.id),
            words=list(group.words),
            created_by=name or "",
            created_at=iso(group.created_at),
            can_delete=is_admin(viewer) or str(group.created_by) == viewer.user_id,
        )
        for group, name in rows
    ]


def add_synonym_group(session: Session, *, token: str, words: str) -> SynonymGroup:
    viewer = require_teacher(require_viewer(session, token))
    clean = parse_words(words)
    if session.exec(select(func.count()).select_from(SearchSynonym)).one() >= MAX_GROUPS:
        raise InvalidInput(f"There are already {MAX_GROUPS:,} synonym groups.", field="words")
    group = SearchSynonym(words=clean, created_by=uuid.UUID(viewer.user_id))
    session.add(group)
    session.flush()
    return SynonymGroup(
        id=str(group.id),
        words=clean,
        created_by=viewer.display_name,
        created_at=iso(group.created_at),
        can_delete=True,
    )


def delete_synonym_group(session: Session, *, token: str, group_id: str) -> None:
    viewer = require_teacher(require_viewer(session, token))
    group = session.get(SearchSynonym, parse_id(group_id, SYNONYM_NOT_FOUND))
    if group is None:
        raise NotFound(SYNONYM_NOT_FOUND)
    if not is_admin(viewer) and str(group.created_by) != viewer.user_id:
        raise PermissionDenied("Only the teacher who added this group, or an admin, can remove it.")
    session.delete(group)
    session.flush()

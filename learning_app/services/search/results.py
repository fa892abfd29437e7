"""What a search returns, who asks, and how a snippet is cut: shared by the Typesense path and
the Postgres fallback.

Snippets are plain text split into parts, each marked or not. No HTML is ever produced here:
the UI renders marked parts with `<mark>` and escapes everything, so content cannot inject
markup through a snippet.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, select

from learning_app.models.content import Enrollment
from learning_app.models.users import UserRole
from learning_app.services.access.prerequisites import LessonPlace, locked_lesson_places
from learning_app.services.access.roles import has_teaching_role
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.markdown_render import heading_anchor
from learning_app.services.material.documents import file_url
from learning_app.services.search.text import MARK_END, MARK_START

SNIPPET_CHARS = 180


@dataclass(frozen=True)
class SnippetPart:
    text: str
    marked: bool  # the words that matched the query


@dataclass(frozen=True)
class SearchHit:
    """One result: one course, question, flashcard, lesson place or course file (a source).
    `id` is the course, question, flashcard, lesson or file id; `url` opens it, at the
    snippet's section or page when the snippet is one of its passages."""

    type: str  # "course" | "lesson" | "question" | "flashcard" | "document"
    id: str
    title: str
    course_id: str
    course_title: str
    url: str
    snippet: str  # plain text
    parts: list[SnippetPart] = field(default_factory=list)
    heading: str = ""  # the section the snippet comes from ("" when none)
    page: int = 0  # the file page the snippet comes from (0 when none)


def source_hit(
    *,
    type_: str,
    item_id: str,
    title: str,
    course_id: str,
    course_title: str,
    parts: list[SnippetPart],
    heading: str = "",
    page: int = 0,
) -> SearchHit:
    """A hit whose link and plain snippet follow from its snippet's parts and where they come
    from (every search leg builds its hits here)."""
    return SearchHit(
        type=type_,
        id=item_id,
        title=title,
        course_id=course_id,
        course_title=course_title,
        url=hit_url(type_, course_id, item_id, heading=heading, page=page),
        snippet=plain(parts),
        parts=parts,
        heading=heading,
        page=page,
    )


@dataclass(frozen=True)
class FacetCount:
    value: str  # what a filter takes: a type, a course id or a tag name
    label: str
    count: int


@dataclass(frozen=True)
class SearchFilters:
    """Facet choices, as they arrive from a URL or a form (validated by the service)."""

    type: str = ""
    course_id: str = ""
    tag: str = ""


@dataclass(frozen=True)
class SearchResults:
    query: str  # the query as searched (cleaned, maybe shortened)
    hits: list[SearchHit]
    found: int
    types: list[FacetCount] = field(default_factory=list)
    courses: list[FacetCount] = field(default_factory=list)
    tags: list[FacetCount] = field(default_factory=list)
    degraded: bool = False  # Typesense was unreachable: Postgres full-text search answered
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Audience:
    """Who searches, as the visibility rules need it; built on the server, never sent."""

    user_id: uuid.UUID | None  # None: a visitor
    is_admin: bool = False
    is_teacher: bool = False
    enrolled: tuple[uuid.UUID, ...] = ()
    # (course, lesson) places a prerequisite still locks for this audience: their text stays
    # out of every leg (`access.prerequisites.locked_lesson_places`).
    locked_lessons: tuple[LessonPlace, ...] = ()


def audience_of(
    session: Session, viewer: Viewer | None, enrolled: tuple[uuid.UUID, ...] | None = None
) -> Audience:
    """Who searches; `enrolled`, the viewer's courses when the caller read them already
    (`access.viewing.viewer_and_enrolments`)."""
    locked = tuple(locked_lesson_places(session, viewer))
    if viewer is None:
        return Audience(user_id=None, locked_lessons=locked)
    user_id = uuid.UUID(viewer.user_id)
    if enrolled is None:
        rows = session.exec(select(Enrollment.course_id).where(Enrollment.user_id == user_id))
        enrolled = tuple(sorted(set(rows.all())))
    return Audience(
        user_id=user_id,
        is_admin=viewer.role == UserRole.ADMIN.value,
        is_teacher=has_teaching_role(viewer),
        enrolled=enrolled,
        locked_lessons=locked,
    )


def hit_url(type_: str, course_id: str, item_id: str, *, heading: str = "", page: int = 0) -> str:
    """Where a result opens: a lesson at its section, a file at its page (PDFs)."""
    if type_ == "lesson":
        section = f"#{heading_anchor(heading)}" if heading else ""
        return f"/courses/{course_id}/lessons/{item_id}{section}"
    if type_ == "document":
        return file_url(item_id, page or None)
    if type_ == "question":
        return f"/teach/courses/{course_id}/exams"
    if type_ == "flashcard":
        return f"/teach/courses/{course_id}/cards"
    return f"/courses/{course_id}"


def parts_from_marked(marked: str) -> list[SnippetPart]:
    """'a \\x02b\\x03 c' -> [a ][b*][ c]; stray markers are dropped."""
    parts: list[SnippetPart] = []
    for chunk in re.split(f"({MARK_START}[^{MARK_END}]*{MARK_END})", marked):
        if chunk.startswith(MARK_START) and chunk.endswith(MARK_END):
            text, is_mark = chunk[1:-1], True
        else:
            text, is_mark = chunk.replace(MARK_START, "").replace(MARK_END, ""), False
        if text:
            parts.append(SnippetPart(text, is_mark))
    return parts


def plain(parts: list[SnippetPart]) -> str:
    return "".join(part.text for part in parts)


def term_pattern(terms: list[str]) -> re.Pattern[str] | None:
    """Any of `terms` starting a word, ignoring case (group 1: the term); None: no terms."""
    words = [re.escape(t) for t in terms if t]
    if not words:
        return None
    return re.compile(r"\b(" + "|".join(words) + r")\w*", re.IGNORECASE)


def mark_terms(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> list[SnippetPart]:
    """A window of `text` around the first term found, with every term occurrence marked
    (word prefixes, ignoring case). Used where no engine highlights for us."""
    pattern = term_pattern(terms)
    if pattern is None:
        return [SnippetPart(text[:width], False)] if text else []
    first = pattern.search(text)
    start = max(0, first.start() - width // 3) if first else 0
    window = text[start : start + width]
    parts: list[SnippetPart] = []
    at = 0
    for match in pattern.finditer(window):
        if match.start() > at:
            parts.append(SnippetPart(window[at : match.start()], False))
        parts.append(SnippetPart(match.group(0), True))
        at = match.end()
    if at < len(window):
        parts.append(SnippetPart(window[at:], False))
    return parts

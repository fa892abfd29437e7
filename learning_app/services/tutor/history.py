"""A user's tutor history in a course, as the page shows it: each exchange with fresh links
to its citations (a deleted file's citation keeps its text and loses its link) and the
answering sentences of each passage marked.

The answer and each citation's excerpt are Markdown (a model writes `**bold**` and code
fences; lesson passages are cut from a lesson's Markdown), so they come rendered and sanitised
by `services.markdown_render`, as every other piece of Markdown the app shows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from learning_app.adapters.postgres import on_event_loop, reads_only
from learning_app.models.documents import Document
from learning_app.models.tutor import TutorExchange
from learning_app.services.access.courses import require_course_reader
from learning_app.services.access.roles import must_be_signed_in
from learning_app.services.access.viewing import viewer_in_course
from learning_app.services.markdown_render import heading_anchor, render_excerpt, render_markdown
from learning_app.services.material.documents import file_url
from learning_app.services.tutor.answering import (
    AnswerStream,
    TutorContext,
    citation_label,
    record,
)
from learning_app.services.tutor.ranking import Tier

HISTORY_LIMIT = 50
EXCERPT_CONTEXT = 150  # characters of a passage shown around its highlighted sentences


@dataclass(frozen=True)
class CitationLink:
    number: int
    label: str
    href: str
    excerpt: str  # the passage around the highlighted sentences (all of it if it is short)
    before: str = ""  # `excerpt` in three parts: the highlighted sentences are `marked`
    marked: str = ""
    after: str = ""
    excerpt_html: str = ""  # `excerpt` rendered inline, the highlighted sentences in <mark>


@dataclass(frozen=True)
class ExchangeView:
    id: str
    question: str
    answer: str
    answer_html: str  # `answer` rendered, its line breaks kept
    mode: str
    found: bool
    tier: str
    asked_at: str
    citations: list[CitationLink] = field(default_factory=list)


def finish_answer(session: Session, context: TutorContext, stream: AnswerStream) -> ExchangeView:
    """Record a streamed answer and return it as the page shows it."""
    return exchange_view(session, record(session, context, stream))


def _excerpt_parts(
    citation: dict[str, Any], *, context_chars: int = EXCERPT_CONTEXT
) -> tuple[str, str, str]:
    """The passage around its highlighted sentences: (before, highlighted, after). The start
    of the passage, unmarked, when nothing is highlighted (an exchange recorded before
    highlights existed)."""
    text, span = citation["text"], citation.get("highlight")
    if not span:
        return text[:300], "", ""
    start, end = int(span[0]), int(span[1])
    lead = text.rfind(" ", 0, max(0, start - context_chars)) + 1 if start > context_chars else 0
    cut = text.find(" ", end + context_chars)
    tail = len(text) if cut < 0 else cut
    before = ("… " if lead else "") + text[lead:start]
    after = text[end:tail] + (" …" if tail < len(text) else "")
    return before, text[start:end], after


def _cited_documents(session: Session, rows: list[TutorExchange]) -> dict[str, Document]:
    """The documents the rows' citations name that still exist, by id: one statement for
    every row (none when no citation names a file)."""
    ids = {
        uuid.UUID(c["document_id"]) for row in rows for c in row.citations if c.get("document_id")
    }
    if not ids:
        return {}
    found = session.exec(select(Document).where(col(Document.id).in_(ids))).all()
    return {str(document.id): document for document in found}


def _links(
    course_id: uuid.UUID, citations: list[dict[str, Any]], documents: dict[str, Document]
) -> list[CitationLink]:
    links = []
    for c in citations:
        document = documents.get(c.get("document_id") or "")
        if document is not None:
            href = file_url(document.id, c.get("page") or None)
        elif c.get("lesson_id"):
            section = f"#{heading_anchor(c['heading'])}" if c.get("heading") else ""
            href = f"/courses/{course_id}/lessons/{c['lesson_id']}{section}"
        else:
            href = ""  # the document was deleted since
        before, marked, after = _excerpt_parts(c)
        excerpt = before + marked + after
        links.append(
            CitationLink(
                c["number"],
                citation_label(c),
                href,
                excerpt,
                before,
                marked,
                after,
                excerpt_html=render_excerpt(before, marked, after),
            )
        )
    return links


def render_answer(answer: str) -> str:
    """A tutor answer as the page shows it, streamed or recorded: Markdown with its line
    breaks kept (a model writes one sentence a line more often than paragraphs)."""
    return render_markdown(answer, line_breaks=True)


@dataclass(frozen=True)
class TutorPage:
    """What the tutor page opens with: its course, and the viewer's questions in it."""

    course_id: str
    course_title: str
    exchanges: list[ExchangeView]


@on_event_loop()
@reads_only
def tutor_page(session: Session, *, token: str, course_id: str) -> TutorPage:
    """The course the viewer may read, and their questions in it, newest first, with fresh
    citation links: one unit of work for the page (it was the course's whole outline, with
    every lesson's progress and locks, and then the history, in a second)."""
    viewer = must_be_signed_in(viewer_in_course(session, token, course_id))
    course = require_course_reader(session, viewer, course_id)
    rows = session.exec(
        select(TutorExchange)
        .where(
            TutorExchange.user_id == uuid.UUID(viewer.user_id),
            TutorExchange.course_id == course.id,
        )
        .order_by(col(TutorExchange.created_at).desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return TutorPage(str(course.id), course.title, exchange_views(session, list(rows)))


def _tier_of(mode: str) -> Tier:
    if mode in (Tier.RELATED, Tier.NOT_FOUND):
        return Tier(mode)
    return Tier.ANSWERED


def exchange_views(session: Session, rows: list[TutorExchange]) -> list[ExchangeView]:
    documents = _cited_documents(session, rows)
    return [_exchange_view(row, documents) for row in rows]


def exchange_view(session: Session, row: TutorExchange) -> ExchangeView:
    [view] = exchange_views(session, [row])
    return view


def _exchange_view(row: TutorExchange, documents: dict[str, Document]) -> ExchangeView:
    return ExchangeView(
        id=str(row.id),
        question=row.question,
        answer=row.answer,
        answer_html=render_answer(row.answer),
        mode=row.mode,
        found=_tier_of(row.mode) == Tier.ANSWERED,
        tier=_tier_of(row.mode).value,
        asked_at=row.created_at.isoformat() if row.created_at else "",
        citations=_links(row.course_id, row.citations, documents),
    )

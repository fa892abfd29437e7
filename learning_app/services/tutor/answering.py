"""The AI tutor: answers a course's readers from that course's material only, with citations.

1. `prepare`: check the asker may read the course, embed the question, retrieve the nearest
   passages they may read, keep those above `TUTOR_MIN_SIMILARITY` as numbered citations.
2. `AnswerStream`: nothing relevant -> "not found" (never a guess); no language model ->
   the best sentences of the cited passages, each with its [n]; a language model -> a
   prompt restricted to the citations, streamed; if it errs or times out, the extractive
   answer with a notice.
3. `record`: the exchange joins the user's history for that course.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sqlmodel import Session, col, select

from learning_app.adapters.embeddings import Embedder
from learning_app.adapters.llm import ChatError, ChatModel
from learning_app.models.documents import Document
from learning_app.models.tutor import TutorExchange
from learning_app.services.access.courses import require_course_reader
from learning_app.services.access.roles import require_verified, require_viewer
from learning_app.services.errors import InvalidInput
from learning_app.services.markdown_render import heading_anchor
from learning_app.services.material.chunking import split_sentences
from learning_app.services.material.documents import file_url
from learning_app.services.material.ingestion import register_model
from learning_app.services.progress import events
from learning_app.services.text_input import is_blank, storable
from learning_app.services.tutor.retrieval import search_course
from learning_app.settings import get_settings

MAX_QUESTION_LENGTH = 2_000
MAX_CITATIONS = 4
EXTRACT_SENTENCES = 3
HISTORY_LIMIT = 50
NOT_FOUND_ANSWER = (
    "I could not find this in the course material. Try rewording the question, or ask your teacher."
)
FALLBACK_NOTICE = "(The language model did not answer, so these are the most relevant lines.)"


@dataclass(frozen=True)
class Citation:
    number: int
    source: str
    heading: str
    page: int
    lesson_id: str
    document_id: str
    text: str
    score: float


@dataclass(frozen=True)
class TutorContext:
    course_id: str
    course_title: str
    user_id: str
    question: str
    question_vector: list[float]
    citations: list[Citation]

    @property
    def found(self) -> bool:
        return bool(self.citations)


@dataclass(frozen=True)
class CitationLink:
    number: int
    label: str
    href: str
    excerpt: str


@dataclass(frozen=True)
class ExchangeView:
    id: str
    question: str
    answer: str
    mode: str
    found: bool
    asked_at: str
    citations: list[CitationLink] = field(default_factory=list)


def clean_question(raw: str) -> str:
    question = storable(" ".join((raw or "").split()), "question", "question")
    if is_blank(question):
        raise InvalidInput("Type a question first.", field="question")
    if len(question) > MAX_QUESTION_LENGTH:
        raise InvalidInput(
            f"Keep the question under {MAX_QUESTION_LENGTH:,} characters.", field="question"
        )
    return question


def prepare(
    session: Session, *, token: str, course_id: str, question: str, embedder: Embedder
) -> TutorContext:
    viewer = require_viewer(session, token)
    course = require_course_reader(session, viewer, course_id)
    require_verified(viewer, "ask the tutor")
    question = clean_question(question)
    model = register_model(session, embedder)
    vector = embedder.embed([question])[0]
    passages = search_course(session, viewer=viewer, course=course, model=model, vector=vector)
    threshold = get_settings().tutor_min_similarity
    relevant = [p for p in passages if p.score >= threshold][:MAX_CITATIONS]
    return TutorContext(
        course_id=str(course.id),
        course_title=course.title,
        user_id=viewer.user_id,
        question=question,
        question_vector=[float(x) for x in vector],
        citations=[
            Citation(
                number=number,
                source=p.source_label,
                heading=p.heading,
                page=p.page,
                lesson_id=p.lesson_id,
                document_id=p.document_id,
                text=p.text,
                score=p.score,
            )
            for number, p in enumerate(relevant, start=1)
        ],
    )


def extractive_answer(context: TutorContext, embedder: Embedder) -> str:
    """The cited passages' sentences closest to the question, in passage order, each with [n]."""
    candidates = [
        (citation.number, sentence)
        for citation in context.citations
        for sentence in split_sentences(citation.text)
        if len(sentence.split()) >= 4
    ]
    if not candidates:
        return " ".join(f"{c.text} [{c.number}]" for c in context.citations[:1])
    vectors = embedder.embed([sentence for _, sentence in candidates])
    scores = vectors @ np.asarray(context.question_vector, dtype=np.float32)
    best = sorted(np.argsort(-scores)[:EXTRACT_SENTENCES])
    return " ".join(f"{candidates[i][1]} [{candidates[i][0]}]" for i in best)


def grounded_messages(context: TutorContext) -> list[dict[str, str]]:
    passages = "\n\n".join(f"[{c.number}] ({_label(c)})\n{c.text}" for c in context.citations)
    return [
        {
            "role": "system",
            "content": (
                f'You are the tutor of the course "{context.course_title}". Answer the '
                "student's question using ONLY the numbered passages. Cite every statement "
                "with its passage number in square brackets, like [1]. If the passages do not "
                "answer the question, say that you could not find it in the course material. "
                "Answer in at most five sentences."
            ),
        },
        {"role": "user", "content": f"Passages:\n\n{passages}\n\nQuestion: {context.question}"},
    ]


class AnswerStream:
    """Iterate for the answer's text as it arrives; afterwards `text` and `mode` are final
    (after a fallback, `text` replaces whatever was streamed)."""

    def __init__(self, context: TutorContext, embedder: Embedder, chat: ChatModel | None) -> None:
        self.context, self._embedder, self._chat = context, embedder, chat
        self.text, self.mode = "", "not_found"

    def __iter__(self) -> Iterator[str]:
        if not self.context.found:
            self.text = NOT_FOUND_ANSWER
        elif self._chat is None:
            self.mode, self.text = "extractive", extractive_answer(self.context, self._embedder)
        else:
            self.mode = "generated"
            try:
                for piece in self._chat.stream(grounded_messages(self.context)):
                    self.text += piece
                    yield piece
                if not self.text.strip():
                    raise ChatError("the language model gave an empty answer")
                return
            except ChatError:
                extract = extractive_answer(self.context, self._embedder)
                self.mode, self.text = "fallback", f"{FALLBACK_NOTICE} {extract}"
        yield self.text


def record(session: Session, context: TutorContext, stream: AnswerStream) -> TutorExchange:
    exchange = TutorExchange(
        user_id=uuid.UUID(context.user_id),
        course_id=uuid.UUID(context.course_id),
        question=context.question,
        answer=stream.text,
        mode=stream.mode,
        citations=[asdict(c) for c in context.citations],
    )
    session.add(exchange)
    session.flush()
    events.record_event(
        "tutor_asked",
        user_id=context.user_id,
        course_id=context.course_id,
        context={"exchange_id": str(exchange.id), "mode": stream.mode},
        session=session,
    )
    return exchange


def finish_answer(session: Session, context: TutorContext, stream: AnswerStream) -> ExchangeView:
    """Record a streamed answer and return it as the page shows it."""
    return exchange_view(session, record(session, context, stream))


def ask(
    session: Session,
    *,
    token: str,
    course_id: str,
    question: str,
    embedder: Embedder,
    chat: ChatModel | None,
) -> tuple[TutorContext, AnswerStream]:
    """Prepare, answer (whole) and record in one call: the CLI's and the tests' way in."""
    context = prepare(
        session, token=token, course_id=course_id, question=question, embedder=embedder
    )
    stream = AnswerStream(context, embedder, chat)
    for _ in stream:
        pass
    record(session, context, stream)
    return context, stream


def _label(citation: Citation | dict[str, Any]) -> str:
    c = citation if isinstance(citation, dict) else asdict(citation)
    where = f", page {c['page']}" if c.get("page") else ""
    heading = f" - {c['heading']}" if c.get("heading") else ""
    return f"{c['source']}{heading}{where}"


def _links(
    session: Session, course_id: uuid.UUID, citations: list[dict[str, Any]]
) -> list[CitationLink]:
    ids = {uuid.UUID(c["document_id"]) for c in citations if c.get("document_id")}
    documents = {
        str(d.id): d for d in session.exec(select(Document).where(col(Document.id).in_(ids))).all()
    }
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
        links.append(CitationLink(c["number"], _label(c), href, c["text"][:300]))
    return links


def history(session: Session, *, token: str, course_id: str) -> list[ExchangeView]:
    """The viewer's questions in this course, newest first, with fresh citation links."""
    viewer = require_viewer(session, token)
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
    return [exchange_view(session, row) for row in rows]


def exchange_view(session: Session, row: TutorExchange) -> ExchangeView:
    return ExchangeView(
        id=str(row.id),
        question=row.question,
        answer=row.answer,
        mode=row.mode,
        found=row.mode != "not_found",
        asked_at=row.created_at.isoformat() if row.created_at else "",
        citations=_links(session, row.course_id, row.citations),
    )

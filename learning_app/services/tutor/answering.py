"""The AI tutor: answers a course's readers from that course's material only, with citations.

1. `prepare`: check the asker may read the course, embed the question, retrieve the nearest
   passages they may read, re-rank them by their best sentences and decide the tier
   (`ranking`): *answered*, *related* (the subject is there, maybe not this fact) or
   *not found*.
2. `AnswerStream`: not found -> said plainly (never a guess); related -> the closest passages
   under "This may not answer your question", never written up as an answer; answered with no
   language model -> the sentences that answer, quoted with their [n]; with a model -> a
   prompt restricted to the citations that lets the model say the passages do not answer,
   streamed; that reply, or an answer naming a number or name no passage mentions, makes
   the tier *related*; if the model errs or times out, the extractive answer with a notice.
3. `record`: the exchange joins the user's history for that course.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlmodel import Session

from learning_app.adapters.embeddings import Embedder, VectorLike, query_vector
from learning_app.adapters.llm import ChatError, ChatModel
from learning_app.models.chunks import EmbeddingModel
from learning_app.models.content import Course
from learning_app.models.tutor import TutorExchange
from learning_app.services.access.courses import require_course_reader
from learning_app.services.access.roles import must_be_signed_in, require_verified
from learning_app.services.access.viewing import viewer_in_course
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.errors import InvalidInput
from learning_app.services.material.ingestion import register_model
from learning_app.services.progress import events
from learning_app.services.text_input import is_blank, storable
from learning_app.services.tutor.ranking import (
    CANDIDATES,
    RankedPassage,
    Tier,
    decide_tier,
    rank_passages,
    unmentioned_names,
)
from learning_app.services.tutor.retrieval import search_course
from learning_app.settings import get_settings

MAX_QUESTION_LENGTH = 2_000
MAX_CITATIONS = 4
NOT_FOUND_ANSWER = (
    "I could not find this in the course material. Try rewording the question, or ask your teacher."
)
RELATED_ANSWER = (
    "The course touches on this, but I could not find a passage that answers it. The closest "
    "passages are below: they may not answer your question."
)
# What the model must answer with when the passages do not answer (see grounded_messages).
MODEL_REFUSAL = "NOT IN THE PASSAGES"
# A second passage is quoted in an extractive answer when its evidence is this close to the best.
SECOND_QUOTE_MARGIN = 0.05
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
    evidence: float = 0.0  # cosine of the highlighted sentences
    highlight: tuple[int, int] | None = None  # the sentences that answer, in `text`


@dataclass(frozen=True)
class TutorContext:
    course_id: str
    course_title: str
    user_id: str
    question: str
    tier: Tier
    citations: list[Citation]
    # Every candidate, best first (not recorded): what `bench tutor` scores hit@k on.
    ranked: list[RankedPassage] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.tier == Tier.ANSWERED


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
    viewer = must_be_signed_in(viewer_in_course(session, token, course_id, embedder.name))
    course = require_course_reader(session, viewer, course_id)
    require_verified(viewer, "ask the tutor")
    question = clean_question(question)
    model = register_model(session, embedder)
    vector = query_vector(embedder, question)
    tier, ranked = find_evidence(
        session, viewer=viewer, course=course, model=model, question=question, vector=vector
    )
    # Passages under the floor are noise beside the ones that count: never cited.
    floor = get_settings().tutor_min_similarity
    shown = (
        [] if tier == Tier.NOT_FOUND else [r for r in ranked[:MAX_CITATIONS] if r.evidence >= floor]
    )
    return TutorContext(
        course_id=str(course.id),
        course_title=course.title,
        user_id=viewer.user_id,
        question=question,
        tier=tier,
        citations=citations_of(shown),
        ranked=ranked,
    )


def citations_of(ranked: list[RankedPassage]) -> list[Citation]:
    return [
        Citation(
            number=number,
            source=r.passage.source_label,
            heading=r.passage.heading,
            page=r.passage.page,
            lesson_id=r.passage.lesson_id,
            document_id=r.passage.document_id,
            text=r.passage.text,
            score=r.score,
            evidence=r.evidence,
            highlight=r.highlight,
        )
        for number, r in enumerate(ranked, start=1)
    ]


def find_evidence(
    session: Session,
    *,
    viewer: Viewer | None,
    course: Course,
    model: EmbeddingModel,
    question: str,
    vector: VectorLike,
) -> tuple[Tier, list[RankedPassage]]:
    """The candidates the viewer may read, re-ranked, and the tier they support (the caller
    checked that the viewer may read the course). `bench retrieval` times this at 100k
    chunks."""
    candidates = search_course(
        session, viewer=viewer, course=course, model=model, vector=vector, k=CANDIDATES
    )
    ranked = rank_passages(session, candidates, vector)
    settings = get_settings()
    tier = decide_tier(
        ranked[0] if ranked else None,
        unmentioned_names(question, [p.text for p in candidates]),
        min_similarity=settings.tutor_min_similarity,
        answer_similarity=settings.tutor_answer_similarity,
    )
    return tier, ranked


def extractive_answer(context: TutorContext) -> str:
    """The sentences that answer, quoted from the best passage, and from the next one too when
    its evidence is about as strong (`SECOND_QUOTE_MARGIN`)."""
    best = max(c.evidence for c in context.citations)
    close = [c for c in context.citations if c.evidence >= best - SECOND_QUOTE_MARGIN]
    quotes: dict[str, str] = {}  # overlapping chunks can highlight the same sentences
    for citation in close[:2]:
        start, end = citation.highlight or (0, len(citation.text))
        quotes.setdefault(citation.text[start:end], f" [{citation.number}]")
    return " ".join(text + marker for text, marker in quotes.items())


def _words(text: str) -> str:
    """Text reduced to its words, for "does this say the same thing": case, Markdown marks
    (`**Functions**`), punctuation and spacing ignored."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def citation_label(citation: Citation | dict[str, Any]) -> str:
    """Source - heading, page N. The heading is left out when it says what the source says
    ("Functions - Functions" for a lesson whose first heading is its title, "tides.pdf -
    Tides" for a file), and its Markdown marks are dropped (`## **Loops**` reads "Loops")."""
    c = citation if isinstance(citation, dict) else asdict(citation)
    where = f", page {c['page']}" if c.get("page") else ""
    source = c["source"].strip()
    heading = " ".join((c.get("heading") or "").replace("*", " ").replace("`", " ").split())
    stem = source.rsplit(".", 1)[0] if "." in source else source
    same = _words(heading) in (_words(source), _words(stem))
    shown = f" - {heading}" if heading and not same else ""
    return f"{source}{shown}{where}"


def grounded_messages(context: TutorContext) -> list[dict[str, str]]:
    passages = "\n\n".join(
        f"[{c.number}] ({citation_label(c)})\n{c.text}" for c in context.citations
    )
    return [
        {
            "role": "system",
            "content": (
                f'You are the tutor of the course "{context.course_title}". Answer the '
                "student's question using ONLY the numbered passages. Cite every statement "
                "with its passage number in square brackets, like [1]. First check that the "
                "passages really answer the question: if they do not, reply with exactly "
                f"{MODEL_REFUSAL} and nothing else. Answer in at most five sentences."
            ),
        },
        {"role": "user", "content": f"Passages:\n\n{passages}\n\nQuestion: {context.question}"},
    ]


class AnswerStream:
    """Iterate for the answer's text as it arrives; afterwards `text`, `mode` and `tier` are
    final (after a fallback or a refusal, `text` replaces whatever was streamed)."""

    def __init__(self, context: TutorContext, chat: ChatModel | None) -> None:
        self.context, self._chat = context, chat
        self.tier = context.tier
        self.text, self.mode = "", context.tier.value

    def __iter__(self) -> Iterator[str]:
        if self.tier == Tier.NOT_FOUND:
            self.text = NOT_FOUND_ANSWER
        elif self.tier == Tier.RELATED:
            self.text = RELATED_ANSWER
        elif self._chat is None:
            self.mode, self.text = "extractive", extractive_answer(self.context)
        else:
            self.mode = "generated"
            try:
                yield from self._generated(self._chat)
                return
            except ChatError:
                extract = extractive_answer(self.context)
                self.mode, self.text = "fallback", f"{FALLBACK_NOTICE} {extract}"
        yield self.text

    def _generated(self, chat: ChatModel) -> Iterator[str]:
        """Stream the model's answer. Its opening is held back while it could still be the
        refusal. A refusal, or an answer naming what no cited passage mentions (a number, a
        name: made up, however fluent), turns it into the *related* tier, replacing what
        was streamed."""
        opening, released = "", False
        for piece in chat.stream(grounded_messages(self.context)):
            if not released:
                opening += piece
                if _could_be_refusal(opening):
                    continue
                piece, released = opening, True
            self.text += piece
            yield piece
        if not released:
            if not opening.strip():
                raise ChatError("the language model gave an empty answer")
            self.text = opening  # the refusal, or a short answer that began like it ("No")
        cited = [citation.text for citation in self.context.citations]
        refused = self.text.strip().upper().startswith(MODEL_REFUSAL)
        if refused or unmentioned_names(self.text, cited):
            self.tier, self.mode, self.text = Tier.RELATED, "related", RELATED_ANSWER
            yield self.text
        elif not released:
            yield self.text


# How often a page shows a streamed answer's progress. A model streams tens of tokens a
# second; each shown piece costs the page a thread hop, rendering the whole answer so far and
# a state update sent to the browser (together O(tokens²) in the answer's length), and a
# tutor answer cost more than forty ordinary actions. Seven updates a second still read as
# a steady stream.
SHOWN_EVERY_S = 0.15


def coalesced(
    pieces: Iterable[str],
    every_s: float = SHOWN_EVERY_S,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[str]:
    """`pieces` joined into chunks at least `every_s` apart: the first piece at once (the
    reader sees the answer begin), then what arrived since, once `every_s` has passed, and
    what is left when the pieces end. The chunks join to the same text as the pieces."""
    pending: list[str] = []
    due = clock()
    for piece in pieces:
        pending.append(piece)
        if clock() >= due:
            yield "".join(pending)
            pending, due = [], clock() + every_s
    if pending:
        yield "".join(pending)


def _could_be_refusal(opening: str) -> bool:
    text = opening.strip().upper()
    return MODEL_REFUSAL.startswith(text) or text.startswith(MODEL_REFUSAL)


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
    stream = AnswerStream(context, chat)
    for _ in stream:
        pass
    record(session, context, stream)
    return context, stream

"""The tutor's three tiers, its highlighted citations and the language model's refusal, on the
real stack (the model is scripted on loopback: OpenAI is the one outside provider)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func
from sqlmodel import select

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.llm import chat_model
from learning_app.adapters.postgres import session_scope
from learning_app.models.chunks import ChunkSentence, LessonChunk
from learning_app.services.courses import reading
from learning_app.services.material import ingestion
from learning_app.services.tutor import answering, history
from learning_app.services.tutor.answering import MODEL_REFUSAL, RELATED_ANSWER
from learning_app.services.tutor.ranking import Tier
from tests.integration.people import new_course, new_lesson, publish
from tests.scripted_llm import ScriptedLlm, scripted_chat

WATER = """# The water cycle

The sun heats the oceans, and water evaporates into the air as vapour. Rising air cools, so
the vapour condenses into tiny droplets that form clouds. When the droplets merge and grow
heavy, they fall back to the ground as rain or snow. Rivers then carry much of that water
back to the sea, and the cycle starts again.

# Groundwater

Some rain soaks into the soil and fills the spaces between grains of rock. This groundwater
can stay underground for thousands of years before a spring brings it back to the surface."""


@pytest.fixture
def course(teacher: str, student: str) -> tuple[str, str]:
    course_id = new_course(teacher, "Earth science")
    lesson_id = new_lesson(teacher, course_id, "Water on Earth", body=WATER)
    ingestion.ingest_lesson(uuid.UUID(lesson_id), get_embedder())
    publish(teacher, course_id)
    with session_scope() as session:
        reading.enroll(session, token=student, course_id=course_id)
    return student, course_id


def _ask(student: str, course_id: str, question: str) -> answering.AnswerStream:
    with session_scope() as session:
        context = answering.prepare(
            session, token=student, course_id=course_id, question=question, embedder=get_embedder()
        )
        stream = answering.AnswerStream(context, chat_model())
        for _ in stream:
            pass
        history.finish_answer(session, context, stream)
    return stream


def test_an_answer_quotes_and_highlights_the_sentences_that_answer(
    course: tuple[str, str],
) -> None:
    student, course_id = course
    stream = _ask(student, course_id, "Why do clouds form when air goes up?")
    assert stream.tier == Tier.ANSWERED and stream.mode == "extractive"
    assert "condenses" in stream.text and "[1]" in stream.text
    with session_scope() as session:
        [shown] = history.tutor_page(session, token=student, course_id=course_id).exchanges
    first = shown.citations[0]
    assert shown.tier == "answered" and shown.found
    assert "condenses into tiny droplets" in first.marked
    assert first.excerpt == first.before + first.marked + first.after
    # The label names the lesson and its section once each.
    assert first.label == "Water on Earth - The water cycle"


def test_a_question_naming_what_the_course_never_mentions_is_only_related(
    course: tuple[str, str],
) -> None:
    """The course has the water cycle, not the Amazon: its closest passages are shown as
    "may not answer", never written up as an answer."""
    student, course_id = course
    stream = _ask(student, course_id, "How much rain falls on the Amazon each year?")
    assert stream.tier == Tier.RELATED and stream.text == RELATED_ANSWER
    assert stream.context.citations  # the closest passages are still shown
    with session_scope() as session:
        [shown] = history.tutor_page(session, token=student, course_id=course_id).exchanges
    assert shown.tier == "related" and not shown.found and shown.mode == "related"


def test_an_off_topic_question_is_not_found(course: tuple[str, str]) -> None:
    student, course_id = course
    stream = _ask(student, course_id, "How do I castle in a game of chess?")
    assert stream.tier == Tier.NOT_FOUND and not stream.context.citations


@pytest.fixture
def refusing_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedLlm]:
    # The refusal arrives split, as tokens do: its first piece could start an answer.
    with scripted_chat(monkeypatch, lambda _body: ["NOT IN", " THE PASS", "AGES"]) as server:
        yield server


def test_a_model_that_finds_no_answer_in_the_passages_makes_it_related(
    course: tuple[str, str], refusing_model: ScriptedLlm
) -> None:
    student, course_id = course
    stream = _ask(student, course_id, "Why do clouds form when air goes up?")
    assert refusing_model.requests, "the model was asked"
    assert MODEL_REFUSAL in refusing_model.requests[0]["messages"][0]["content"]
    assert stream.tier == Tier.RELATED and stream.mode == "related"
    assert stream.text == RELATED_ANSWER  # the refusal itself is never shown


def test_a_short_answer_that_starts_like_the_refusal_is_kept(
    course: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    student, course_id = course
    with scripted_chat(monkeypatch, lambda _body: ["No", "."]):
        stream = _ask(student, course_id, "Does groundwater stay underground for ever?")
    assert stream.tier == Tier.ANSWERED and stream.mode == "generated" and stream.text == "No."


@pytest.mark.usefixtures("course")
def test_sentences_are_stored_with_their_chunks_and_reused() -> None:
    def counts() -> tuple[int, int]:
        with session_scope() as session:
            chunks = session.exec(select(func.count()).select_from(LessonChunk)).one()
            sentences = session.exec(select(func.count()).select_from(ChunkSentence)).one()
        return int(chunks), int(sentences)

    before = counts()
    assert before[1] >= 6  # every sentence of the lesson has its vector
    with session_scope() as session:
        lesson_id = session.exec(select(LessonChunk.lesson_id)).first()
    ingestion.ingest_lesson(lesson_id, get_embedder())  # type: ignore[arg-type]
    assert counts() == before  # replaced, never duplicated


def test_a_model_answer_naming_what_no_passage_mentions_is_not_shown_as_an_answer(
    course: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small model answers fluently with a number it made up: the check that every number
    and name of the answer appears in the cited passages keeps it from being shown."""
    student, course_id = course
    made_up = ["Groundwater stays underground ", "for 12,000 years on average, says Darcy [1]."]
    with scripted_chat(monkeypatch, lambda _body: made_up):
        stream = _ask(student, course_id, "How long can groundwater stay underground?")
    assert stream.tier == Tier.RELATED and stream.text == RELATED_ANSWER
    with session_scope() as session:
        [shown] = history.tutor_page(session, token=student, course_id=course_id).exchanges
    assert shown.mode == "related" and "12,000" not in shown.answer


def test_the_load_benchs_chat_stand_in_is_streamed_and_shown_as_a_generated_answer(
    course: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`bench load --chat-stand-in` measures the streamed path only if the tutor's checks let
    its answers through: the passages' own sentences, cited, word by word."""
    from learning_app.bench.chat_stand_in import MODEL, chat_stand_in
    from learning_app.settings import reset_settings_cache

    student, course_id = course
    with chat_stand_in(tokens_per_s=2000) as stand_in:
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        monkeypatch.setenv("OPENAI_BASE_URL", stand_in.url)
        monkeypatch.setenv("OPENAI_CHAT_MODEL", MODEL)
        reset_settings_cache()
        try:
            stream = _ask(student, course_id, "Why do clouds form when air goes up?")
        finally:
            reset_settings_cache()
    assert stand_in.answers == 1
    assert stream.tier == Tier.ANSWERED and stream.mode == "generated"
    assert "[1]" in stream.text and len(stream.text.split()) > 30

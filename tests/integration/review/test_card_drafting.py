"""Drafting flashcards from a lesson or a file: cloze cards from defining sentences offline,
question/answer cards from a scripted OpenAI-compatible model, who may draft, and that a draft
becomes a card only when a teacher adds it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from learning_app.adapters.llm import chat_model
from learning_app.adapters.postgres import session_scope
from learning_app.bench.sample_files import pdf_bytes
from learning_app.models.review import Flashcard
from learning_app.models.users import UserRole
from learning_app.services.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
)
from learning_app.services.review import card_drafting, flashcards
from learning_app.services.review.card_drafting import CardSource
from learning_app.services.review.cloze import BLANK
from learning_app.settings import reset_settings_cache
from tests.integration.material.helpers import ingest, upload
from tests.integration.people import new_course, new_lesson, person
from tests.scripted_llm import ScriptedLlm, scripted_chat, system_prompt
from tests.unit.test_flashcard_cloze import LESSON


def _run(func_: Any, **kwargs: Any) -> Any:
    with session_scope() as session:
        return func_(session, **kwargs)


def _cards() -> int:
    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(Flashcard)).one())


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No language model configured."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    reset_settings_cache()
    yield
    reset_settings_cache()


def test_a_teacher_drafts_cloze_cards_offline_and_only_added_ones_are_stored(
    teacher: str, offline: None
) -> None:
    course = new_course(teacher)
    lesson = new_lesson(teacher, course, "Rivers", body=LESSON)
    source = _run(
        card_drafting.card_source, token=teacher, course_id=course, source_key=f"lesson:{lesson}"
    )
    batch = card_drafting.draft_cards(source, chat=chat_model())
    assert len(batch.drafts) == 7 and batch.notes == []
    assert {d.lesson_id for d in batch.drafts} == {lesson}
    assert _cards() == 0  # drafts are only proposals
    draft = batch.drafts[0]
    added = _run(
        flashcards.create_flashcard,
        token=teacher,
        course_id=course,
        front=draft.front,
        back=draft.back,
        lesson_id=draft.lesson_id,
        source="drafted",
    )
    assert (added.source, added.lesson_id, added.front_markdown) == ("drafted", lesson, draft.front)
    assert _cards() == 1
    # Drafted again, the added card is left out; added again, it is refused.
    source = _run(
        card_drafting.card_source, token=teacher, course_id=course, source_key=f"lesson:{lesson}"
    )
    again = card_drafting.draft_cards(source, chat=None)
    assert again.drafts == batch.drafts[1:]
    assert again.notes == ["Left out 1 card the course already has."]
    with pytest.raises(InvalidInput, match="The course already has this card"):
        _run(
            flashcards.create_flashcard,
            token=teacher,
            course_id=course,
            front=draft.front,
            back=draft.back,
            source="drafted",
        )
    assert _cards() == 1


def test_cloze_cards_from_a_ready_file(teacher: str, offline: None) -> None:
    course = new_course(teacher)
    ready = upload(
        teacher,
        course,
        "rivers.pdf",
        pdf_bytes(["A meander is a bend in the course of a river across its plain."]),
    )
    ingest(ready.document.id)
    key = f"document:{ready.document.id}"
    source = _run(card_drafting.card_source, token=teacher, course_id=course, source_key=key)
    (card,) = card_drafting.draft_cards(source, chat=None).drafts
    assert card.front == f"A {BLANK} is a bend in the course of a river across its plain."
    assert card.lesson_id == ""


def test_only_the_course_teachers_draft_and_only_from_their_course(
    teacher: str, student: str, offline: None
) -> None:
    course = new_course(teacher)
    lesson = new_lesson(teacher, course, "Rivers", body=LESSON)
    other_teacher = person("grace", UserRole.TEACHER)
    other_lesson = new_lesson(other_teacher, new_course(other_teacher, "Other"), "Other")
    for token in (student, other_teacher):
        with pytest.raises((NotFound, PermissionDenied)):
            _run(
                card_drafting.card_source,
                token=token,
                course_id=course,
                source_key=f"lesson:{lesson}",
            )
    for key in (f"lesson:{other_lesson}", "lesson:nonsense", "", f"course:{course}"):
        with pytest.raises(NotFound):
            _run(card_drafting.card_source, token=teacher, course_id=course, source_key=key)
    empty = new_lesson(teacher, course, "Empty", body=" ")
    with pytest.raises(InvalidInput, match="no text"):
        _run(
            card_drafting.card_source, token=teacher, course_id=course, source_key=f"lesson:{empty}"
        )


MODEL_CARDS = [
    {"front": "What does a river drop where it slows?", "back": "Its sediment."},
    {"front": "What does a river drop where it slows?", "back": "A repeat."},
    {"front": "", "back": "No front."},
    {"front": "Which dams shrink deltas?", "back": "x" * 3_000},
    {"front": "What is erosion?", "back": "The wearing away of land."},
]


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedLlm]:
    reply = "Here you are:\n```json\n" + json.dumps({"cards": MODEL_CARDS}) + "\n```"
    with scripted_chat(monkeypatch, lambda _body: [reply[:30], reply[30:]]) as server:
        yield server


def test_with_a_model_question_cards_come_first_each_checked_like_a_form(
    teacher: str, llm: ScriptedLlm
) -> None:
    course = new_course(teacher)
    lesson = new_lesson(teacher, course, "Rivers", body=LESSON)
    source = _run(
        card_drafting.card_source, token=teacher, course_id=course, source_key=f"lesson:{lesson}"
    )
    batch = card_drafting.draft_cards(source, chat=chat_model())
    questions = [d for d in batch.drafts if d.kind == "question"]
    assert [(d.front, d.back) for d in questions] == [
        ("What does a river drop where it slows?", "Its sediment."),
        ("What is erosion?", "The wearing away of land."),
    ]
    assert batch.rejected == 3  # a repeat, a blank front, a back over the limit
    assert len(batch.drafts) == 9 and batch.drafts[:2] == questions
    (sent,) = llm.requests
    assert "flashcards" in system_prompt(sent)
    assert "sudden floods" in sent["messages"][1]["content"]
    assert _cards() == 0


def test_a_failing_model_leaves_the_cloze_cards_with_a_note(
    teacher: str, llm: ScriptedLlm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_CHAT_MODEL", "broken")
    reset_settings_cache()
    batch = card_drafting.draft_cards(CardSource("Rivers", LESSON), chat=chat_model())
    assert len(batch.drafts) == 7
    assert batch.notes and "did not answer" in batch.notes[0]


def test_drafting_is_limited_per_teacher_per_hour(teacher: str, llm: ScriptedLlm) -> None:
    course = new_course(teacher)
    key = f"lesson:{new_lesson(teacher, course, 'Rivers', body=LESSON)}"
    assert os.environ["OPENAI_BASE_URL"]
    for _ in range(card_drafting.MODEL_DRAFTS_PER_HOUR):
        _run(card_drafting.card_source, token=teacher, course_id=course, source_key=key)
    with pytest.raises(RateLimited):
        _run(card_drafting.card_source, token=teacher, course_id=course, source_key=key)

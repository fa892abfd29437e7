"""Drafting quiz questions with a language model, against the real stores and a scripted
OpenAI-compatible server: who may draft, from what, how often, and that nothing reaches the
bank until a teacher adds it."""

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
from learning_app.models.questions import Question
from learning_app.models.users import UserRole
from learning_app.services.errors import (
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
)
from learning_app.services.questions import bank, generation
from learning_app.services.questions.generation import DRAFTS_PER_HOUR, SourceText
from learning_app.settings import reset_settings_cache
from tests.integration.material.helpers import ingest, upload
from tests.integration.people import new_course, new_lesson, person
from tests.scripted_llm import DRAFTED_QUESTIONS, ScriptedLlm, scripted_chat, system_prompt

# The scripted model's reply: two usable questions and one with no correct option.
QUESTIONS = [
    *DRAFTED_QUESTIONS,
    {"type": "single_choice", "prompt": "No correct option", "options": ["a", "b"]},
]


def _run(func: Any, **kwargs: Any) -> Any:
    with session_scope() as session:
        return func(session, **kwargs)


def _source(token: str, course: str, key: str, count: int | str = 3) -> SourceText:
    return _run(
        generation.drafting_source,
        token=token,
        course_id=course,
        source_key=key,
        count=count,
    )


def _bank_size() -> int:
    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(Question)).one())


@pytest.fixture(autouse=True)
def llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedLlm]:
    reply = "Sure:\n" + json.dumps({"questions": QUESTIONS})
    with scripted_chat(monkeypatch, lambda _body: [reply[:40], reply[40:]]) as server:
        yield server


def _lesson_with_text(
    teacher: str,
    course: str,
    title: str = "Tides",
    body: str = "# Tides\n\nThe moon's gravity pulls on the oceans: two high tides a day.",
) -> str:
    return new_lesson(teacher, course, title, body=body)


def test_a_teacher_drafts_from_a_lesson_and_only_added_drafts_reach_the_bank(
    teacher: str, llm: ScriptedLlm
) -> None:
    course = new_course(teacher)
    lesson = _lesson_with_text(teacher, course)
    assert generation.drafting_off_reason() == ""
    source = _source(teacher, course, f"lesson:{lesson}")
    batch = generation.draft_questions(source, count="3", chat=chat_model())
    assert [d.prompt for d in batch.drafts] == [q["prompt"] for q in QUESTIONS[:2]]
    assert batch.rejected == 1
    (sent,) = llm.requests
    assert sent["model"] == "scripted" and "quiz questions" in system_prompt(sent)
    assert "two high tides a day" in sent["messages"][1]["content"]
    assert _bank_size() == 0  # drafts are only proposals

    _run(bank.create_question, token=teacher, course_id=course, draft=batch.drafts[0])
    (saved,) = _run(bank.list_question_bank, token=teacher, course_id=course)
    assert saved.prompt_markdown == "What pulls on the oceans?"
    assert [(o.body, o.is_correct) for o in saved.options] == [
        ("The moon", True),
        ("The wind", False),
    ]


def test_the_sources_are_the_course_lessons_and_its_ready_files(teacher: str) -> None:
    course = new_course(teacher)
    lesson = _lesson_with_text(teacher, course)
    ready = upload(teacher, course, "tides.pdf", pdf_bytes(["The moon pulls the sea."]))
    ingest(ready.document.id)
    upload(teacher, course, "waves.pdf", pdf_bytes(["Waves."]))  # uploaded, not yet processed
    sources = _run(generation.drafting_sources, token=teacher, course_id=course)
    assert [(s.key, s.label) for s in sources] == [
        (f"lesson:{lesson}", "Lesson: Tides"),
        (f"document:{ready.document.id}", "File: tides.pdf"),
    ]
    text = _source(teacher, course, f"document:{ready.document.id}")
    assert text == SourceText("tides.pdf", "The moon pulls the sea.")


def test_only_the_course_teachers_may_draft_and_only_from_their_course(
    teacher: str, student: str
) -> None:
    course = new_course(teacher)
    lesson = _lesson_with_text(teacher, course)
    other_teacher = person("grace", UserRole.TEACHER)
    other_course = new_course(other_teacher, "Other")
    other_lesson = _lesson_with_text(other_teacher, other_course)
    for token in (student, other_teacher):
        with pytest.raises((NotFound, PermissionDenied)):
            _run(generation.drafting_sources, token=token, course_id=course)
        with pytest.raises((NotFound, PermissionDenied)):
            _source(token, course, f"lesson:{lesson}")
    # A lesson of another course, named with this course's id, is not found.
    for key in (f"lesson:{other_lesson}", "lesson:nonsense", "course:" + course, ""):
        with pytest.raises(NotFound):
            _source(teacher, course, key)


def test_an_empty_lesson_or_an_unready_file_is_refused_with_a_reason(teacher: str) -> None:
    course = new_course(teacher)
    empty = _lesson_with_text(teacher, course, "Empty", " ")
    with pytest.raises(InvalidInput, match="no text"):
        _source(teacher, course, f"lesson:{empty}")
    waiting = upload(teacher, course, "waves.pdf", pdf_bytes(["Waves."]))
    with pytest.raises(InvalidInput, match="not ready"):
        _source(teacher, course, f"document:{waiting.document.id}")


def test_drafting_is_limited_per_teacher_per_hour(
    teacher: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = new_course(teacher)
    key = f"lesson:{_lesson_with_text(teacher, course)}"
    # Requests refused for their own fault cost nothing: a bad count, or no model to ask.
    with pytest.raises(InvalidInput, match="1 to 10"):
        _source(teacher, course, key, count="50")
    configured = os.environ["OPENAI_BASE_URL"]
    monkeypatch.delenv("OPENAI_BASE_URL")
    reset_settings_cache()
    with pytest.raises(DomainError, match="needs a language model"):
        _source(teacher, course, key)
    monkeypatch.setenv("OPENAI_BASE_URL", configured)
    reset_settings_cache()
    for _ in range(DRAFTS_PER_HOUR):
        _source(teacher, course, key)
    with pytest.raises(RateLimited):
        _source(teacher, course, key)


def test_a_failing_model_gives_a_clear_error(
    teacher: str, llm: ScriptedLlm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_CHAT_MODEL", "broken")
    reset_settings_cache()
    with pytest.raises(DomainError, match="No drafts this time: the language model failed"):
        generation.draft_questions(SourceText("Tides", "text"), count=2, chat=chat_model())
    llm.reply = lambda _body: ["I would rather not."]
    monkeypatch.setenv("OPENAI_CHAT_MODEL", "scripted")
    reset_settings_cache()
    with pytest.raises(DomainError, match="no usable question"):
        generation.draft_questions(SourceText("Tides", "text"), count=2, chat=chat_model())

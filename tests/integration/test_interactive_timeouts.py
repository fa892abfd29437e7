"""A click never waits for the database forever: while another transaction holds the lesson's
row lock, saving it fails within the interactive lock timeout with the "busy, nothing was
changed" message, nothing is half-written, and the same save works once the lock is gone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.models.content import Lesson
from learning_app.pages.courses.lesson_editor import LessonEditorState
from learning_app.services.courses import lessons
from learning_app.settings import reset_settings_cache
from learning_app.state.calls import BUSY_MESSAGE, DatabaseBusy, call_with_session
from tests.integration.people import new_course, new_lesson
from tests.integration.tabs import tab_state

LOCK_TIMEOUT_S = 1.0


@pytest.fixture
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("INTERACTIVE_LOCK_TIMEOUT_SECONDS", str(LOCK_TIMEOUT_S))
    monkeypatch.setenv("INTERACTIVE_STATEMENT_TIMEOUT_SECONDS", "2")
    reset_settings_cache()
    yield
    monkeypatch.undo()
    reset_settings_cache()


def _update(lesson_id: str, token: str, body: str) -> object:
    return call_with_session(
        lessons.update_lesson,
        token=token,
        lesson_id=lesson_id,
        title="Loops",
        summary="",
        body_markdown=body,
    )


def test_a_save_behind_a_held_lock_fails_clearly_and_writes_nothing(
    teacher: str, short_timeouts: None
) -> None:
    lesson_id = new_lesson(teacher, new_course(teacher), "Loops", body="Old text.")
    with get_engine().connect() as other:
        other.execute(
            text("SELECT id FROM lesson WHERE id = :id FOR UPDATE"), {"id": lesson_id}
        )  # another transaction holds the row, as a long import would
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match="nothing was changed"):
            asyncio.run(_update(lesson_id, teacher, "New text."))
        waited = time.monotonic() - started
        # The page's state shows the same failure in its words.
        tab = tab_state(LessonEditorState, teacher)
        tab.loaded_id = lesson_id
        asyncio.run(_drain(tab.save({"title": "Loops", "body_markdown": "New text."})))
        assert tab.error == BUSY_MESSAGE and not tab.busy and tab.notice == ""
        other.rollback()
    assert LOCK_TIMEOUT_S <= waited < LOCK_TIMEOUT_S + 3
    with session_scope() as session:
        lesson = session.get(Lesson, lesson_id)
        assert lesson is not None and lesson.body_markdown == "Old text."
    asyncio.run(_update(lesson_id, teacher, "New text."))  # the lock is gone: it saves
    with session_scope() as session:
        lesson = session.get(Lesson, lesson_id)
        assert lesson is not None and lesson.body_markdown == "New text."


def test_a_statement_past_its_timeout_is_stopped(teacher: str, short_timeouts: None) -> None:
    def slow(session: object, *, token: str) -> None:
        session.execute(text("SELECT pg_sleep(5)"))  # type: ignore[attr-defined]

    started = time.monotonic()
    with pytest.raises(DatabaseBusy):
        asyncio.run(call_with_session(slow, token=teacher))
    assert time.monotonic() - started < 4.5


def test_jobs_and_scripts_have_no_interactive_timeout(short_timeouts: None) -> None:
    with session_scope() as session:
        assert session.execute(text("SHOW lock_timeout")).scalar() == "0"


async def _drain(events: object) -> None:
    async for _ in events:  # type: ignore[attr-defined]
        pass

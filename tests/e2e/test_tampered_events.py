"""Events sent over the websocket by hand, as a tampered client sends them: the services refuse
what the page would never offer (issue 15, finding 4)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import RunningApp
from tests.e2e.people import account
from tests.e2e.raw_tab import RawTab

pytestmark = pytest.mark.e2e


def _lesson_status(lesson_id: str) -> str:
    from learning_app.adapters.postgres import session_scope
    from learning_app.models.content import Lesson

    with session_scope() as session:
        lesson = session.get(Lesson, lesson_id)
        assert lesson is not None
        return str(lesson.status.value)


def test_a_removed_co_teacher_cannot_unpublish_the_lesson_they_wrote(
    app_server: RunningApp, clean_db: str, unique: str
) -> None:
    from learning_app.adapters.postgres import session_scope
    from learning_app.pages.courses.editor_state import CourseEditorState
    from learning_app.services.courses import authoring
    from tests.integration.people import new_course, new_lesson, publish, user_id

    owner = account(f"owner-{unique}@example.com", "Rosa", "teacher")
    co_teacher = account(f"co-{unique}@example.com", "Mei", "teacher")
    course = new_course(owner, f"Tides {unique}", is_public=True)
    with session_scope() as session:
        authoring.add_co_teacher(
            session, token=owner, course_id=course, email=f"co-{unique}@example.com"
        )
    lesson = new_lesson(co_teacher, course, "Tide tables")  # written and published by Mei
    publish(owner, course)
    with session_scope() as session:
        authoring.remove_co_teacher(
            session, token=owner, course_id=course, user_id=user_id(co_teacher)
        )

    editor = f"/teach/courses/{course}"
    with RawTab(app_server, co_teacher, editor) as tab:
        mark = tab.send(CourseEditorState, "set_lesson_published", lesson_id=lesson, publish=False)
        error = tab.wait_for(CourseEditorState, "error", bool, since=mark)
    assert error == "Only the course's teachers can change this lesson."
    assert _lesson_status(lesson) == "published"

    # The same event from a teacher of the course goes through: the refusal above is the check.
    with RawTab(app_server, owner, editor) as tab:
        mark = tab.send(CourseEditorState, "set_lesson_published", lesson_id=lesson, publish=False)
        tab.wait_for(CourseEditorState, "error", lambda value: not value, since=mark)
    assert _lesson_status(lesson) == "draft"

"""A page change over the real websocket is one event (`state/page_loads.py`): the course
page's three loads answer in turn, and the last one's update also shows the page, where
Reflex's own chain sent `on_load_internal`, each load and `set_is_hydrated` as five events."""

from __future__ import annotations

import pytest
from reflex.state import State

from tests.e2e.conftest import RunningApp
from tests.e2e.people import account
from tests.e2e.raw_tab import RawTab

pytestmark = pytest.mark.e2e


def test_the_course_pages_three_loads_answer_in_one_event(
    app_server: RunningApp, clean_db: str, unique: str
) -> None:
    from learning_app.pages.courses.course import CourseState
    from learning_app.pages.exams.course_section import CourseExamsState
    from learning_app.pages.material.sections import MaterialState
    from tests.integration.people import new_course, new_lesson, publish

    teacher = account(f"teacher-{unique}@example.com", "Rosa", "teacher")
    student = account(f"student-{unique}@example.com", "Sam", "student")
    course = new_course(teacher, f"Tides {unique}", is_public=True)
    new_lesson(teacher, course, "Tide tables")
    publish(teacher, course)

    with RawTab(app_server, student, "/my-courses") as tab:
        mark = tab.change_page(f"/courses/{course}", course_id=course)
        tab.wait_for(State, "is_hydrated", lambda value: value is True, since=mark)
        page_updates = tab.history[mark:]

        assert tab.var(CourseState, "title") == f"Tides {unique}"
        assert [lesson["title"] for lesson in tab.var(CourseState, "course_lessons")] == [
            "Tide tables"
        ]
        assert tab.var(CourseExamsState, "course_exams") == []
        # One update per load at most: no update of its own for `on_load_internal` or for
        # `set_is_hydrated`; the last load's update shows the page.
        assert 1 <= len(page_updates) <= 3
        last = page_updates[-1]
        assert MaterialState.get_full_name() in last
        assert last[State.get_full_name()]["is_hydrated_rx_state_"] is True

        # Back to a page with one load: one update.
        mark = tab.change_page("/my-courses")
        tab.wait_for(State, "is_hydrated", lambda value: value is True, since=mark)
        assert len(tab.history[mark:]) == 1

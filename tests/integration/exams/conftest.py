"""A published course with an enrolled student, and a bank of one question of every type."""

from __future__ import annotations

import pytest

from learning_app.services import (
    learning,
    questions,
)
from tests.integration.exams.helpers import bank, run
from tests.integration.people import new_course, publish


@pytest.fixture
def course(teacher: str, student: str) -> str:
    course_id = new_course(teacher)
    publish(teacher, course_id)
    run(learning.enroll, token=student, course_id=course_id)
    return course_id


@pytest.fixture
def qs(teacher: str, course: str) -> dict[str, questions.QuestionView]:
    return bank(teacher, course)

"""A published course with an enrolled student, and a bank of one question of every type."""

from __future__ import annotations

import pytest

from learning_app.services.courses import reading
from learning_app.services.questions import bank as question_bank
from tests.integration.exams.helpers import bank, run
from tests.integration.people import new_course, publish


@pytest.fixture
def course(teacher: str, student: str) -> str:
    course_id = new_course(teacher)
    publish(teacher, course_id)
    run(reading.enroll, token=student, course_id=course_id)
    return course_id


@pytest.fixture
def qs(teacher: str, course: str) -> dict[str, question_bank.QuestionView]:
    return bank(teacher, course)

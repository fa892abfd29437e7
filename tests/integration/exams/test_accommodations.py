"""Accommodations against the real Postgres and Redis: a student's own time limit, attempts and
dates, honoured by the server when an attempt starts and kept by an attempt already running;
teachers of other courses refused; bad input refused with nothing written."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col

from learning_app.adapters.postgres import session_scope
from learning_app.models.base import utc_now
from learning_app.models.exams import Exam, ExamAttempt
from learning_app.models.teaching import Accommodation
from learning_app.models.users import UserProfile, UserRole
from learning_app.services.attempts import results, taking
from learning_app.services.courses import reading
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied
from learning_app.services.exams import accommodations
from learning_app.services.exams.listing import list_course_exams
from tests.integration.exams.helpers import count, exam_of, run, true_false_question
from tests.integration.people import new_course, person, publish, user_id


@pytest.fixture
def exam(teacher: str, course: str) -> str:
    return exam_of(
        teacher,
        course,
        [true_false_question(teacher, course)],
        time_limit_minutes=20,
        max_attempts=1,
    )


def grant(teacher: str, course: str, **terms: object) -> accommodations.AccommodationView:
    return run(
        accommodations.grant_accommodation,
        token=teacher,
        course_id=course,
        student_email="ada@example.com",
        **terms,
    )


def minutes_to_deadline(view: taking.AttemptView) -> float:
    return (view.seconds_left or 0) / 60


def test_a_time_factor_gives_the_student_a_longer_deadline(
    teacher: str, student: str, course: str, exam: str
) -> None:
    view = grant(teacher, course, exam_id=exam, time_factor=1.5)
    assert view.summary == "1.5 times the time" and view.exam_title == "Quiz"
    intro = run(results.exam_intro, token=student, exam_id=exam)
    assert intro.exam.time_limit_minutes == 30  # what the student reads before starting
    attempt = run(taking.start_attempt, token=student, exam_id=exam)
    assert 29.9 < minutes_to_deadline(attempt) <= 30

    # Another student of the course keeps the exam's own 20 minutes.
    bob = person("bob")
    run(reading.enroll, token=bob, course_id=course)
    assert 19.9 < minutes_to_deadline(run(taking.start_attempt, token=bob, exam_id=exam)) <= 20
    [card] = run(list_course_exams, token=teacher, course_id=course)
    assert card.time_limit_minutes == 20  # the teacher sees the exam's own settings


def test_standing_minutes_and_extra_attempts_apply_to_every_exam(
    teacher: str, student: str, course: str, exam: str
) -> None:
    grant(teacher, course, extra_minutes=10, extra_attempts=1)
    first = run(taking.start_attempt, token=student, exam_id=exam)
    assert 29.9 < minutes_to_deadline(first) <= 30
    run(taking.submit_attempt, token=student, attempt_id=first.attempt_id)
    second = run(taking.start_attempt, token=student, exam_id=exam)  # the extra attempt
    run(taking.submit_attempt, token=student, attempt_id=second.attempt_id)
    with pytest.raises(PermissionDenied, match="all 2 attempts"):
        run(taking.start_attempt, token=student, exam_id=exam)
    # An accommodation for the exam wins over the standing one, field by field.
    grant(teacher, course, exam_id=exam, time_factor=2)
    assert run(results.exam_intro, token=student, exam_id=exam).exam.time_limit_minutes == 40


def test_a_late_dated_student_starts_after_the_others_are_closed(
    teacher: str, student: str, course: str, exam: str
) -> None:
    now = utc_now()
    with session_scope() as session:
        session.execute(
            update(Exam).where(col(Exam.id) == exam).values(closes_at=now - timedelta(hours=1))
        )
    bob = person("bob")
    run(reading.enroll, token=bob, course_id=course)
    with pytest.raises(PermissionDenied, match="has closed"):
        run(taking.start_attempt, token=bob, exam_id=exam)
    grant(teacher, course, exam_id=exam, closes_at=now + timedelta(minutes=15))
    attempt = run(taking.start_attempt, token=student, exam_id=exam)
    assert 14.9 < minutes_to_deadline(attempt) <= 15  # their own close caps the 20 minutes


def test_a_running_attempt_keeps_its_deadline_when_the_accommodation_changes(
    teacher: str, student: str, course: str, exam: str
) -> None:
    grant(teacher, course, exam_id=exam, time_factor=1.5)
    attempt = run(taking.start_attempt, token=student, exam_id=exam)
    with session_scope() as session:
        before = session.get(ExamAttempt, attempt.attempt_id).deadline_at  # type: ignore[union-attr]
    grant(teacher, course, exam_id=exam, time_factor=3)
    [view] = run(accommodations.list_accommodations, token=teacher, course_id=course)
    run(accommodations.revoke_accommodation, token=teacher, accommodation_id=view.id)
    resumed = run(taking.start_attempt, token=student, exam_id=exam)
    with session_scope() as session:
        after = session.get(ExamAttempt, resumed.attempt_id).deadline_at  # type: ignore[union-attr]
    assert resumed.attempt_id == attempt.attempt_id and after == before


def test_another_teachers_student_is_refused(teacher: str, student: str, course: str) -> None:
    other_teacher = person("otto", UserRole.TEACHER)
    other_course = new_course(other_teacher, "Other course")
    publish(other_teacher, other_course)
    with pytest.raises(InvalidInput, match="not enrolled in this course"):
        run(
            accommodations.grant_accommodation,
            token=other_teacher,
            course_id=other_course,
            student_email="ada@example.com",
            time_factor=2,
        )
    with pytest.raises((PermissionDenied, NotFound)):
        run(
            accommodations.grant_accommodation,
            token=other_teacher,
            course_id=course,
            student_email="ada@example.com",
            time_factor=2,
        )
    view = grant(teacher, course, time_factor=2)
    with pytest.raises((PermissionDenied, NotFound)):
        run(accommodations.revoke_accommodation, token=other_teacher, accommodation_id=view.id)
    with pytest.raises(PermissionDenied):
        run(accommodations.list_accommodations, token=student, course_id=course)
    assert count(Accommodation) == 1


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"extra_minutes": -5}, "cannot be negative"),
        ({"time_factor": 12}, "at most 10"),
        ({"time_factor": 0.5}, "more than 1"),
        ({"time_factor": 1.5, "extra_minutes": 10}, "not both"),
        ({"extra_attempts": 0}, "Extra attempts"),
        ({"time_factor": "fast"}, "must be a number"),
        ({"extra_attempts": "1.5"}, "whole number"),
        ({"closes_at": "next friday"}, "not a date and time"),
        ({}, "at least one adjustment"),
        (
            {"opens_at": utc_now() + timedelta(days=2), "closes_at": utc_now() + timedelta(days=1)},
            "close date must be after the open date",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    teacher: str, student: str, course: str, exam: str, terms: dict, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        grant(teacher, course, exam_id=exam, **terms)
    assert count(Accommodation) == 0


def test_the_form_sends_strings_and_blanks(
    teacher: str, student: str, course: str, exam: str
) -> None:
    view = grant(
        teacher,
        course,
        exam_id=exam,
        time_factor="1.25",
        extra_minutes="",
        extra_attempts="2",
        opens_at="",
        closes_at="2030-01-02T09:30",
    )
    assert view.summary == "1.25 times the time · +2 attempts · closes 2030-01-02 09:30 UTC"


def test_a_grant_says_what_it_replaced_and_warns_of_a_past_closing_time(
    teacher: str, student: str, course: str, exam: str
) -> None:
    first = grant(teacher, course, exam_id=exam, time_factor=1.5)
    assert (first.replaced, first.warning) == ("", "")
    second = grant(teacher, course, exam_id=exam, extra_minutes=20)
    assert second.replaced == "1.5 times the time" and second.warning == ""
    late = grant(teacher, course, closes_at="2020-01-01T10:00")  # every exam of the course
    assert late.warning.startswith("That closing time has passed:")
    assert "cannot start the course's exams" in late.warning
    assert count(Accommodation) == 2  # the exam's one was replaced, not added to


def test_times_are_shown_in_the_teachers_zone(
    teacher: str, student: str, course: str, exam: str
) -> None:
    with session_scope() as session:
        session.execute(
            update(UserProfile)
            .where(UserProfile.user_id == uuid.UUID(user_id(teacher)))
            .values(timezone="Europe/Paris")
        )
    view = grant(teacher, course, exam_id=exam, closes_at="2030-01-02T09:30")
    assert view.summary == "closes 2030-01-02 09:30 Europe/Paris"  # 08:30 UTC, as typed
    page = run(accommodations.accommodations_page, token=teacher, course_id=course)
    assert page.time_zone == "Europe/Paris"

"""Reading a course: progress, lesson order, a lesson shared by two courses, completion."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import col, select

from learning_app.adapters.postgres import session_scope
from learning_app.models.content import CourseLesson, Enrollment
from learning_app.models.progress import LessonProgress
from learning_app.models.users import UserRole
from learning_app.services.courses import lessons, reading
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.integration.people import count, new_course, new_lesson, outline, person, publish


def test_progress_keeps_the_first_view_and_the_completion(teacher: str, student: str) -> None:
    course_id = new_course(teacher, is_public=True)
    lesson_id = new_lesson(teacher, course_id, "One")
    publish(teacher, course_id)
    with session_scope() as session:
        reading.enroll(session, token=student, course_id=course_id)

    def read() -> None:
        with session_scope() as session:
            reading.read_lesson(session, token=student, course_id=course_id, lesson_id=lesson_id)

    def row() -> LessonProgress:
        with session_scope() as session:
            return session.exec(select(LessonProgress)).one()

    read()
    viewed = row()
    assert str(viewed.status) == "in_progress" and viewed.completed_at is None
    assert viewed.first_viewed_at == viewed.last_viewed_at

    def complete() -> LessonProgress:
        with session_scope() as session:
            reading.mark_lesson_complete(
                session, token=student, course_id=course_id, lesson_id=lesson_id
            )
        return row()

    done = complete()
    assert str(done.status) == "completed" and done.completed_at is not None
    assert complete().completed_at == done.completed_at  # completing again keeps the first
    assert done.last_viewed_at == viewed.last_viewed_at  # completing is not viewing
    read()  # reading it again leaves it completed
    again = row()
    assert str(again.status) == "completed" and again.completed_at == done.completed_at
    assert again.first_viewed_at == viewed.first_viewed_at
    assert again.last_viewed_at is not None and again.last_viewed_at > viewed.last_viewed_at
    assert count(LessonProgress) == 1


def test_reorder_swaps_and_rejects_a_wrong_set(teacher: str) -> None:
    course_id = new_course(teacher)
    a, b, c = (new_lesson(teacher, course_id, t) for t in ("A", "B", "C"))
    with session_scope() as session:
        result = lessons.reorder_lessons(
            session, token=teacher, course_id=course_id, lesson_ids=[c, a, b]
        )
    assert [item.id for item in result] == [c, a, b]
    assert [i.lesson_id for i in outline(teacher, course_id).lessons] == [c, a, b]
    for wrong in ([c, a], [c, a, b, b], [c, a, str(uuid.uuid4())], [c, a, "nope"]):
        with session_scope() as session, pytest.raises(InvalidInput) as caught:
            lessons.reorder_lessons(session, token=teacher, course_id=course_id, lesson_ids=wrong)
        assert caught.value.field == "lesson_ids"
    with session_scope() as session:
        places = session.exec(
            select(CourseLesson.lesson_id).order_by(col(CourseLesson.position))
        ).all()
    assert [str(p) for p in places] == [c, a, b]
    with session_scope() as session:
        lessons.detach_lesson(session, token=teacher, course_id=course_id, lesson_id=a)
    assert [(i.lesson_id, i.position) for i in outline(teacher, course_id).lessons] == [
        (c, 0),
        (b, 1),
    ]


def test_a_lesson_in_two_courses(teacher: str, student: str) -> None:
    first = new_course(teacher, "First", is_public=True)
    second = new_course(teacher, "Second", is_public=True)
    new_lesson(teacher, second, "Second's own")
    shared = new_lesson(teacher, first, "Shared")
    other = person("grace", UserRole.TEACHER)
    elsewhere = new_course(other, "Elsewhere")
    with session_scope() as session, pytest.raises((PermissionDenied, NotFound)):
        lessons.attach_lesson(session, token=other, course_id=elsewhere, lesson_id=shared)
    with session_scope() as session:
        placed = lessons.attach_lesson(session, token=teacher, course_id=second, lesson_id=shared)
        again = lessons.attach_lesson(session, token=teacher, course_id=second, lesson_id=shared)
    assert placed.position == again.position == 1
    publish(teacher, first)
    publish(teacher, second)
    assert [i.title for i in outline(student, second).lessons] == ["Second's own", "Shared"]
    with session_scope() as session:
        lessons.update_lesson(
            session,
            token=teacher,
            lesson_id=shared,
            title="Shared v2",
            body_markdown="x",
            summary="",
        )
    assert outline(student, first).lessons[0].title == "Shared v2"
    with session_scope() as session:
        lessons.detach_lesson(session, token=teacher, course_id=second, lesson_id=shared)
    assert [i.title for i in outline(student, first).lessons] == ["Shared v2"]
    with session_scope() as session:
        lessons.delete_lesson(session, token=teacher, lesson_id=shared)
    assert outline(student, first).lessons == []


def test_read_lesson_refuses_a_lesson_of_another_course(teacher: str, student: str) -> None:
    readable = new_course(teacher, "Readable", is_public=True)
    private = new_course(teacher, "Private")
    new_lesson(teacher, readable, "Open")
    secret = new_lesson(teacher, private, "Secret")
    publish(teacher, readable)
    publish(teacher, private)
    with session_scope() as session, pytest.raises(NotFound):
        reading.read_lesson(session, token=student, course_id=readable, lesson_id=secret)
    with session_scope() as session, pytest.raises(PermissionDenied):
        reading.read_lesson(session, token=student, course_id=private, lesson_id=secret)


def test_mark_complete_is_idempotent(teacher: str, student: str) -> None:
    course_id = new_course(teacher, is_public=True)
    one = new_lesson(teacher, course_id, "One")
    two = new_lesson(teacher, course_id, "Two")
    publish(teacher, course_id)
    with session_scope() as session, pytest.raises(PermissionDenied):
        reading.mark_lesson_complete(session, token=student, course_id=course_id, lesson_id=one)
    with session_scope() as session:
        reading.enroll(session, token=student, course_id=course_id)
    with session_scope() as session:
        assert not reading.mark_lesson_complete(
            session, token=student, course_id=course_id, lesson_id=one
        )
    with session_scope() as session:
        first_done = session.exec(select(LessonProgress.completed_at)).one()
    with session_scope() as session:
        reading.mark_lesson_complete(session, token=student, course_id=course_id, lesson_id=one)
        reading.read_lesson(session, token=student, course_id=course_id, lesson_id=one)
    with session_scope() as session:
        row = session.exec(select(LessonProgress)).one()
    assert row.completed_at == first_done and str(row.status) == "completed"
    got = outline(student, course_id)
    assert [i.completed for i in got.lessons] == [True, False] and got.completed_count == 1
    with session_scope() as session:
        assert reading.mark_lesson_complete(
            session, token=student, course_id=course_id, lesson_id=two
        )
    with session_scope() as session:
        assert session.exec(select(Enrollment.completed_at)).one() is not None

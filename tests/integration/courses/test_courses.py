"""Courses and lessons against the real Postgres and Redis (sessions live in Redis)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import insert
from sqlmodel import col, select

from learning_app.adapters.postgres import session_scope
from learning_app.models.content import Course, CourseLesson, CourseTeacher, Enrollment, Lesson
from learning_app.models.progress import LessonProgress
from learning_app.models.users import UserRole
from learning_app.services.access import courses
from learning_app.services.accounts.viewers import viewer_for_session
from learning_app.services.courses import authoring, lessons, reading
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.integration.people import count, new_course, new_lesson, outline, person, publish


def test_teacher_creates_a_course_and_lessons_in_order(teacher: str) -> None:
    with session_scope() as session:
        summary = authoring.create_course(
            session, token=teacher, title="  Intro to Python!  ", description="Basics."
        )
    assert (summary.title, summary.slug, summary.status) == (
        "Intro to Python!",
        "intro-to-python",
        "draft",
    )
    assert summary.can_edit and summary.published_at == ""
    assert new_course(teacher, "Intro to Python") != summary.id
    with session_scope() as session:
        slugs = session.exec(select(Course.slug).order_by(col(Course.created_at))).all()
        owners = session.exec(select(CourseTeacher.role)).all()
    assert slugs == ["intro-to-python", "intro-to-python-2"]
    assert [str(role) for role in owners] == ["owner", "owner"]

    ids = [new_lesson(teacher, summary.id, title) for title in ("One", "Two", "Three")]
    got = outline(teacher, summary.id)
    assert [item.lesson_id for item in got.lessons] == ids
    assert [item.position for item in got.lessons] == [0, 1, 2]
    publish(teacher, summary.id)
    with session_scope() as session:
        mine = reading.list_my_courses(session, token=teacher)
    assert {c.slug for c in mine} == {"intro-to-python", "intro-to-python-2"}
    assert next(c for c in mine if c.id == summary.id).published_at != ""


def test_students_cannot_author(teacher: str, student: str) -> None:
    course_id = new_course(teacher, is_public=True)
    lesson_id = new_lesson(teacher, course_id, "One")
    publish(teacher, course_id)
    with session_scope() as session:
        with pytest.raises(PermissionDenied):
            authoring.create_course(session, token=student, title="Mine", description="")
        with pytest.raises(PermissionDenied):
            authoring.update_course(
                session,
                token=student,
                course_id=course_id,
                title="X",
                description="",
                is_public=True,
            )
        with pytest.raises(PermissionDenied):
            lessons.update_lesson(
                session, token=student, lesson_id=lesson_id, title="X", body_markdown="", summary=""
            )
        with pytest.raises(PermissionDenied):
            lessons.create_lesson(
                session, token=student, course_id=course_id, title="X", body_markdown=""
            )
        with pytest.raises(PermissionDenied):
            authoring.create_course(session, token="not a session", title="X", description="")
    assert count(Course) == 1 and count(Lesson) == 1


def test_other_teacher_cannot_edit_until_added_as_co_teacher(teacher: str, student: str) -> None:
    other = person("grace", UserRole.TEACHER)
    course_id = new_course(teacher)
    lesson_id = new_lesson(teacher, course_id, "One")
    with session_scope() as session:
        with pytest.raises((PermissionDenied, NotFound)):
            authoring.update_course(
                session,
                token=other,
                course_id=course_id,
                title="X",
                description="",
                is_public=False,
            )
        with pytest.raises((PermissionDenied, NotFound)):
            lessons.update_lesson(
                session, token=other, lesson_id=lesson_id, title="X", body_markdown="", summary=""
            )
        with pytest.raises(InvalidInput) as not_teacher:
            authoring.add_co_teacher(
                session, token=teacher, course_id=course_id, email="ada@example.com"
            )
        assert not_teacher.value.field == "email"
        with pytest.raises(InvalidInput):
            authoring.add_co_teacher(
                session, token=teacher, course_id=course_id, email="no@example.com"
            )
    with session_scope() as session:
        team = authoring.add_co_teacher(
            session, token=teacher, course_id=course_id, email="GRACE@example.com"
        )
        authoring.add_co_teacher(
            session, token=teacher, course_id=course_id, email="grace@example.com"
        )
    assert [(t.display_name, t.role) for t in team] == [("Rosa", "owner"), ("Grace", "co_teacher")]
    with session_scope() as session:
        authoring.update_course(
            session,
            token=other,
            course_id=course_id,
            title="Shared",
            description="",
            is_public=False,
        )
        lessons.update_lesson(
            session, token=other, lesson_id=lesson_id, title="Edited", body_markdown="b", summary=""
        )
        with pytest.raises(PermissionDenied):  # co-teachers do not delete or manage the team
            authoring.delete_course(session, token=other, course_id=course_id)
    assert outline(other, course_id).title == "Shared"
    with session_scope() as session:
        authoring.remove_co_teacher(
            session, token=teacher, course_id=course_id, user_id=team[1].user_id
        )
    with session_scope() as session, pytest.raises((PermissionDenied, NotFound)):
        authoring.publish_course(session, token=other, course_id=course_id)


def test_drafts_are_invisible_to_students_and_visible_to_editors(
    teacher: str, student: str
) -> None:
    course_id = new_course(teacher, is_public=True)
    published = new_lesson(teacher, course_id, "Published")
    draft = new_lesson(teacher, course_id, "Draft", publish=False)
    for token in (student, None):
        with session_scope() as session, pytest.raises(NotFound):
            reading.course_outline(session, token=token, course_id=course_id)
        with session_scope() as session, pytest.raises(NotFound):
            reading.read_lesson(session, token=token, course_id=course_id, lesson_id=published)
    editor_view = outline(teacher, course_id)
    assert [(i.title, i.is_draft) for i in editor_view.lessons] == [
        ("Published", False),
        ("Draft", True),
    ]

    publish(teacher, course_id)
    assert [i.title for i in outline(None, course_id).lessons] == ["Published"]
    assert [i.title for i in outline(student, course_id).lessons] == ["Published"]
    with session_scope() as session, pytest.raises(NotFound):
        reading.read_lesson(session, token=student, course_id=course_id, lesson_id=draft)
    with session_scope() as session:
        view = reading.read_lesson(session, token=teacher, course_id=course_id, lesson_id=draft)
    assert view.is_draft and view.can_edit and view.previous_lesson_id == published


def test_enrolment_is_looked_up_again_after_it_changes(teacher: str, student: str) -> None:
    """`is_enrolled` keeps its answer for the rest of a transaction: enrolling or leaving in
    that transaction, or a later transaction of the same session, must see the change."""
    course_id = new_course(teacher)
    publish(teacher, course_id)
    with session_scope() as session:
        viewer = viewer_for_session(session, student)
        assert viewer is not None
        course = uuid.UUID(course_id)
        assert not courses.is_enrolled(session, viewer, course)
        reading.enroll(session, token=student, course_id=course_id)
        assert courses.is_enrolled(session, viewer, course)
        reading.leave_course(session, token=student, course_id=course_id)
        assert not courses.is_enrolled(session, viewer, course)
        session.commit()
        session.execute(  # another writer's enrolment, seen by the next transaction
            insert(Enrollment).values(
                id=uuid.uuid4(), course_id=course, user_id=uuid.UUID(viewer.user_id)
            )
        )
        session.commit()
        assert courses.is_enrolled(session, viewer, course)


def test_enrol_only_in_published_courses(teacher: str, student: str) -> None:
    course_id = new_course(teacher)  # private: enrolment is the way in
    lesson_id = new_lesson(teacher, course_id, "One")
    with session_scope() as session, pytest.raises(NotFound):
        reading.enroll(session, token=student, course_id=course_id)
    with session_scope() as session, pytest.raises(InvalidInput):
        reading.enroll(session, token=teacher, course_id=course_id)
    publish(teacher, course_id)
    syllabus = outline(student, course_id)  # open to read about, closed to read in
    assert not syllabus.can_read and [i.title for i in syllabus.lessons] == ["One"]
    with session_scope() as session, pytest.raises(PermissionDenied):
        reading.read_lesson(session, token=student, course_id=course_id, lesson_id=lesson_id)
    for _ in range(2):
        with session_scope() as session:
            assert reading.enroll(session, token=student, course_id=course_id).enrolled
    assert count(Enrollment) == 1
    assert outline(student, course_id).enrolled and outline(student, course_id).can_read
    with session_scope() as session:
        assert [c.id for c in reading.list_my_courses(session, token=student)] == [course_id]
        reading.read_lesson(session, token=student, course_id=course_id, lesson_id=lesson_id)
    with session_scope() as session:
        progress = session.exec(select(LessonProgress)).one()
    assert progress.first_viewed_at is not None and str(progress.status) == "in_progress"
    with session_scope() as session:  # unpublished again: hidden, enrolment kept
        authoring.unpublish_course(session, token=teacher, course_id=course_id)
    with session_scope() as session:
        assert reading.list_my_courses(session, token=student) == []
        with pytest.raises(NotFound):
            reading.course_outline(session, token=student, course_id=course_id)


def test_bad_ids_are_not_found(teacher: str, student: str) -> None:
    course_id = new_course(teacher)
    for bad in ("not-a-uuid", "", "'; drop table course; --", str(uuid.uuid4())):
        with session_scope() as session:
            with pytest.raises(NotFound):
                reading.course_outline(session, token=student, course_id=bad)
            with pytest.raises(NotFound):
                authoring.publish_course(session, token=teacher, course_id=bad)
            with pytest.raises(NotFound):
                reading.read_lesson(session, token=teacher, course_id=course_id, lesson_id=bad)
            with pytest.raises(NotFound):
                lessons.publish_lesson(session, token=teacher, lesson_id=bad)
            with pytest.raises(NotFound):
                courses.require_course_reader(session, None, bad)


def test_bad_titles_are_refused_and_nothing_is_written(teacher: str) -> None:
    for title in ("", "   ", "x" * 201):
        with session_scope() as session, pytest.raises(InvalidInput) as caught:
            authoring.create_course(session, token=teacher, title=title, description="")
        assert caught.value.field == "title"
    with session_scope() as session, pytest.raises(InvalidInput) as long_text:
        authoring.create_course(session, token=teacher, title="Ok", description="d" * 5001)
    assert long_text.value.field == "description"
    assert count(Course) == 0 and count(CourseTeacher) == 0

    course_id = new_course(teacher)
    with session_scope() as session, pytest.raises(InvalidInput):
        lessons.create_lesson(
            session, token=teacher, course_id=course_id, title=" ", body_markdown=""
        )
    with session_scope() as session, pytest.raises(InvalidInput) as body:
        lessons.create_lesson(
            session, token=teacher, course_id=course_id, title="Big", body_markdown="b" * 200_001
        )
    assert body.value.field == "body_markdown"
    with session_scope() as session, pytest.raises(InvalidInput):
        authoring.update_course(
            session,
            token=teacher,
            course_id=course_id,
            title="x" * 201,
            description="",
            is_public=False,
        )
    assert count(Lesson) == 0 and count(CourseLesson) == 0
    assert outline(teacher, course_id).title == "Intro to Python"


def test_owner_deletes_course_and_lessons_survive(teacher: str) -> None:
    course_id = new_course(teacher)
    new_lesson(teacher, course_id, "One")
    with session_scope() as session:
        authoring.delete_course(session, token=teacher, course_id=course_id)
    assert count(Course) == 0 and count(CourseLesson) == 0 and count(Lesson) == 1


def test_my_courses_come_in_one_statement_with_counts_as_each_reader_sees_them(
    teacher: str, student: str
) -> None:
    """Each course's lessons (drafts counted for its teachers only), the viewer's enrolment
    and whether they teach it come with the list: statements do not grow with the courses."""
    from tests.integration.test_viewing import statements_of

    def mine(token: str) -> tuple[dict[str, authoring.CourseSummary], int]:
        with session_scope() as session, statements_of(session) as sent:
            listed = reading.list_my_courses(session, token=token)
        return {c.id: c for c in listed}, len(sent)

    def course_with_a_draft(title: str) -> str:
        course_id = new_course(teacher, title)
        new_lesson(teacher, course_id, "Published")
        new_lesson(teacher, course_id, "Draft", publish=False)
        publish(teacher, course_id)
        with session_scope() as session:
            reading.enroll(session, token=student, course_id=course_id)
        return course_id

    first = course_with_a_draft("First")
    _, one_for_student = mine(student)
    _, one_for_teacher = mine(teacher)
    others = [course_with_a_draft(f"More {n}") for n in range(4)]
    unpublished = new_course(teacher, "Not yet")  # taught, so listed for its teacher only
    as_student, five_for_student = mine(student)
    as_teacher, six_for_teacher = mine(teacher)
    assert (five_for_student, six_for_teacher) == (one_for_student, one_for_teacher)
    assert set(as_student) == {first, *others} and set(as_teacher) == {first, *others, unpublished}
    assert all(c.enrolled and not c.can_edit and c.lesson_count == 1 for c in as_student.values())
    assert as_teacher[first].can_edit and not as_teacher[first].enrolled
    assert as_teacher[first].lesson_count == 2 and as_teacher[unpublished].lesson_count == 0

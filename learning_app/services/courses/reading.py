"""The student side: my courses, enrolment, the course outline, reading lessons and progress."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, col, select

from learning_app.adapters.postgres import on_event_loop, reads_only, statements_alone
from learning_app.models.base import utc_now
from learning_app.models.content import Course, Enrollment, Lesson, PublishStatus
from learning_app.models.progress import LessonProgress, LessonProgressStatus
from learning_app.services.access.courses import (
    COURSE_NOT_FOUND,
    can_edit_course,
    can_read_course,
    courses_taught,
    forget_enrolments,
    is_enrolled,
    load_course,
    note_enrolment,
    ordered_lesson_ids,
    ordered_lessons,
)
from learning_app.services.access.lessons import open_lesson_in_course, read_lesson_in_course
from learning_app.services.access.prerequisites import course_locks
from learning_app.services.access.roles import is_admin, require_viewer
from learning_app.services.access.viewing import viewer_in_course, viewer_in_lesson
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.courses.authoring import (
    CourseOutline,
    CourseSummary,
    OutlineLesson,
    course_summary,
    summarise,
)
from learning_app.services.courses.catalog import LESSONS_IN_COURSE, PUBLISHED_LESSONS_IN_COURSE
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied
from learning_app.services.markdown_render import render_inline
from learning_app.services.progress import events
from learning_app.services.values import parse_id


@dataclass(frozen=True)
class LessonView:
    """A lesson as read within a course. `body_markdown` is raw: render it sanitised."""

    course_id: str
    course_title: str
    lesson_id: str
    title: str
    summary: str
    body_markdown: str
    is_draft: bool
    position: int
    previous_lesson_id: str  # "" at the start, or when that lesson is locked for the viewer
    next_lesson_id: str  # "" at the end, or when that lesson is locked for the viewer
    completed: bool
    can_edit: bool
    # Why the previous or next lesson is locked for the viewer ("Unlocks when..."), else "".
    previous_locked_reason: str = ""
    next_locked_reason: str = ""


def list_my_courses(session: Session, *, token: str) -> list[CourseSummary]:
    """Courses the viewer teaches now (any status) and published courses they are enrolled in.

    One statement for the list, whatever its length: each course's lesson counts, the
    viewer's enrolment and whether they teach it come as columns (they were two or three
    statements a course)."""
    viewer = require_viewer(session, token)
    me = uuid.UUID(viewer.user_id)
    teaching = courses_taught(viewer)
    enrolled = select(Enrollment.course_id).where(Enrollment.user_id == me)
    rows = session.exec(
        select(  # type: ignore[call-overload]
            Course,
            col(Course.id).in_(teaching),
            col(Course.id).in_(enrolled),
            LESSONS_IN_COURSE,
            PUBLISHED_LESSONS_IN_COURSE,
        )
        .where(
            col(Course.id).in_(teaching)
            | (col(Course.id).in_(enrolled) & (Course.status == PublishStatus.PUBLISHED))
        )
        .order_by(func.lower(Course.title), col(Course.id))
    ).all()
    summaries = []
    for course, teaches, is_student, lessons, published_lessons in rows:
        note_enrolment(session, viewer, course.id, bool(is_student))
        editor = is_admin(viewer) or bool(teaches)
        summaries.append(
            course_summary(
                course,
                editor=editor,
                enrolled=bool(is_student),
                lessons=int(lessons if editor else published_lessons),
            )
        )
    return summaries


def enroll(session: Session, *, token: str, course_id: str) -> CourseSummary:
    """Enrol the viewer in a published course; enrolling twice changes nothing."""
    viewer = require_viewer(session, token)
    course = load_course(session, course_id)
    if course.status != PublishStatus.PUBLISHED:
        if can_edit_course(session, viewer, course):
            raise InvalidInput("Publish the course before students can enrol.", field="course_id")
        raise NotFound(COURSE_NOT_FOUND)
    session.execute(
        pg_insert(Enrollment)
        .values(
            id=uuid.uuid4(),
            course_id=course.id,
            user_id=uuid.UUID(viewer.user_id),
            enrolled_at=utc_now(),  # the service's clock, like every other stamp it writes
        )
        .on_conflict_do_nothing(constraint="uq_enrollment_course_id_user_id")
    )
    forget_enrolments(session)
    return summarise(session, viewer, course)


def leave_course(session: Session, *, token: str, course_id: str) -> bool:
    """Unenrol the viewer; returns whether they were enrolled. Their progress, attempts and
    review history are kept (enrolling again brings them back), but the course's reviews leave
    their queue meanwhile."""
    viewer = require_viewer(session, token)
    left = session.execute(
        sa.delete(Enrollment).where(
            col(Enrollment.course_id) == parse_id(course_id, COURSE_NOT_FOUND),
            col(Enrollment.user_id) == uuid.UUID(viewer.user_id),
        )
    )
    forget_enrolments(session)
    return bool(left.rowcount)  # type: ignore[attr-defined]


def progress_by_lesson(
    session: Session, viewer: Viewer | None, course_id: uuid.UUID
) -> dict[uuid.UUID, LessonProgress]:
    if viewer is None:
        return {}
    rows = session.exec(
        select(LessonProgress).where(
            LessonProgress.course_id == course_id,
            LessonProgress.user_id == uuid.UUID(viewer.user_id),
        )
    ).all()
    return {row.lesson_id: row for row in rows}


@on_event_loop()
@reads_only
def course_outline(session: Session, *, token: str | None, course_id: str) -> CourseOutline:
    """The course and its lessons in order, with the viewer's completion of each.

    Students see published lessons only; editors see drafts too, marked `is_draft`. A published
    course's outline is its syllabus, open to anyone (`can_read` False until they enrol, or for
    a visitor of a course that is not public); its lessons themselves stay closed.
    """
    viewer = viewer_in_course(session, token, course_id)
    course = load_course(session, course_id)
    can_read = can_read_course(session, viewer, course)
    if not can_read and course.status != PublishStatus.PUBLISHED:
        raise NotFound(COURSE_NOT_FOUND)
    editor = can_edit_course(session, viewer, course)
    progress = progress_by_lesson(session, viewer, course.id)
    locks = course_locks(session, viewer, course.id, editor=editor)
    lessons = []
    for lesson, position in ordered_lessons(session, course.id, include_drafts=editor):
        row = progress.get(lesson.id)
        lessons.append(
            OutlineLesson(
                lesson_id=str(lesson.id),
                title=lesson.title,
                summary=lesson.summary or "",
                position=position,
                is_draft=lesson.status != PublishStatus.PUBLISHED,
                viewed=row is not None and row.first_viewed_at is not None,
                completed=row is not None and row.status == LessonProgressStatus.COMPLETED,
                summary_html=render_inline(lesson.summary or ""),
                locked_reason=locks.lesson_reason(lesson.id),
            )
        )
    return CourseOutline(
        course_id=str(course.id),
        title=course.title,
        slug=course.slug,
        description=course.description or "",
        status=PublishStatus(course.status).value,
        is_public=course.is_public,
        can_edit=editor,
        can_read=can_read,
        enrolled=is_enrolled(session, viewer, course.id),
        completed_count=sum(1 for item in lessons if item.completed),
        lessons=lessons,
    )


# Built once (an ORM upsert was built and compiled on every lesson opened). A view keeps the
# first view and moves "not started" on; a completion is kept once set and leaves the last
# view alone.
_RECORD_PROGRESS = sa.text(
    """
    INSERT INTO lesson_progress AS p (id, user_id, course_id, lesson_id, status,
        first_viewed_at, last_viewed_at, completed_at, created_at, updated_at)
    VALUES (:id, :user_id, :course_id, :lesson_id, CAST(:status AS lesson_progress_status),
        :now, :now, CASE WHEN :completed THEN CAST(:now AS timestamptz) END, :now, :now)
    ON CONFLICT ON CONSTRAINT uq_lesson_progress_user_course_lesson DO UPDATE SET
        status = CASE
            WHEN :completed OR p.status = 'not_started' THEN EXCLUDED.status
            ELSE p.status END,
        completed_at = CASE
            WHEN :completed THEN COALESCE(p.completed_at, EXCLUDED.completed_at)
            ELSE p.completed_at END,
        last_viewed_at = CASE WHEN :completed THEN p.last_viewed_at
            ELSE EXCLUDED.last_viewed_at END,
        first_viewed_at = COALESCE(p.first_viewed_at, EXCLUDED.first_viewed_at),
        updated_at = :now
    RETURNING p.status
    """
)


def _record_progress(
    session: Session, viewer: Viewer, course: Course, lesson: Lesson, *, completed: bool
) -> LessonProgressStatus:
    """Upsert the viewer's progress row: views keep the first view; completion is kept once
    set. Returns the row's status after the upsert."""
    status = LessonProgressStatus.COMPLETED if completed else LessonProgressStatus.IN_PROGRESS
    status_after = session.execute(
        _RECORD_PROGRESS,
        {
            "id": uuid.uuid4(),
            "user_id": uuid.UUID(viewer.user_id),
            "course_id": course.id,
            "lesson_id": lesson.id,
            "status": status.value,
            "completed": completed,
            "now": utc_now(),
        },
    ).scalar_one()
    return LessonProgressStatus(status_after)


@on_event_loop()
@statements_alone
def read_lesson(
    session: Session, *, token: str | None, course_id: str, lesson_id: str
) -> LessonView:
    """The lesson as read within the course; records the view for enrolled students.

    Its one write, the view, is a single upsert (`_RECORD_PROGRESS`), so a page's reader
    runs without BEGIN and COMMIT (`statements_alone`)."""
    viewer = viewer_in_lesson(session, token, course_id, lesson_id)
    course, lesson, editor, locks = open_lesson_in_course(session, viewer, course_id, lesson_id)
    progress = None
    if viewer is not None and not editor and is_enrolled(session, viewer, course.id):
        progress = _record_progress(session, viewer, course, lesson, completed=False)
        events.record_event(
            "lesson_viewed",
            user_id=viewer.user_id,
            course_id=course.id,
            context={"lesson_id": str(lesson.id)},
            session=session,
        )
    elif viewer is not None:  # a teacher or a reader of a public course: nothing recorded
        progress = session.exec(
            select(LessonProgress.status).where(
                LessonProgress.user_id == uuid.UUID(viewer.user_id),
                LessonProgress.course_id == course.id,
                LessonProgress.lesson_id == lesson.id,
            )
        ).first()
    ids = ordered_lesson_ids(session, course.id, include_drafts=editor)
    index = ids.index(lesson.id)
    previous_id = ids[index - 1] if index > 0 else None
    next_id = ids[index + 1] if index + 1 < len(ids) else None
    # Never a link into a locked lesson: the reader shows what unlocks it instead.
    previous_locked = locks.lesson_reason(previous_id) if previous_id else ""
    next_locked = locks.lesson_reason(next_id) if next_id else ""
    return LessonView(
        course_id=str(course.id),
        course_title=course.title,
        lesson_id=str(lesson.id),
        title=lesson.title,
        summary=lesson.summary or "",
        body_markdown=lesson.body_markdown or "",
        is_draft=lesson.status != PublishStatus.PUBLISHED,
        position=index,
        previous_lesson_id=str(previous_id) if previous_id and not previous_locked else "",
        next_lesson_id=str(next_id) if next_id and not next_locked else "",
        completed=progress == LessonProgressStatus.COMPLETED,
        can_edit=editor,
        previous_locked_reason=previous_locked,
        next_locked_reason=next_locked,
    )


def mark_lesson_complete(session: Session, *, token: str, course_id: str, lesson_id: str) -> bool:
    """Mark a published lesson complete for the enrolled viewer; marking again changes nothing.

    Returns True when this completes the whole course (every published lesson), which also
    sets the enrolment's `completed_at` the first time.
    """
    viewer = require_viewer(session, token)
    course, lesson, _ = read_lesson_in_course(session, viewer, course_id, lesson_id)
    if not is_enrolled(session, viewer, course.id):
        raise PermissionDenied("Enrol in this course to track your progress.")
    if lesson.status != PublishStatus.PUBLISHED:
        raise InvalidInput("Only published lessons can be completed.", field="lesson_id")
    _record_progress(session, viewer, course, lesson, completed=True)
    events.record_event(
        "lesson_completed",
        user_id=viewer.user_id,
        course_id=course.id,
        context={"lesson_id": str(lesson.id)},
        session=session,
    )
    published = set(ordered_lesson_ids(session, course.id, include_drafts=False))
    done = set(
        session.exec(
            select(LessonProgress.lesson_id).where(
                LessonProgress.user_id == uuid.UUID(viewer.user_id),
                LessonProgress.course_id == course.id,
                LessonProgress.status == LessonProgressStatus.COMPLETED,
            )
        ).all()
    )
    if not published <= done:
        return False
    enrollment = session.exec(
        select(Enrollment).where(
            Enrollment.course_id == course.id, Enrollment.user_id == uuid.UUID(viewer.user_id)
        )
    ).one()
    if enrollment.completed_at is None:
        enrollment.completed_at = utc_now()
        session.add(enrollment)
        session.flush()
    return True

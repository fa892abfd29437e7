"""Courses: teacher authoring, co-teachers and course summaries.

Every function takes the caller's session token and resolves the viewer itself; no function
accepts "the acting user id" from its caller. Permission accessors raise instead of returning
None. A draft course is reported as NotFound to anyone who may not see it, exactly as an id that
does not exist, so probing ids reveals nothing.

Nothing here commits: the caller's `session_scope()` is the one transaction, so a course and its
owner row, or a lesson and its place in a course, are written together or not at all.

Markdown (descriptions, lesson bodies) is stored raw. Rendering and sanitising it (no raw HTML,
safe links) is the UI's job, at display time.

Permission accessors live in `access.courses`, lesson authoring in `lessons`, and the student
side (enrolment, outline, reading, progress) in `reading`.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from learning_app.models.base import utc_now
from learning_app.models.content import (
    Course,
    CourseLesson,
    CourseTeacher,
    CourseTeacherRole,
    Lesson,
    PublishStatus,
)
from learning_app.models.exams import Exam, ExamAttempt
from learning_app.models.sharing import ShareEntityType
from learning_app.models.users import UserProfile, UserRole
from learning_app.services.access.courses import (
    COURSE_NOT_FOUND,
    can_edit_course,
    is_enrolled,
    require_course_editor,
    require_course_owner,
    require_course_reader,
)
from learning_app.services.access.roles import require_teacher, require_viewer
from learning_app.services.accounts.viewers import Viewer, find_account_by_email
from learning_app.services.errors import InvalidInput, NotFound
from learning_app.services.markdown_render import render_inline
from learning_app.services.material.documents import delete_course_objects_later
from learning_app.services.sharing.tokens import delete_links_to
from learning_app.services.text_input import is_blank, one_line, storable
from learning_app.services.values import iso, parse_id

MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 5_000
MAX_SLUG_BASE_LENGTH = 100  # leaves room for "-<n>" within the column's 120 characters
NO_TEACHER_WITH_EMAIL = "No teacher account uses this email address."


@dataclass(frozen=True)
class CourseSummary:
    """A course as lists and forms show it. `published_at` is ISO 8601, "" for drafts."""

    id: str
    title: str
    slug: str
    description: str
    status: str  # "draft" | "published"
    is_public: bool
    published_at: str
    lesson_count: int
    can_edit: bool
    enrolled: bool
    description_html: str = ""  # `description` as a card shows it (`render_inline`)


@dataclass(frozen=True)
class CourseTeacherView:
    user_id: str
    display_name: str
    role: str  # "owner" | "co_teacher"


@dataclass(frozen=True)
class OutlineLesson:
    """One line of a course outline, in course order; `is_draft` only ever shows to editors."""

    lesson_id: str
    title: str
    summary: str
    position: int
    is_draft: bool
    viewed: bool
    completed: bool
    summary_html: str = ""  # `summary` rendered inline (`render_inline`)
    # "Unlocks when you pass Quiz 1 with at least 70%": a prerequisite the viewer has not met
    locked_reason: str = ""


@dataclass(frozen=True)
class CourseOutline:
    course_id: str
    title: str
    slug: str
    description: str
    status: str
    is_public: bool
    can_edit: bool
    can_read: bool  # may open the lessons (editor, enrolled, or public course)
    enrolled: bool
    completed_count: int
    lessons: list[OutlineLesson]


def clean_title(raw: str, field: str = "title") -> str:
    """Trimmed; 1-200 characters."""
    title = one_line((raw or "").strip(), "title", field)
    if is_blank(title):
        raise InvalidInput("Enter a title.", field=field)
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput(f"Use at most {MAX_TITLE_LENGTH} characters for the title.", field=field)
    return title


def clean_description(raw: str) -> str:
    description = storable((raw or "").strip(), "description", "description")
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidInput(
            f"Use at most {MAX_DESCRIPTION_LENGTH:,} characters for the description.",
            field="description",
        )
    return description


def slug_base(title: str) -> str:
    """'Intro to Python 3!' -> 'intro-to-python-3'; accents folded; 'course' if nothing is left."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    slug = slug[:MAX_SLUG_BASE_LENGTH].strip("-")
    return slug or "course"


def _free_slug(session: Session, base: str) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever is not taken yet."""
    taken = set(
        session.exec(
            select(Course.slug).where(
                (col(Course.slug) == base) | col(Course.slug).startswith(f"{base}-")
            )
        ).all()
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def lesson_count(session: Session, course_id: uuid.UUID, *, published_only: bool) -> int:
    query = (
        select(func.count()).select_from(CourseLesson).where(CourseLesson.course_id == course_id)
    )
    if published_only:
        query = query.join(Lesson, col(Lesson.id) == col(CourseLesson.lesson_id)).where(
            Lesson.status == PublishStatus.PUBLISHED
        )
    return int(session.exec(query).one())


def summarise(session: Session, viewer: Viewer | None, course: Course) -> CourseSummary:
    editor = can_edit_course(session, viewer, course)
    return course_summary(
        course,
        editor=editor,
        enrolled=is_enrolled(session, viewer, course.id),
        lessons=lesson_count(session, course.id, published_only=not editor),
    )


def course_summary(course: Course, *, editor: bool, enrolled: bool, lessons: int) -> CourseSummary:
    """The course's summary, from what the caller read about the viewer and its lessons
    (editors count drafts too)."""
    return CourseSummary(
        id=str(course.id),
        title=course.title,
        slug=course.slug,
        description=course.description or "",
        status=PublishStatus(course.status).value,
        is_public=course.is_public,
        published_at=iso(course.published_at),
        lesson_count=lessons,
        can_edit=editor,
        enrolled=enrolled,
        description_html=render_inline(course.description or ""),
    )


def create_course(
    session: Session,
    *,
    token: str,
    title: str,
    description: str,
    is_public: bool = False,
    slug: str | None = None,
) -> CourseSummary:
    """A draft course owned by the viewer (teachers and admins), with its owner row.

    The slug comes from the title unless one is asked for (the CLI names courses by slug);
    an asked-for slug must be free.
    """
    viewer = require_teacher(require_viewer(session, token))
    clean = clean_title(title)
    text = clean_description(description)
    owner_id = uuid.UUID(viewer.user_id)
    if slug is not None and slug_base(slug) != slug:
        raise InvalidInput(f"{slug!r} is not a slug like intro-to-python.", field="slug")
    for _ in range(5):  # another course may take the same slug between the check and the insert
        course = Course(
            owner_id=owner_id,
            title=clean,
            slug=slug or _free_slug(session, slug_base(clean)),
            description=text,
            is_public=is_public,
        )
        try:
            with session.begin_nested():
                session.add(course)
                session.flush()
        except IntegrityError:
            if slug:
                raise InvalidInput(f"Another course uses {slug!r}.", field="slug") from None
            continue
        session.add(
            CourseTeacher(course_id=course.id, user_id=owner_id, role=CourseTeacherRole.OWNER)
        )
        session.flush()
        return summarise(session, viewer, course)
    raise InvalidInput("Could not create the course right now. Please try again.", field="title")


def course_by_slug(session: Session, *, token: str, slug: str) -> CourseSummary:
    """The course named `slug`, if the viewer may read it (NotFound otherwise, as for ids)."""
    viewer = require_viewer(session, token)
    course_id = session.exec(select(Course.id).where(Course.slug == slug.strip().lower())).first()
    if course_id is None:
        raise NotFound(COURSE_NOT_FOUND)
    return summarise(session, viewer, require_course_reader(session, viewer, course_id))


def update_course(
    session: Session,
    *,
    token: str,
    course_id: str,
    title: str,
    description: str,
    is_public: bool,
) -> CourseSummary:
    """Change the course's text and visibility. The slug stays, so shared links keep working."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    course.title = clean_title(title)
    course.description = clean_description(description)
    course.is_public = is_public
    session.add(course)
    session.flush()
    return summarise(session, viewer, course)


def publish_course(session: Session, *, token: str, course_id: str) -> CourseSummary:
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    if course.status != PublishStatus.PUBLISHED:
        course.status = PublishStatus.PUBLISHED
        course.published_at = utc_now()
        session.add(course)
        session.flush()
    return summarise(session, viewer, course)


def unpublish_course(session: Session, *, token: str, course_id: str) -> CourseSummary:
    """Back to draft: students no longer see it (their enrolment and progress are kept)."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    if course.status != PublishStatus.DRAFT:
        course.status = PublishStatus.DRAFT
        course.published_at = None
        session.add(course)
        session.flush()
    return summarise(session, viewer, course)


def delete_course(session: Session, *, token: str, course_id: str) -> None:
    """Delete the course with its places, enrolments, progress, questions and exams (CASCADE).

    Lessons survive: they belong to their authors and may sit in other courses. A course whose
    exams students have taken keeps their results: it cannot be deleted (unpublish it instead).
    """
    viewer = require_viewer(session, token)
    course = require_course_owner(session, viewer, course_id)
    taken = session.exec(
        select(func.count())
        .select_from(ExamAttempt)
        .join(Exam, col(Exam.id) == col(ExamAttempt.exam_id))
        .where(Exam.course_id == course.id)
    ).one()
    if taken:
        raise InvalidInput(
            f"Students have taken this course's exams ({taken} attempt(s)), and their results "
            "are kept. Unpublish the course instead of deleting it."
        )
    delete_links_to(session, ShareEntityType.COURSE, course.id)
    delete_course_objects_later(session, course.id)
    session.execute(delete(Course).where(col(Course.id) == course.id))
    session.expunge(course)


def list_course_teachers(
    session: Session, *, token: str, course_id: str
) -> list[CourseTeacherView]:
    """Owner first, then co-teachers by name (editors only)."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    return _teachers(session, course.id)


def _teachers(session: Session, course_id: uuid.UUID) -> list[CourseTeacherView]:
    rows = session.exec(
        select(CourseTeacher, UserProfile.display_name)
        .join(UserProfile, col(UserProfile.user_id) == col(CourseTeacher.user_id))
        .where(CourseTeacher.course_id == course_id)
    ).all()
    views = [
        CourseTeacherView(
            user_id=str(row.user_id), display_name=name, role=CourseTeacherRole(row.role).value
        )
        for row, name in rows
    ]
    return sorted(views, key=lambda v: (v.role != "owner", v.display_name.lower(), v.user_id))


def add_co_teacher(
    session: Session, *, token: str, course_id: str, email: str
) -> list[CourseTeacherView]:
    """Let another teacher (or admin) edit the course; idempotent. Owner or admin only."""
    viewer = require_viewer(session, token)
    course = require_course_owner(session, viewer, course_id)
    user = find_account_by_email(session, (email or "").strip())
    profile = session.get(UserProfile, user.id) if user is not None else None
    # One message whether the address is unknown or a student's.
    if (
        user is None
        or profile is None
        or not user.is_active
        or UserRole(profile.role) not in (UserRole.TEACHER, UserRole.ADMIN)
    ):
        raise InvalidInput(NO_TEACHER_WITH_EMAIL, field="email")
    session.execute(
        pg_insert(CourseTeacher)
        .values(course_id=course.id, user_id=user.id, role=CourseTeacherRole.CO_TEACHER)
        .on_conflict_do_nothing(index_elements=["course_id", "user_id"])
    )
    return _teachers(session, course.id)


def remove_co_teacher(
    session: Session, *, token: str, course_id: str, user_id: str
) -> list[CourseTeacherView]:
    """Remove a co-teacher (owner or admin; a co-teacher may also remove themselves).

    `user_id` names the co-teacher to remove, not the caller. The owner cannot be removed.
    """
    viewer = require_viewer(session, token)
    target = parse_id(user_id, "That person does not teach this course.")
    if str(target) == viewer.user_id:
        course = require_course_editor(session, viewer, course_id)
    else:
        course = require_course_owner(session, viewer, course_id)
    row = session.get(CourseTeacher, (course.id, target))
    if row is None:
        raise NotFound("That person does not teach this course.")
    if row.role == CourseTeacherRole.OWNER:
        raise InvalidInput("The course's owner cannot be removed.", field="user_id")
    session.delete(row)
    session.flush()
    return _teachers(session, course.id)

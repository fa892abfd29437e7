"""The public catalogue: what anyone may browse."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from learning_app.adapters.postgres import reads_only
from learning_app.models.content import Course, CourseLesson, Lesson, PublishStatus
from learning_app.models.users import UserProfile
from learning_app.services.markdown_render import render_inline

# 24 cards: eight rows of three on a wide screen, a short scroll on a phone; divisible by the
# grid's 1, 2 and 3 columns so no page ends with a half-empty row.
CATALOGUE_PAGE_SIZE = 24
# `?page=` beyond this is refused as a typo or a probe rather than run as a huge OFFSET.
MAX_CATALOGUE_PAGE = 10_000


# A course's lessons, and its published ones, as columns of a listing of courses (correlated
# to `Course`; `authoring.lesson_count` counts them for one course).
LESSONS_IN_COURSE = (
    select(func.count())
    .select_from(CourseLesson)
    .where(CourseLesson.course_id == Course.id)
    .correlate(Course)
    .scalar_subquery()
)
PUBLISHED_LESSONS_IN_COURSE = (
    select(func.count())
    .select_from(CourseLesson)
    .join(Lesson, col(Lesson.id) == col(CourseLesson.lesson_id))
    .where(CourseLesson.course_id == Course.id, Lesson.status == PublishStatus.PUBLISHED)
    .correlate(Course)
    .scalar_subquery()
)


@dataclass(frozen=True)
class CourseCard:
    """A published course as the catalogue shows it."""

    id: str
    title: str
    slug: str
    description: str  # Markdown, as the teacher wrote it
    description_html: str  # rendered for a card: inline, sanitised (`render_inline`)
    teacher_name: str
    lesson_count: int


@dataclass(frozen=True)
class CataloguePage:
    """One page of the catalogue: its cards, its number (from 1) and whether more follow."""

    courses: list[CourseCard]
    page: int
    has_previous: bool
    has_next: bool


def page_number(raw: str | int | None) -> int:
    """The page a `?page=` value asks for; anything that is not a page number means page 1,
    so a mangled link still opens the catalogue."""
    try:
        number = int(str(raw or "1").strip())
    except ValueError:
        return 1
    return min(max(number, 1), MAX_CATALOGUE_PAGE)


def catalogue_page(
    session: Session, *, page: str | int | None = 1, page_size: int = CATALOGUE_PAGE_SIZE
) -> CataloguePage:
    """Page `page` of the published courses, newest first. Offset paging: the catalogue is
    small (hundreds of courses, not millions) and a reader jumps to a numbered page."""
    number = page_number(page)
    # One row more than the page holds says whether a next page exists, without a COUNT.
    rows = list_published_courses(session, limit=page_size + 1, offset=(number - 1) * page_size)
    return CataloguePage(
        courses=rows[:page_size],
        page=number,
        has_previous=number > 1,
        has_next=len(rows) > page_size,
    )


@reads_only
def list_published_courses(
    session: Session, *, limit: int = CATALOGUE_PAGE_SIZE, offset: int = 0
) -> list[CourseCard]:
    rows = session.exec(
        select(Course, UserProfile.display_name, LESSONS_IN_COURSE)
        .join(UserProfile, col(UserProfile.user_id) == col(Course.owner_id), isouter=True)
        .where(Course.status == PublishStatus.PUBLISHED)
        # The id last makes the order total, so no course shows on two pages or on none.
        .order_by(col(Course.published_at).desc().nulls_last(), col(Course.title), col(Course.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return [
        CourseCard(
            id=str(course.id),
            title=course.title,
            slug=course.slug,
            description=course.description or "",
            description_html=render_inline(course.description or ""),
            teacher_name=teacher or "Unknown teacher",
            lesson_count=int(count or 0),
        )
        for course, teacher, count in rows
    ]

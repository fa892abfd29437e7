"""The public catalogue: what anyone may browse."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from learning_app.models.content import Course, CourseLesson, PublishStatus
from learning_app.models.users import UserProfile
from learning_app.services.markdown_render import render_inline

CATALOGUE_PAGE_SIZE = 48


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


def list_published_courses(
    session: Session, *, limit: int = CATALOGUE_PAGE_SIZE
) -> list[CourseCard]:
    lesson_count = (
        select(func.count())
        .where(CourseLesson.course_id == Course.id)
        .correlate(Course)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Course, UserProfile.display_name, lesson_count)
        .join(UserProfile, col(UserProfile.user_id) == col(Course.owner_id), isouter=True)
        .where(Course.status == PublishStatus.PUBLISHED)
        .order_by(col(Course.published_at).desc().nulls_last(), col(Course.title))
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

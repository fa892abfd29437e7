"""Review figures: a student's own (due today, reviews done, the calendar of review days, how
much of what they review they would recall now) and a course's for its teachers (who reviews,
and which items are forgotten most).

Everything is counted in Postgres from `review_log` and `review_card` with set-based queries;
only the predicted recall is computed per card, by the `fsrs` scheduler, over one student's
cards.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from learning_app.models.base import utc_now
from learning_app.models.review import ReviewCard
from learning_app.services.access.courses import require_course_editor
from learning_app.services.access.roles import require_viewer
from learning_app.services.markdown_render import render_plain
from learning_app.services.review import scheduling
from learning_app.services.review.queue import due_entries, today_in
from learning_app.services.time_zones import viewer_zone

HEATMAP_WEEKS = 26
ACTIVE_WINDOW_DAYS = 30
FORGOTTEN_LIMIT = 10
# Fewer reviews than this say nothing about how hard an item is.
FORGOTTEN_MIN_REVIEWS = 3


@dataclass(frozen=True)
class ReviewDay:
    day: str  # ISO date, in the student's zone
    count: int


@dataclass(frozen=True)
class StudentReviews:
    due_today: int  # what /review holds now (at most QUEUE_LIMIT)
    reviews_today: int
    reviews_total: int
    review_days: list[ReviewDay]  # the last HEATMAP_WEEKS weeks, oldest first, every day
    retention_percent: float | None  # mean predicted recall now; None before any review
    cards: int  # items with a memory state


@dataclass(frozen=True)
class ForgottenItem:
    label: str  # plain text: the card's front or the question's prompt
    kind: str  # "flashcard" | "question"
    reviews: int
    again_percent: float


@dataclass(frozen=True)
class CourseReviews:
    reviewers: int  # students with a review in the last ACTIVE_WINDOW_DAYS days
    reviews: int  # reviews in that window
    forgotten: list[ForgottenItem]


_DAYS = sa.text(
    """
    SELECT (reviewed_at AT TIME ZONE :tz)::date AS day, count(*) AS n
    FROM review_log WHERE user_id = :user AND reviewed_at >= :since
    GROUP BY 1
    """
)
_TOTAL = sa.text("SELECT count(*) FROM review_log WHERE user_id = :user")

_COURSE = sa.text(
    """
    SELECT count(DISTINCT user_id) AS reviewers, count(*) AS reviews
    FROM review_log WHERE course_id = :course AND reviewed_at >= :since
    """
)
# Items by the share of their reviews rated Again (a lapse or a miss); a student's own cards
# are theirs, not the course's, and stay out.
_FORGOTTEN = sa.text(
    """
    SELECT coalesce(f.front_markdown, q.prompt_markdown) AS label,
           CASE WHEN rc.flashcard_id IS NULL THEN 'question' ELSE 'flashcard' END AS kind,
           count(*) AS reviews,
           100.0 * count(*) FILTER (WHERE l.rating = 1) / count(*) AS again_percent
    FROM review_log l
    JOIN review_card rc ON rc.id = l.review_card_id
    LEFT JOIN flashcard f ON f.id = rc.flashcard_id
    LEFT JOIN question q ON q.id = rc.question_id
    WHERE l.course_id = :course AND f.owner_id IS NULL
    GROUP BY rc.flashcard_id, rc.question_id, f.front_markdown, q.prompt_markdown
    HAVING count(*) >= :min_reviews AND count(*) FILTER (WHERE l.rating = 1) > 0
    ORDER BY again_percent DESC, reviews DESC
    LIMIT :limit
    """
)


def _calendar(counts: dict[date, int], today: date) -> list[ReviewDay]:
    first = today - timedelta(days=HEATMAP_WEEKS * 7 - 1)
    return [
        ReviewDay((first + timedelta(days=n)).isoformat(), counts.get(first + timedelta(days=n), 0))
        for n in range(HEATMAP_WEEKS * 7)
    ]


def _retention(session: Session, user_id: uuid.UUID, now: datetime) -> tuple[float | None, int]:
    rows = session.exec(select(ReviewCard).where(ReviewCard.user_id == user_id)).all()
    reviewed = [row for row in rows if row.last_review is not None]
    if not reviewed:
        return None, len(rows)
    mean = sum(scheduling.retrievability(row, now) for row in reviewed) / len(reviewed)
    return round(100 * mean, 1), len(rows)


def my_reviews(
    session: Session, *, token: str | None, now: datetime | None = None
) -> StudentReviews:
    viewer = require_viewer(session, token)
    user_id, zone, moment = (
        uuid.UUID(viewer.user_id),
        viewer_zone(session, viewer),
        now or utc_now(),
    )
    day = today_in(zone, moment)
    today = date.fromisoformat(day.date_iso)
    since = day.start - timedelta(days=HEATMAP_WEEKS * 7 - 1)
    counts = {
        row.day: int(row.n)
        for row in session.execute(_DAYS, {"tz": zone.key, "user": user_id, "since": since})
    }
    retention, cards = _retention(session, user_id, moment)
    return StudentReviews(
        due_today=len(due_entries(session, viewer, day)),
        reviews_today=counts.get(today, 0),
        reviews_total=int(session.execute(_TOTAL, {"user": user_id}).scalar() or 0),
        review_days=_calendar(counts, today),
        retention_percent=retention,
        cards=cards,
    )


def course_reviews(
    session: Session, *, token: str | None, course_id: str, now: datetime | None = None
) -> CourseReviews:
    """For the course's teachers: who reviews, and the items most often forgotten."""
    course = require_course_editor(session, require_viewer(session, token), course_id)
    since = (now or utc_now()) - timedelta(days=ACTIVE_WINDOW_DAYS)
    totals = session.execute(_COURSE, {"course": course.id, "since": since}).one()
    rows = session.execute(
        _FORGOTTEN,
        {"course": course.id, "min_reviews": FORGOTTEN_MIN_REVIEWS, "limit": FORGOTTEN_LIMIT},
    ).all()
    return CourseReviews(
        reviewers=int(totals.reviewers),
        reviews=int(totals.reviews),
        forgotten=[
            ForgottenItem(
                render_plain(row.label)[:160],
                row.kind,
                int(row.reviews),
                round(row.again_percent, 1),
            )
            for row in rows
        ],
    )

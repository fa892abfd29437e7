"""What a student reviews today: the due queue, across all their courses.

An item is due today when its due moment falls before the end of today in the student's own
time zone (a card due at 15:00 is due all day, as in Anki). The queue holds:

1. their memory states (`review_card`) due today, soonest first;
2. then new flashcards: a course card once the student has opened its lesson (or, without a
   lesson, once enrolled), and their own cards; at most `NEW_CARDS_PER_DAY` first reviews a
   day, so a teacher adding 200 cards does not bury anyone.

Only what the student may still read is in it: the course published and the student enrolled
(an unpublished course or an unenrolment takes its items out, and they come back as they were
if that is undone), the flashcard or question not archived, and a lesson's cards only while
the student's mastery path has the lesson unlocked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from learning_app.models.base import utc_now
from learning_app.services.access.prerequisites import LOCKED_LESSON_PLACES_SQL, locked_sql_params
from learning_app.services.access.roles import require_viewer
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.time_zones import viewer_zone

NEW_CARDS_PER_DAY = 20
# One sitting's worth; the page loads the rest when these are done.
QUEUE_LIMIT = 200


@dataclass(frozen=True)
class QueueEntry:
    """One item to review. `reps` is the version of its memory state the review must name
    (0 for a flashcard never reviewed, which has no `review_card_id` yet)."""

    review_card_id: str | None
    flashcard_id: str | None
    question_id: str | None
    course_id: str
    reps: int


@dataclass(frozen=True)
class Day:
    """Today in the student's zone, as UTC bounds."""

    start: datetime
    end: datetime
    date_iso: str


def today_in(zone: ZoneInfo, now: datetime) -> Day:
    local = now.astimezone(zone).date()
    start = datetime.combine(local, time(), zone)
    return Day(start, datetime.combine(local + timedelta(days=1), time(), zone), local.isoformat())


# The courses whose items the student reviews (enrolled and published), and the lesson places
# of them a prerequisite still locks for the student: their cards wait with the lesson (a
# prerequisite added after a card's first review included). In the statement itself, so the
# queue stays two round trips.
_READABLE = "".join(
    (
        """
    WITH readable AS (
        SELECT e.course_id FROM enrollment e JOIN course c ON c.id = e.course_id
        WHERE e.user_id = :user AND c.status = 'published'
    ), locked AS (
    """,
        LOCKED_LESSON_PLACES_SQL,
        """
        AND p.course_id IN (SELECT course_id FROM readable)
    )
    """,
    )
)
_UNLOCKED = """
    NOT EXISTS (
        SELECT 1 FROM locked
        WHERE locked.course_id = f.course_id AND locked.lesson_id = f.lesson_id)
"""

_DUE = sa.text(
    _READABLE  # noqa: S608 (module constants joined, nothing from input)
    + """
    SELECT rc.id, rc.flashcard_id, rc.question_id, rc.course_id, rc.reps
    FROM review_card rc
    LEFT JOIN flashcard f ON f.id = rc.flashcard_id
    LEFT JOIN question q ON q.id = rc.question_id
    WHERE rc.user_id = :user AND rc.due < :day_end
      AND rc.course_id IN (SELECT course_id FROM readable)
      AND f.archived_at IS NULL AND q.archived_at IS NULL
      AND """
    + _UNLOCKED
    + """
    ORDER BY rc.due, rc.id
    LIMIT :limit
    """
)

# A lesson card waits until the student has opened the lesson in that course.
_NEW = sa.text(
    _READABLE  # noqa: S608 (module constants joined, nothing from input)
    + """
    SELECT f.id, f.course_id
    FROM flashcard f
    WHERE f.course_id IN (SELECT course_id FROM readable)
      AND f.archived_at IS NULL
      AND (f.owner_id IS NULL OR f.owner_id = :user)
      AND NOT EXISTS (
          SELECT 1 FROM review_card rc WHERE rc.user_id = :user AND rc.flashcard_id = f.id)
      AND (f.lesson_id IS NULL OR f.owner_id IS NOT NULL OR EXISTS (
          SELECT 1 FROM lesson_progress lp
          WHERE lp.user_id = :user AND lp.lesson_id = f.lesson_id AND lp.course_id = f.course_id))
      AND """
    + _UNLOCKED
    + """
    ORDER BY f.owner_id IS NULL, f.created_at, f.id
    LIMIT :limit
    """
)

# A flashcard's first review is its log's sequence 0 (a question's comes from an exam). Read
# through the log's (user_id, reviewed_at) index: the student's card rows are spread over as
# many pages as they have cards.
_NEW_SEEN_TODAY = sa.text(
    """
    SELECT count(*) FROM review_log l JOIN review_card rc ON rc.id = l.review_card_id
    WHERE l.user_id = :user AND l.reviewed_at >= :day_start AND l.sequence = 0
      AND rc.flashcard_id IS NOT NULL
    """
)


def new_cards_left(session: Session, user_id: uuid.UUID, day: Day) -> int:
    seen = session.execute(_NEW_SEEN_TODAY, {"user": user_id, "day_start": day.start}).scalar()
    return max(0, NEW_CARDS_PER_DAY - int(seen or 0))


def due_entries(
    session: Session, viewer: Viewer, day: Day, *, limit: int = QUEUE_LIMIT
) -> list[QueueEntry]:
    """The queue of one student for `day` (see the module docstring)."""
    user_id = uuid.UUID(viewer.user_id)
    scope = locked_sql_params(viewer)
    rows = session.execute(_DUE, {**scope, "day_end": day.end, "limit": limit}).all()
    entries = [
        QueueEntry(
            str(row.id),
            str(row.flashcard_id) if row.flashcard_id else None,
            str(row.question_id) if row.question_id else None,
            str(row.course_id),
            row.reps,
        )
        for row in rows
    ]
    room = min(limit - len(entries), new_cards_left(session, user_id, day))
    if room > 0:
        fresh = session.execute(_NEW, {**scope, "limit": room}).all()
        entries += [QueueEntry(None, str(row.id), None, str(row.course_id), 0) for row in fresh]
    return entries


def due_queue(
    session: Session, *, token: str | None, now: datetime | None = None, limit: int = QUEUE_LIMIT
) -> list[QueueEntry]:
    """The signed-in student's queue for today in their time zone."""
    viewer = require_viewer(session, token)
    day = today_in(viewer_zone(session, viewer), now or utc_now())
    return due_entries(session, viewer, day, limit=limit)

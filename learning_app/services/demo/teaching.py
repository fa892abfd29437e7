"""What the demo world's teachers and visitors do while its students study (`history`): two
share links, visitors following the public one, and essays marked the day after they arrive."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from learning_app.adapters.postgres import session_scope
from learning_app.models.base import simulated_clock
from learning_app.services.attempts.essay_grading import grade_essay_answer, pending_essays
from learning_app.services.demo.seeded import DemoWorld, SeededCourse
from learning_app.services.sharing.links import create_share_link, open_share_link

# Whose latest essay in each of their own courses stays unmarked: the README's teacher has
# work waiting in the grading queue (one or two essays, one per course she owns).
BEHIND_WITH_MARKING = "teacher@example.com"


def moment_of(world: DemoWorld, days_ago: int, hour: int, rng: random.Random) -> datetime:
    """A moment on that UTC day at about `hour`; today, never later than an hour ago (a study
    session lasts less than an hour, and none may end after the seed)."""
    day = (world.now - timedelta(days=days_ago)).date()
    moment = datetime(day.year, day.month, day.day, hour, rng.randint(0, 50), tzinfo=UTC)
    latest = world.now - timedelta(minutes=60 + rng.randint(0, 30))
    return min(moment, latest)


def share_links(world: DemoWorld, days_ago: int) -> list[tuple[str, str]]:
    """The Python course for anyone with the link; a Silk Roads lesson for signed-in readers."""
    by_key = {course.content.key: course for course in world.courses}
    python, silk = by_key["python"], by_key["history"]
    token = world.tokens[python.owner_email]
    links = []
    moment = moment_of(world, days_ago, 9, random.Random(days_ago))  # noqa: S311 - not a secret
    with session_scope() as session, simulated_clock(moment):
        course_link = create_share_link(
            session,
            token=token,
            entity_type="course",
            entity_id=python.course_id,
            visibility="public",
            expires_in_days=60,
        )
        lesson_link = create_share_link(
            session,
            token=token,
            entity_type="lesson",
            entity_id=silk.lesson_ids[0],
            visibility="signed_in",
            expires_in_days=30,
        )
    links.append((f"course {python.content.title} (anyone with the link)", course_link.path))
    links.append((f"lesson {silk.content.lessons[0].title} (signed in)", lesson_link.path))
    return links


def visitors_open(world: DemoWorld, path: str, days_ago: int, rng: random.Random) -> None:
    """A few visitors follow the public link each day (its view count and `share_opened`)."""
    raw_token = path.rsplit("/", 1)[-1]
    for visitor in range(rng.randint(0, 3)):
        with session_scope() as session, simulated_clock(moment_of(world, days_ago, 12, rng)):
            open_share_link(session, raw_token=raw_token, client_ip=f"198.51.100.{visitor + 1}")


def mark_essays(world: DemoWorld) -> None:
    """Each course's owner marks its essays the day after they arrive, except the latest one in
    each course of the teacher who is behind with marking."""
    to_mark: list[tuple[str, SeededCourse, Any]] = []
    with session_scope() as session:
        for course in world.courses:
            token = world.tokens[course.owner_email]
            queue = pending_essays(session, token=token, course_id=course.course_id)  # oldest 1st
            if course.owner_email == BEHIND_WITH_MARKING:
                queue = queue[:-1]
            to_mark += [(essay.submitted_at, course, essay) for essay in queue]
    for submitted_at, course, essay in sorted(to_mark, key=lambda item: item[0]):
        submitted = datetime.fromisoformat(submitted_at)
        when = min(submitted + timedelta(hours=18), world.now - timedelta(minutes=20))
        written = next(e for e in course.content.essays if e.text == essay.essay_text)
        with session_scope() as session, simulated_clock(max(when, submitted)):
            grade_essay_answer(
                session,
                token=world.tokens[course.owner_email],
                answer_id=essay.answer_id,
                points=round(written.share_of_points * essay.max_points),
                feedback=written.feedback,
            )

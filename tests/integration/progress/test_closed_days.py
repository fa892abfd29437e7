"""Closed days: who was counted active is kept for the last days only, and an event that still
arrives for an older day has that day recomputed whole, by one job however many arrive."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from learning_app.adapters.job_queue import waiting_jobs
from learning_app.adapters.postgres import session_scope
from learning_app.jobs.analytics import close_old_days_job
from learning_app.models.analytics import AnalyticsEvent
from learning_app.models.base import utc_now
from learning_app.services.progress.events import flush_events, record_event
from learning_app.services.progress.rollups import ACTIVE_USERS_KEPT_DAYS, ROLLUP_DAY_TASK
from tests.integration.people import person
from tests.integration.progress.test_progress_stats import brute_rollups, rolled_up, uid
from tests.integration.search.helpers import run_queue_once


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _user_rows(session: Session) -> dict[date, int]:
    rows = session.execute(
        sa.text("SELECT day, count(*) FROM analytics_daily_user GROUP BY day")
    ).all()
    return {day: count for day, count in rows}


def _recomputes_waiting(session: Session) -> list[str]:
    return [
        str(args["day"])
        for task, args in waiting_jobs(session, "default")
        if task == ROLLUP_DAY_TASK
    ]


def _exact(session: Session) -> bool:
    return rolled_up(session) == brute_rollups(list(session.exec(select(AnalyticsEvent)).all()))


def test_old_days_close_and_their_late_events_recompute_the_day(stores: None) -> None:
    ada, bea, cy, dee = (uid(person(name)) for name in ("ada", "bea", "cy", "dee"))
    today = utc_now().astimezone(UTC).date()
    old, last_kept = today - timedelta(days=30), today - timedelta(days=ACTIVE_USERS_KEPT_DAYS)
    for user, day in ((ada, old), (bea, old), (ada, last_kept), (ada, today)):
        record_event("lesson_viewed", user_id=user, course_id=None, occurred_at=_at(day, 9))
    flush_events()

    close_old_days_job(timestamp=0)
    with session_scope() as session:
        assert old not in _user_rows(session)  # forgotten; the kept days keep theirs
        assert {last_kept, today} <= set(_user_rows(session))
        assert _exact(session)  # closing changes no count

    # Late events for the closed day: one who was counted there, one who was not, in two
    # flushes. Neither is added; one recompute waits.
    record_event("lesson_viewed", user_id=ada, course_id=None, occurred_at=_at(old, 10))
    record_event("tutor_asked", user_id=cy, course_id=None, occurred_at=_at(old, 11))
    flush_events()
    record_event("tutor_asked", user_id=cy, course_id=None, occurred_at=_at(old, 12))
    record_event("lesson_viewed", user_id=dee, course_id=None, occurred_at=_at(last_kept, 8))
    flush_events()
    with session_scope() as session:
        assert _recomputes_waiting(session) == [old.isoformat()]
        assert not _exact(session)
        late_kept = rolled_up(session)[(last_kept, None, "lesson_viewed")]
        assert late_kept == (2, 2)  # a kept day's late event is added at once

    run_queue_once("default")
    with session_scope() as session:
        assert _recomputes_waiting(session) == []
        assert _exact(session)
        assert old in _user_rows(session)  # the recompute wrote them again ...
    close_old_days_job(timestamp=0)
    with session_scope() as session:
        assert old not in _user_rows(session)  # ... and the next run forgets them
        assert _exact(session)

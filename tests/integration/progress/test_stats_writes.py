"""The flush writes a student's figures only when its events change them: most events (an
answer, a search, another page the same day) change none, and rewriting every active student's
`user_stats` and `user_profile` rows every few seconds was most of the flush's Postgres work."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from learning_app.adapters.postgres import session_scope
from learning_app.models.base import utc_now
from learning_app.services.accounts.sessions import resolve_session
from learning_app.services.progress.events import flush_events, record_event
from learning_app.services.progress.user_stats import recompute_user_stats
from learning_app.services.progress.xp import XP_RULES
from tests.integration.people import person

_VERSIONS = sa.text(
    """
    SELECT s.user_id, s.xmin::text, p.xmin::text, s.current_streak_days, p.xp
    FROM user_stats s JOIN user_profile p ON p.user_id = s.user_id
    WHERE s.user_id = ANY(:ids)
    """
)


def _rows(*ids: uuid.UUID) -> dict[uuid.UUID, tuple[str, str, int, int]]:
    """Each user's row versions (`xmin`: the transaction that last wrote the row) and two of
    their figures."""
    with session_scope() as session:
        rows = session.execute(_VERSIONS, {"ids": list(ids)}).all()
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}


def _student(name: str) -> uuid.UUID:
    found = resolve_session(person(name))
    assert found is not None
    return found


def test_a_flush_writes_only_the_figures_its_events_change(stores: None) -> None:
    ada, bob = _student("ada"), _student("bob")
    yesterday = utc_now() - timedelta(days=1)
    for student in (ada, bob):
        record_event("lesson_viewed", user_id=student, course_id=None, occurred_at=yesterday)
    flush_events()
    before = _rows(ada, bob)
    day_xp = XP_RULES["active_day"]
    assert {figures[2:] for figures in before.values()} == {(1, day_xp)}  # one active day each

    # Ada searches on a day already counted; Bob comes back today, a second day.
    record_event("search_performed", user_id=ada, course_id=None, occurred_at=yesterday)
    record_event("lesson_viewed", user_id=bob, course_id=None)
    assert flush_events().stored == 2
    after = _rows(ada, bob)

    assert after[ada] == before[ada]  # neither row written again
    assert after[bob][:2] != before[bob][:2]
    assert after[bob][2:] == (2, 2 * day_xp)

    # What was left unwritten is what a full recompute from every event finds.
    with session_scope() as session:
        recompute_user_stats(session, [ada, bob], rebuild=True)
    assert _rows(ada, bob)[ada] == before[ada]
    assert _rows(ada, bob)[bob][2:] == (2, 2 * day_xp)

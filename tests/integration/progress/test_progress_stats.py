"""Roll-ups, user stats and dashboards against the real stores, checked against brute-force
computations over the same raw events."""

from __future__ import annotations

import random
import re
import threading
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy import update
from sqlmodel import Session, select

from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.adapters.redis_store import get_redis
from learning_app.models.analytics import AnalyticsDaily, AnalyticsEvent
from learning_app.models.base import utc_now
from learning_app.models.progress import UserActiveDay, UserStats
from learning_app.models.users import UserProfile, UserRole
from learning_app.services.accounts.sessions import resolve_session
from learning_app.services.attempts import taking
from learning_app.services.courses import authoring as courses_authoring
from learning_app.services.courses import reading
from learning_app.services.errors import PermissionDenied
from learning_app.services.exams import authoring as exams_authoring
from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
from learning_app.services.progress import dashboards
from learning_app.services.progress.events import (
    BUFFER_KEY,
    PROCESSING_KEY,
    build_event,
    flush_events,
    record_event,
)
from learning_app.services.progress.rollups import (
    ALL_EVENTS,
    lock_rollups,
    refresh_teacher_views,
    rollup_day,
    rollup_since,
)
from learning_app.services.progress.user_stats import (
    recompute_all_user_stats,
    recompute_user_stats,
    reference_day,
    streaks,
)
from learning_app.services.progress.xp import Achievements, xp_for
from learning_app.services.questions import bank as question_bank
from learning_app.services.questions.bank import OptionDraft, QuestionDraft
from tests.integration.people import new_course, new_lesson, person, publish

ZONES = ["UTC", "Pacific/Auckland", "America/Los_Angeles", "Not/AZone"]


def uid(token: str) -> uuid.UUID:
    found = resolve_session(token)
    assert found is not None
    return found


def random_events(users: list[uuid.UUID], course_ids: list[uuid.UUID], now: datetime) -> None:
    """Events over six days, many near UTC midnight; lessons repeat, attempts get regraded,
    some by a teacher's mark (not the student's activity)."""
    rng = random.Random(7)
    for _ in range(600):
        user = rng.choice(users)
        moment = now - timedelta(days=rng.randrange(6), minutes=rng.randrange(24 * 60))
        if rng.random() < 0.3:  # straddle a midnight
            moment = moment.replace(hour=rng.choice([23, 0]), minute=rng.randrange(60))
        course = rng.choice([*course_ids, None])
        name = rng.choice(["lesson_viewed", "lesson_completed", "exam_completed", "tutor_asked"])
        context: dict[str, object] = {"lesson_id": f"l{rng.randrange(4)}"}
        if name == "exam_completed":
            percent = rng.choice([None, 35.0, 60.0, 90.0])
            context = {
                "exam_id": f"e{rng.randrange(3)}",
                "attempt_id": f"{user}-a{rng.randrange(4)}",
                "percent": percent,
                "passed": None if percent is None else percent >= 60,
                "by_student": rng.random() < 0.7,
            }
        record_event(name, user_id=user, course_id=course, context=context, occurred_at=moment)


def by_student(event: AnalyticsEvent) -> bool:
    return event.context.get("by_student") is not False


def brute_rollups(events: list[AnalyticsEvent]) -> dict[tuple, tuple[int, int]]:
    groups: dict[tuple, list[AnalyticsEvent]] = defaultdict(list)
    for e in events:
        day = e.occurred_at.astimezone(UTC).date()
        groups[(day, e.course_id, e.name)].append(e)
        groups[(day, e.course_id, ALL_EVENTS)].append(e)
    return {
        key: (len(rows), len({r.user_id for r in rows if r.user_id and by_student(r)}))
        for key, rows in groups.items()
    }


def rolled_up(session: Session) -> dict[tuple, tuple[int, int]]:
    return {
        (d.day, d.course_id, d.event_name): (d.event_count, d.active_users)
        for d in session.exec(select(AnalyticsDaily)).all()
    }


def brute_stats(events: list[AnalyticsEvent], zone: ZoneInfo, now: datetime) -> dict[str, object]:
    completions = [e for e in events if e.name == "lesson_completed"]
    lessons = {(e.course_id, e.context["lesson_id"]) for e in completions}
    latest: dict[str, AnalyticsEvent] = {}
    for e in sorted(events, key=lambda e: (e.occurred_at, e.id)):
        if e.name == "exam_completed":
            latest[e.context["attempt_id"]] = e
    graded = [e.context for e in latest.values() if e.context["passed"] is not None]
    passed = {c["exam_id"] for c in graded if c["passed"]}
    active = {e.occurred_at.astimezone(zone).date() for e in events if by_student(e)}
    streak = streaks(active, reference_day(zone, now))
    average = round(sum(c["percent"] for c in graded) / len(graded), 2) if graded else None
    return {
        "lessons_completed": len(lessons),
        "exams_passed": len(passed),
        "average_score": average,
        "current_streak_days": streak.current,
        "longest_streak_days": streak.longest,
        "last_active_date": streak.last_active,
        "xp": xp_for(Achievements(len(lessons), len(passed), len(active))),
    }


def test_rollups_and_stats_equal_a_brute_force_count(stores: None) -> None:
    tokens = [person(f"learner{i}") for i in range(len(ZONES))]
    users = [uid(t) for t in tokens]
    with session_scope() as session:
        for user, zone in zip(users, ZONES, strict=True):
            session.execute(
                update(UserProfile).where(UserProfile.user_id == user).values(timezone=zone)
            )
    teacher = person("rosa", UserRole.TEACHER)
    course_ids = [uuid.UUID(new_course(teacher, f"Course {i}")) for i in range(2)]
    now = utc_now()
    random_events(users, course_ids, now)
    flush_events(batch_size=97)  # several batches, each adding to the roll-ups it touches
    with session_scope() as session:
        events = list(session.exec(select(AnalyticsEvent)).all())
        assert rolled_up(session) == brute_rollups(events)
        assert rollup_since(session, now.date() - timedelta(days=7), now=now) == 8
        rollup_since(session, now.date() - timedelta(days=7), now=now)  # idempotent
        recompute_user_stats(session, users, now=now)
    with session_scope() as session:
        events = list(session.exec(select(AnalyticsEvent)).all())
        assert len(events) == 600
        assert rolled_up(session) == brute_rollups(events)
        for user, zone in zip(users, ZONES, strict=True):
            stats = session.get(UserStats, user)
            profile = session.get(UserProfile, user)
            assert stats is not None and profile is not None
            mine = [e for e in events if e.user_id == user]
            expected = brute_stats(mine, ZoneInfo("UTC" if zone == "Not/AZone" else zone), now)
            actual = {key: getattr(stats, key) for key in expected if key != "xp"}
            assert {**actual, "xp": profile.xp} == expected, zone


def _exam(teacher: str, course_id: str) -> str:
    with session_scope() as session:
        qid = question_bank.create_question(
            session,
            token=teacher,
            course_id=course_id,
            draft=QuestionDraft(
                type="single_choice",
                prompt="2 + 2?",
                options=[OptionDraft("4", True), OptionDraft("5")],
            ),
        ).id
        exam = exams_authoring.save_exam(
            session,
            token=teacher,
            course_id=course_id,
            draft=ExamDraft(title="Sums", questions=[ExamQuestionDraft(qid)]),
        )
        exams_authoring.set_exam_published(session, token=teacher, exam_id=exam.id, published=True)
    return exam.id


def test_a_student_learns_and_both_dashboards_show_it(teacher: str, student: str) -> None:
    course_id = new_course(teacher, "Arithmetic")
    lesson_ids = [new_lesson(teacher, course_id, title) for title in ("Adding", "Carrying")]
    exam_id = _exam(teacher, course_id)
    publish(teacher, course_id)
    with session_scope() as session:
        empty = dashboards.student_dashboard(session, token=student)
    assert (empty.xp, empty.current_streak, empty.courses, empty.recent_scores) == (0, 0, [], [])

    with session_scope() as session:
        reading.enroll(session, token=student, course_id=course_id)
        reading.read_lesson(session, token=student, course_id=course_id, lesson_id=lesson_ids[0])
        reading.mark_lesson_complete(
            session, token=student, course_id=course_id, lesson_id=lesson_ids[0]
        )
        view = taking.start_attempt(session, token=student, exam_id=exam_id)
    question = view.questions[0]
    right = next(o.id for o in question.options if o.body == "4")
    with session_scope() as session:
        taking.save_answer(
            session,
            token=student,
            attempt_id=view.attempt_id,
            question_id=question.question_id,
            response={"option_id": right},
        )
        taking.submit_attempt(session, token=student, attempt_id=view.attempt_id)
    flush_events()
    with session_scope() as session:
        mine = dashboards.student_dashboard(session, token=student)
        refresh_teacher_views(session)
    assert mine.xp == 10 + 50 + 2 and mine.current_streak == 1
    assert (mine.lessons_completed, mine.exams_passed, mine.average_score) == (1, 1, 100.0)
    assert mine.courses == [dashboards.CourseProgress(course_id, "Arithmetic", 1, 2, 50)]
    assert [(s.label, s.percent) for s in mine.recent_scores] == [("Sums #1", 100.0)]
    assert mine.next_lesson is not None and mine.next_lesson.lesson_title == "Carrying"

    with session_scope() as session:
        board = dashboards.course_dashboard(session, token=teacher, course_id=course_id)
    assert board.students == 1 and len(board.enrolments) == 1
    assert board.enrolments[0].count == 1
    assert [(s.lesson_title, s.viewed, s.completed) for s in board.funnel] == [
        ("Adding", 1, 1),
        ("Carrying", 0, 0),
    ]
    assert [(e.title, e.attempts, e.buckets[9]) for e in board.exams] == [("Sums", 1, 1)]
    assert [(q.prompt, q.correct_percent) for q in board.hardest] == [("2 + 2?", 100.0)]
    assert [d.count for d in board.daily_active] == [1]

    refused = pytest.raises(PermissionDenied, match="teachers can see its dashboard")
    with refused, session_scope() as session:
        dashboards.course_dashboard(session, token=student, course_id=course_id)


def test_the_dashboard_of_a_course_with_no_students(teacher: str, student: str) -> None:
    course_id = new_course(teacher, "Quiet course")
    new_lesson(teacher, course_id, "Only lesson")
    _exam(teacher, course_id)
    with session_scope() as session:
        courses_authoring.publish_course(session, token=teacher, course_id=course_id)
        refresh_teacher_views(session)
        board = dashboards.course_dashboard(session, token=teacher, course_id=course_id)
    assert board.students == 0 and board.enrolments == [] and board.daily_active == []
    assert [(s.viewed, s.completed) for s in board.funnel] == [(0, 0)]
    assert [(e.attempts, sum(e.buckets)) for e in board.exams] == [(0, 0)]
    assert board.hardest == []
    # A student who is not even enrolled is refused too, never shown zeros.
    with pytest.raises(PermissionDenied), session_scope() as session:
        dashboards.course_dashboard(session, token=student, course_id=course_id)


def _day_rows(day: date) -> list[tuple[str, int, int]]:
    with session_scope() as session:
        rows = session.exec(select(AnalyticsDaily).where(AnalyticsDaily.day == day)).all()
        return sorted((r.event_name, r.event_count, r.active_users) for r in rows)


def test_late_events_are_added_to_their_own_day_and_a_recompute_agrees(stores: None) -> None:
    day = date(2026, 1, 5)
    noon = datetime(2026, 1, 5, 12, tzinfo=UTC)
    student = uid(person("ada"))
    record_event("tutor_asked", user_id=None, course_id=None, occurred_at=noon)
    record_event("tutor_asked", user_id=student, course_id=None, occurred_at=noon)
    flush_events()
    assert _day_rows(day) == [(ALL_EVENTS, 2, 1), ("tutor_asked", 2, 1)]
    # Days later: the same student again, a teacher's mark, and an event of another name.
    record_event("tutor_asked", user_id=student, course_id=None, occurred_at=noon)
    mark = {"by_student": False}
    record_event(
        "exam_completed", user_id=uid(person("bea")), course_id=None, context=mark, occurred_at=noon
    )
    record_event("lesson_viewed", user_id=student, course_id=None, occurred_at=noon)
    flush_events()
    expected = [
        (ALL_EVENTS, 5, 1),
        ("exam_completed", 1, 0),
        ("lesson_viewed", 1, 1),
        ("tutor_asked", 3, 1),
    ]
    assert _day_rows(day) == expected
    with session_scope() as session:
        rollup_since(session, day, now=noon)
    assert _day_rows(day) == expected


def test_a_batch_flushed_again_after_a_crash_is_counted_once(stores: None) -> None:
    """A flush that died after storing its batch, before the ack, leaves the batch in the
    processing list: the next flush stores none of it again, and adds nothing to the days."""
    day = date(2026, 2, 1)
    moment = datetime(2026, 2, 1, 9, tzinfo=UTC)
    student = uid(person("ada"))
    lines = [
        build_event("lesson_viewed", user_id=student, course_id=None, occurred_at=moment)
        for _ in range(3)
    ]
    get_redis().lpush(BUFFER_KEY, *lines)
    assert flush_events().stored == 3
    get_redis().lpush(PROCESSING_KEY, *lines)
    again = flush_events()
    assert (again.received, again.stored) == (3, 0)
    assert _day_rows(day) == [(ALL_EVENTS, 3, 1), ("lesson_viewed", 3, 1)]


def test_a_flush_waits_for_a_recompute_of_the_day_and_is_counted_once(stores: None) -> None:
    day = date(2026, 3, 1)
    moment = datetime(2026, 3, 1, 9, tzinfo=UTC)
    record_event("tutor_asked", user_id=None, course_id=None, occurred_at=moment)
    with Session(get_engine()) as recompute, recompute.begin():
        lock_rollups(recompute)
        flush = threading.Thread(target=flush_events)
        flush.start()
        flush.join(timeout=0.5)
        assert flush.is_alive()  # the flush waits for the lock
        rollup_day(recompute, day)
    flush.join(timeout=30)
    assert not flush.is_alive()
    assert _day_rows(day) == [(ALL_EVENTS, 1, 0), ("tutor_asked", 1, 0)]


def _plan_among_many_events(user: uuid.UUID, statement: str, params: dict[str, object]) -> str:
    """The plan of `statement` once 30,000 of `user`'s events are stored and analysed."""
    with session_scope() as session:
        session.execute(
            sa.insert(AnalyticsEvent),
            [
                {"name": "lesson_viewed", "user_id": user, "occurred_at": utc_now()}
                for _ in range(30_000)
            ],
        )
        session.execute(sa.text("ANALYZE analytics_event"))
    with session_scope() as session:
        rows = session.execute(sa.text(f"EXPLAIN {statement}"), params)
        return "\n".join(row[0] for row in rows)


def test_a_flush_reads_none_of_the_days_earlier_events(student: str) -> None:
    """However many events a day already has, the flush's roll-up reads only its batch."""
    from learning_app.services.progress.events import _STORE_BATCH

    me = uid(student)
    batch = "[" + build_event("lesson_viewed", user_id=me, course_id=None) + "]"
    params = {"batch": batch, "all_events": ALL_EVENTS, "zones": "[]"}
    plan = _plan_among_many_events(me, _STORE_BATCH.text, params)
    assert not re.search(r"Scan\b.* on analytics_event\b", plan), plan


def test_recomputing_a_users_stats_reads_none_of_their_events(student: str) -> None:
    """The flush recomputes its batch's users every few seconds: their figures come from the
    digests of their events (`progress.digests`), however many events they or anyone caused."""
    import json

    from learning_app.services.progress.user_stats import _FIGURES

    me = str(uid(student))
    zones = json.dumps([{"user_id": me, "tz": "UTC"}])
    params = {"zones": zones, "user_ids": [me]}
    plan = _plan_among_many_events(uid(student), _FIGURES.text, params)
    assert "analytics_event" not in plan, plan
    with session_scope() as session:
        assert recompute_user_stats(session, [uid(student)]) == 1


def test_a_student_whose_zone_changed_has_their_days_counted_again(student: str) -> None:
    """Active days are kept in the zone they were counted in; once the student's zone is
    another, their days are derived from the events again, in the new zone."""
    me = uid(student)
    late_evening = utc_now().replace(hour=23, minute=30) - timedelta(days=3)
    for days_back in (0, 1):  # two UTC evenings in a row: a streak of 2 in UTC
        record_event(
            "lesson_viewed",
            user_id=me,
            course_id=None,
            occurred_at=late_evening - timedelta(days=days_back),
        )
    flush_events()
    with session_scope() as session:
        assert session.get(UserStats, me).longest_streak_days == 2  # type: ignore[union-attr]
        session.execute(
            update(UserProfile).where(UserProfile.user_id == me).values(timezone="Asia/Tokyo")
        )
    with session_scope() as session:
        recompute_user_stats(session, [me])
    with session_scope() as session:
        stats = session.get(UserStats, me)
        assert stats is not None and stats.longest_streak_days == 2
        # 23:30 UTC is 08:30 the next morning in Tokyo: the same two days, a day later.
        assert stats.last_active_date == (late_evening + timedelta(days=1)).date()
        zones = session.exec(select(UserActiveDay.tz).where(UserActiveDay.user_id == me)).all()
        assert set(zones) == {"Asia/Tokyo"}


def test_a_full_recompute_from_the_events_agrees_with_the_digests(stores: None) -> None:
    users = [uid(person(f"learner{i}")) for i in range(3)]
    teacher = person("rosa", UserRole.TEACHER)
    now = utc_now()
    random_events(users, [uuid.UUID(new_course(teacher, "Course"))], now)
    flush_events(batch_size=50)

    def stats() -> list[tuple[object, ...]]:
        with session_scope() as session:
            rows = session.exec(select(UserStats).order_by(UserStats.user_id)).all()
            return [
                (r.lessons_completed, r.exams_passed, r.average_score, r.longest_streak_days)
                for r in rows
            ]

    kept = stats()
    with session_scope() as session:
        assert recompute_all_user_stats(session) == len(users) + 1  # and the teacher
    assert stats() == kept

"""Roll-ups, user stats and dashboards against the real stores, checked against brute-force
computations over the same raw events."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.models.analytics import AnalyticsDaily, AnalyticsEvent
from learning_app.models.base import utc_now
from learning_app.models.progress import UserStats
from learning_app.models.users import UserProfile, UserRole
from learning_app.services.accounts.sessions import resolve_session
from learning_app.services.attempts import taking
from learning_app.services.courses import authoring as courses_authoring
from learning_app.services.courses import reading
from learning_app.services.errors import PermissionDenied
from learning_app.services.exams import authoring as exams_authoring
from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
from learning_app.services.progress import dashboards
from learning_app.services.progress.events import flush_events, record_event
from learning_app.services.progress.rollups import ALL_EVENTS, refresh_teacher_views, rollup_since
from learning_app.services.progress.user_stats import recompute_user_stats, reference_day, streaks
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
    flush_events(batch_size=97)  # several batches
    with session_scope() as session:
        assert rollup_since(session, now.date() - timedelta(days=7), now=now) == 8
        rollup_since(session, now.date() - timedelta(days=7), now=now)  # idempotent
        recompute_user_stats(session, users, now=now)
    with session_scope() as session:
        events = list(session.exec(select(AnalyticsEvent)).all())
        daily = session.exec(select(AnalyticsDaily)).all()
        rolled = {
            (d.day, d.course_id, d.event_name): (d.event_count, d.active_users) for d in daily
        }
        assert len(events) == 600
        assert rolled == brute_rollups(events)
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
        rollup_since(session, utc_now().date())
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


def test_a_day_recomputed_after_late_events_replaces_its_rows(stores: None) -> None:
    day = date(2026, 1, 5)
    noon = datetime(2026, 1, 5, 12, tzinfo=UTC)
    record_event("tutor_asked", user_id=None, course_id=None, occurred_at=noon)
    flush_events()
    with session_scope() as session:
        rollup_since(session, day, now=noon)
    record_event("tutor_asked", user_id=None, course_id=None, occurred_at=noon)  # late
    flush_events()
    with session_scope() as session:
        rollup_since(session, day, now=noon)
        rows = session.exec(select(AnalyticsDaily).where(AnalyticsDaily.day == day)).all()
    assert sorted((r.event_name, r.event_count, r.active_users) for r in rows) == [
        (ALL_EVENTS, 2, 0),
        ("tutor_asked", 2, 0),
    ]


def test_recomputing_a_users_stats_reads_their_events_not_everyones(student: str) -> None:
    """The flush recomputes its batch's users every few seconds: their figures come from
    their own events through the user_id index, however many other events are stored."""
    import json

    from sqlalchemy import insert, text

    from learning_app.services.progress.user_stats import _FIGURES

    someone_else = uid(person("grace"))
    with session_scope() as session:
        session.execute(
            insert(AnalyticsEvent),
            [
                {"name": "lesson_viewed", "user_id": someone_else, "occurred_at": utc_now()}
                for _ in range(30_000)
            ],
        )
        session.execute(text("ANALYZE analytics_event"))
    me = str(uid(student))
    zones = json.dumps([{"user_id": me, "tz": "UTC"}])
    with session_scope() as session:
        plan = "\n".join(
            row[0]
            for row in session.execute(
                text(f"EXPLAIN {_FIGURES.text}"), {"zones": zones, "user_ids": [me]}
            )
        )
        assert "Seq Scan on analytics_event" not in plan, plan
        assert recompute_user_stats(session, [uid(student)]) == 1

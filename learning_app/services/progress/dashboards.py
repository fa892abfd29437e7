"""What the dashboards show: a student's own progress, and a course's figures for its teachers.

The student dashboard reads the student's own rows (a few small indexed queries). The teacher
dashboard never aggregates raw rows on a page view: it reads the daily roll-ups
(`analytics_daily`) and the materialized views of migration 0004, refreshed by jobs, so its
cost does not grow with the number of events, answers or students.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from learning_app.models.content import Course
from learning_app.models.progress import UserStats
from learning_app.models.users import UserProfile
from learning_app.services.access.courses import require_course_editor
from learning_app.services.access.roles import require_viewer
from learning_app.services.errors import PermissionDenied
from learning_app.services.markdown_render import render_plain
from learning_app.services.progress.rollups import ALL_EVENTS
from learning_app.services.progress.streak_freezes import StreakStatus, streak_status
from learning_app.services.progress.user_stats import reference_day
from learning_app.services.time_zones import user_zone

RECENT_SCORES = 10
ACTIVITY_DAYS = 30
HARDEST_QUESTIONS = 5
SCORE_BUCKETS = [f"{low}-{low + 9 if low < 90 else 100}" for low in range(0, 100, 10)]
NOT_A_TEACHER = "Only the course's teachers can see its dashboard."


@dataclass(frozen=True)
class CourseProgress:
    course_id: str
    title: str
    completed: int
    total: int
    percent: int


@dataclass(frozen=True)
class ScorePoint:
    label: str  # "Python check #2"
    percent: float
    passed: bool


@dataclass(frozen=True)
class NextLesson:
    course_id: str
    course_title: str
    lesson_id: str
    lesson_title: str


@dataclass(frozen=True)
class StudentDashboard:
    display_name: str
    xp: int
    current_streak: int
    longest_streak: int
    lessons_completed: int
    exams_passed: int
    average_score: float | None
    courses: list[CourseProgress] = field(default_factory=list)
    recent_scores: list[ScorePoint] = field(default_factory=list)
    next_lesson: NextLesson | None = None
    streak: StreakStatus | None = None


@dataclass(frozen=True)
class DayCount:
    day: str  # ISO date
    count: int


@dataclass(frozen=True)
class FunnelStep:
    position: int
    lesson_title: str
    viewed: int
    completed: int


@dataclass(frozen=True)
class ExamScores:
    exam_id: str
    title: str
    attempts: int
    buckets: list[int]  # graded attempts per SCORE_BUCKETS entry


@dataclass(frozen=True)
class HardQuestion:
    question_id: str
    prompt: str
    answers: int
    correct_percent: float


@dataclass(frozen=True)
class CourseDashboard:
    course_id: str
    title: str
    students: int
    enrolments: list[DayCount]  # cumulative, one point per day with enrolments
    funnel: list[FunnelStep]
    exams: list[ExamScores]
    hardest: list[HardQuestion]
    daily_active: list[DayCount]


# --- student --------------------------------------------------------------------------------

_COURSE_PROGRESS = sa.text(
    """
    SELECT c.id, c.title,
           count(l.id) AS total,
           count(p.id) FILTER (WHERE p.status = 'completed') AS completed
    FROM enrollment e
    JOIN course c ON c.id = e.course_id AND c.status = 'published'
    LEFT JOIN course_lesson cl ON cl.course_id = c.id
    LEFT JOIN lesson l ON l.id = cl.lesson_id AND l.status = 'published'
    LEFT JOIN lesson_progress p
        ON p.user_id = e.user_id AND p.course_id = c.id AND p.lesson_id = l.id
    WHERE e.user_id = :me
    GROUP BY c.id, c.title
    ORDER BY lower(c.title), c.id
    """
)

# The first lesson not completed yet, in the course the student touched last.
_NEXT_LESSON = sa.text(
    """
    SELECT c.id AS course_id, c.title AS course_title, l.id AS lesson_id, l.title AS lesson_title
    FROM enrollment e
    JOIN course c ON c.id = e.course_id AND c.status = 'published'
    JOIN course_lesson cl ON cl.course_id = c.id
    JOIN lesson l ON l.id = cl.lesson_id AND l.status = 'published'
    WHERE e.user_id = :me AND NOT EXISTS (
        SELECT 1 FROM lesson_progress p
        WHERE p.user_id = e.user_id AND p.course_id = c.id AND p.lesson_id = l.id
          AND p.status = 'completed')
    ORDER BY (SELECT max(p.updated_at) FROM lesson_progress p
              WHERE p.user_id = e.user_id AND p.course_id = c.id) DESC NULLS LAST,
             e.enrolled_at DESC, cl.position
    LIMIT 1
    """
)

_RECENT_SCORES = sa.text(
    """
    SELECT x.title, a.attempt_number, a.percent, coalesce(a.passed, false) AS passed
    FROM exam_attempt a JOIN exam x ON x.id = a.exam_id
    WHERE a.user_id = :me AND a.percent IS NOT NULL AND a.status = 'graded'
    ORDER BY a.submitted_at DESC NULLS LAST, a.id
    LIMIT :limit
    """
)


def student_dashboard(session: Session, *, token: str) -> StudentDashboard:
    """The viewer's own progress; any signed-in user has one (empty until they learn)."""
    viewer = require_viewer(session, token)
    me = uuid.UUID(viewer.user_id)
    profile = session.get(UserProfile, me)
    stats = session.get(UserStats, me)
    streak = streak_status(session, me, user_zone(profile.timezone if profile else None))
    courses = [
        CourseProgress(
            course_id=str(row.id),
            title=row.title,
            completed=row.completed,
            total=row.total,
            percent=round(100 * row.completed / row.total) if row.total else 0,
        )
        for row in session.execute(_COURSE_PROGRESS, {"me": me})
    ]
    scores = [
        ScorePoint(f"{row.title} #{row.attempt_number}", round(row.percent, 1), row.passed)
        for row in session.execute(_RECENT_SCORES, {"me": me, "limit": RECENT_SCORES})
    ]
    upcoming = session.execute(_NEXT_LESSON, {"me": me}).first()
    return StudentDashboard(
        display_name=viewer.display_name,
        xp=profile.xp if profile else 0,
        current_streak=streak.current,
        longest_streak=stats.longest_streak_days if stats else 0,
        lessons_completed=stats.lessons_completed if stats else 0,
        exams_passed=stats.exams_passed if stats else 0,
        average_score=stats.average_score if stats else None,
        courses=courses,
        recent_scores=list(reversed(scores)),  # oldest first, as a chart reads
        streak=streak,
        next_lesson=NextLesson(
            str(upcoming.course_id),
            upcoming.course_title,
            str(upcoming.lesson_id),
            upcoming.lesson_title,
        )
        if upcoming
        else None,
    )


# --- teacher --------------------------------------------------------------------------------

COURSE_QUERIES: dict[str, sa.TextClause] = {
    "students": sa.text("SELECT count(*) FROM enrollment WHERE course_id = :course"),
    "enrolments": sa.text(
        "SELECT day, enrolments FROM course_enrolment_daily WHERE course_id = :course ORDER BY day"
    ),
    "funnel": sa.text(
        """
        SELECT cl.position, l.title, coalesce(f.viewed, 0) AS viewed,
               coalesce(f.completed, 0) AS completed
        FROM course_lesson cl JOIN lesson l ON l.id = cl.lesson_id AND l.status = 'published'
        LEFT JOIN lesson_funnel f ON f.course_id = cl.course_id AND f.lesson_id = cl.lesson_id
        WHERE cl.course_id = :course ORDER BY cl.position
        """
    ),
    "scores": sa.text(
        """
        SELECT x.id, x.title, d.bucket, d.attempts
        FROM exam x LEFT JOIN exam_score_distribution d ON d.exam_id = x.id
            AND d.course_id = x.course_id
        WHERE x.course_id = :course ORDER BY x.created_at, x.id, d.bucket
        """
    ),
    "hardest": sa.text(
        """
        SELECT r.question_id, q.prompt_markdown, r.answers,
               100.0 * r.correct / r.answers AS correct_percent
        FROM question_correct_rate r JOIN question q ON q.id = r.question_id
        WHERE r.course_id = :course AND r.answers > 0
        ORDER BY r.correct::float8 / r.answers, r.answers DESC, r.question_id LIMIT :limit
        """
    ),
    "daily_active": sa.text(
        """
        SELECT day, active_users FROM analytics_daily
        WHERE course_id = :course AND event_name = :all_events AND day >= :since ORDER BY day
        """
    ),
}


def _short(markdown: str, limit: int = 80) -> str:
    """A question's prompt as a chart label: its words, read by the Markdown renderer."""
    text = render_plain(markdown[: limit * 20])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _exam_scores(rows: list[sa.Row]) -> list[ExamScores]:
    exams: dict[str, ExamScores] = {}
    for exam_id, title, bucket, attempts in rows:
        entry = exams.setdefault(
            str(exam_id), ExamScores(str(exam_id), title, 0, [0] * len(SCORE_BUCKETS))
        )
        if bucket is not None:
            entry.buckets[bucket] = attempts
    return [ExamScores(e.exam_id, e.title, sum(e.buckets), e.buckets) for e in exams.values()]


def course_figures(session: Session, course_id: uuid.UUID, today: date) -> dict[str, list]:
    """Every teacher-dashboard query for one course (the benchmark times exactly these)."""
    params = {
        "course": course_id,
        "limit": HARDEST_QUESTIONS,
        "all_events": ALL_EVENTS,
        "since": today - timedelta(days=ACTIVITY_DAYS),
    }
    return {name: list(session.execute(q, params).all()) for name, q in COURSE_QUERIES.items()}


def course_dashboard(session: Session, *, token: str, course_id: str) -> CourseDashboard:
    """A course's figures, for its teachers and admins only."""
    viewer = require_viewer(session, token)
    try:
        course: Course = require_course_editor(session, viewer, course_id)
    except PermissionDenied:
        raise PermissionDenied(NOT_A_TEACHER) from None
    figures = course_figures(session, course.id, reference_day(user_zone("UTC")))
    total = 0
    enrolments = []
    for day, count in figures["enrolments"]:
        total += count
        enrolments.append(DayCount(day.isoformat(), total))
    return CourseDashboard(
        course_id=str(course.id),
        title=course.title,
        students=figures["students"][0][0],
        enrolments=enrolments,
        funnel=[
            FunnelStep(number, title, viewed, completed)
            for number, (_, title, viewed, completed) in enumerate(figures["funnel"], start=1)
        ],
        exams=_exam_scores(figures["scores"]),
        hardest=[
            HardQuestion(str(qid), _short(prompt), answers, round(float(rate), 1))
            for qid, prompt, answers, rate in figures["hardest"]
        ],
        daily_active=[DayCount(day.isoformat(), n) for day, n in figures["daily_active"]],
    )

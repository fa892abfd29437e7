"""Accommodations: one student's exams adjusted by a teacher (more time, more attempts, their
own open and close dates), as Moodle's user overrides and Canvas's "moderate quiz".

`terms_for` is what every exam rule reads for a student (starting an attempt, its deadline,
the attempts left, whether the exam is open, what the intro and the exam list say): the exam's
own settings adjusted by the student's accommodations. A standing accommodation (no exam)
covers every exam of the course; one for an exam wins over it field by field, extra time
(factor or minutes) counting as one field. An attempt keeps the deadline it started with
(`exam_attempt.deadline_at`), so a change reaches only the attempts started after it, and the
deadline job, which reads that column, honours it as it is.
"""

from __future__ import annotations

import dataclasses
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, or_
from sqlmodel import Session, col, select

from learning_app.models.base import utc_now
from learning_app.models.content import Enrollment
from learning_app.models.exams import Exam
from learning_app.models.teaching import Accommodation
from learning_app.models.users import User, UserProfile
from learning_app.services import held_facts
from learning_app.services.access.courses import require_course_editor
from learning_app.services.access.roles import require_viewer
from learning_app.services.accounts.viewers import find_account_by_email
from learning_app.services.errors import InvalidInput, NotFound
from learning_app.services.exams.authoring import parse_moment
from learning_app.services.time_zones import viewer_zone
from learning_app.services.values import parse_id

MAX_TIME_FACTOR = 10.0
MAX_EXTRA_MINUTES = 24 * 60
MAX_EXTRA_ATTEMPTS = 20
ACCOMMODATION_NOT_FOUND = "We could not find that accommodation."
NOT_A_STUDENT = "That student is not enrolled in this course."


@dataclass(frozen=True)
class ExamTerms:
    """An exam's limits for one student."""

    time_limit: timedelta | None
    max_attempts: int | None
    opens_at: datetime | None
    closes_at: datetime | None
    adjusted: bool = False  # an accommodation changed something

    def is_open(self, now: datetime) -> bool:
        return (self.opens_at is None or self.opens_at <= now) and (
            self.closes_at is None or now < self.closes_at
        )

    @property
    def time_limit_minutes(self) -> int | None:
        if self.time_limit is None:
            return None
        return math.ceil(self.time_limit.total_seconds() / 60)

    def deadline(self, started: datetime) -> datetime | None:
        """An attempt's deadline: its time limit from the start, never after the close."""
        deadline = started + self.time_limit if self.time_limit else None
        if self.closes_at is not None and (deadline is None or self.closes_at < deadline):
            return self.closes_at
        return deadline


@dataclass(frozen=True)
class AccommodationView:
    id: str
    student_name: str
    student_email: str
    exam_id: str  # "" for a standing accommodation (every exam of the course)
    exam_title: str  # "All exams" for a standing one
    summary: str  # "1.5 times the time · +1 attempt · closes 2026-12-05 09:00 UTC"
    # Set by `grant_accommodation` only: what the grant replaced, and what the teacher should
    # know about it (a closing time already past locks the student out).
    replaced: str = ""
    warning: str = ""


@dataclass(frozen=True)
class StudentChoice:
    email: str
    name: str


@dataclass(frozen=True)
class ExamChoice:
    id: str
    title: str


@dataclass(frozen=True)
class AccommodationsPage:
    """What the teacher's accommodations page shows and offers."""

    course_id: str
    course_title: str
    students: list[StudentChoice]
    exams: list[ExamChoice]
    accommodations: list[AccommodationView]
    time_zone: str  # the teacher's, in which the form's times are read and shown


def _own_terms(exam: Exam) -> ExamTerms:
    limit = timedelta(minutes=exam.time_limit_minutes) if exam.time_limit_minutes else None
    return ExamTerms(limit, exam.max_attempts, exam.opens_at, exam.closes_at)


def _adjust(exam: Exam, rows: list[Accommodation]) -> ExamTerms:
    """`rows`: the exam's own accommodation first (if any), then the standing one."""
    own = _own_terms(exam)
    if not rows:
        return own
    timing = next((r for r in rows if r.time_factor or r.extra_minutes), None)
    limit = own.time_limit
    if limit is not None and timing is not None:
        limit = limit * timing.time_factor if timing.time_factor else limit
        limit += timedelta(minutes=timing.extra_minutes or 0)
    extra = next((r.extra_attempts for r in rows if r.extra_attempts), 0)
    attempts = own.max_attempts + extra if own.max_attempts is not None else None
    opens = next((r.opens_at for r in rows if r.opens_at), own.opens_at)
    closes = next((r.closes_at for r in rows if r.closes_at), own.closes_at)
    return ExamTerms(limit, attempts, opens, closes, adjusted=True)


# Built once: every exam page and every start reads it.
_STUDENTS_ACCOMMODATIONS = select(Accommodation).where(
    Accommodation.user_id == bindparam("user_id"),
    col(Accommodation.course_id).in_(bindparam("course_ids", expanding=True)),
    or_(
        col(Accommodation.exam_id).is_(None),
        col(Accommodation.exam_id).in_(bindparam("exam_ids", expanding=True)),
    ),
)


def terms_for_exams(
    session: Session, exams: Iterable[Exam], user_id: uuid.UUID | None
) -> dict[uuid.UUID, ExamTerms]:
    """Each exam's terms for this student (one query however many exams, none when the
    exams' read-ahead found the student has no accommodation for them: `held_facts`)."""
    exams = list(exams)
    if user_id is None or all(held_facts.is_unaccommodated(session, user_id, e.id) for e in exams):
        return {exam.id: _own_terms(exam) for exam in exams}
    params = {
        "user_id": user_id,
        "course_ids": list({exam.course_id for exam in exams}),
        "exam_ids": [exam.id for exam in exams],
    }
    rows = session.exec(_STUDENTS_ACCOMMODATIONS, params=params).all()
    terms = {}
    for exam in exams:
        mine = [r for r in rows if r.exam_id == exam.id]
        mine += [r for r in rows if r.exam_id is None and r.course_id == exam.course_id]
        terms[exam.id] = _adjust(exam, mine)
    return terms


def terms_for(session: Session, exam: Exam, user_id: uuid.UUID | None) -> ExamTerms:
    return terms_for_exams(session, [exam], user_id)[exam.id]


# --- teachers ------------------------------------------------------------------------------


def _check_numbers(
    time_factor: float | None, extra_minutes: float | None, extra_attempts: float | None
) -> None:
    if time_factor is not None and extra_minutes is not None:
        raise InvalidInput("Give extra time as a factor or as minutes, not both.", "time_factor")
    if time_factor is not None and not (
        math.isfinite(time_factor) and 1 < time_factor <= MAX_TIME_FACTOR
    ):
        raise InvalidInput(
            f"A time factor is more than 1 and at most {MAX_TIME_FACTOR:g} (1.5 is half as "
            "long again).",
            "time_factor",
        )
    if extra_minutes is not None and not 0 < extra_minutes <= MAX_EXTRA_MINUTES:
        raise InvalidInput(
            f"Extra time is between 1 and {MAX_EXTRA_MINUTES:,} minutes; it cannot be negative.",
            "extra_minutes",
        )
    if extra_attempts is not None and not 0 < extra_attempts <= MAX_EXTRA_ATTEMPTS:
        raise InvalidInput(
            f"Extra attempts are between 1 and {MAX_EXTRA_ATTEMPTS}.", "extra_attempts"
        )


def _enrolled_student(session: Session, course_id: uuid.UUID, email: str) -> User:
    user = find_account_by_email(session, email.strip())
    enrolled = (
        user is not None
        and session.exec(
            select(Enrollment.id).where(
                Enrollment.course_id == course_id, Enrollment.user_id == user.id
            )
        ).first()
    )
    if user is None or not enrolled:
        # The same words either way: a teacher learns nothing about other courses' students.
        raise InvalidInput(NOT_A_STUDENT, "student")
    return user


def _number(raw: object, label: str, field_name: str, *, whole: bool) -> float | None:
    """A form's number ("" or None: not given), or a clear message."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = float(str(raw).strip()) if isinstance(raw, str) else float(raw)  # type: ignore[arg-type]
    except ValueError:
        raise InvalidInput(f"{label} must be a number.", field_name) from None
    if whole and value != int(value):
        raise InvalidInput(f"{label} must be a whole number.", field_name)
    return value


def grant_accommodation(
    session: Session,
    *,
    token: str | None,
    course_id: str,
    student_email: str,
    exam_id: str | None = None,
    time_factor: float | str | None = None,
    extra_minutes: int | str | None = None,
    extra_attempts: int | str | None = None,
    opens_at: datetime | str | None = None,
    closes_at: datetime | str | None = None,
) -> AccommodationView:
    """Set one student's accommodation for one exam (`exam_id`) or for every exam of the
    course; setting it again replaces it. Every check runs before anything is written."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    factor = _number(time_factor, "The time factor", "time_factor", whole=False)
    minutes = _number(extra_minutes, "Extra minutes", "extra_minutes", whole=True)
    attempts = _number(extra_attempts, "Extra attempts", "extra_attempts", whole=True)
    _check_numbers(factor, minutes, attempts)
    zone = viewer_zone(session, viewer)  # a date without an offset is in the teacher's zone
    opens_at = parse_moment(opens_at, zone, "The opening time", "opens_at")
    closes_at = parse_moment(closes_at, zone, "The closing time", "closes_at")
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise InvalidInput("The close date must be after the open date.", "closes_at")
    if not any(v is not None for v in (factor, minutes, attempts, opens_at, closes_at)):
        raise InvalidInput("Choose at least one adjustment: time, attempts or dates.")
    student = _enrolled_student(session, course.id, student_email)
    exam = None
    if exam_id:
        exam = session.get(Exam, parse_id(exam_id, "We could not find that exam."))
        if exam is None or exam.course_id != course.id:
            raise NotFound("We could not find that exam in this course.")
    row = session.exec(
        select(Accommodation)
        .where(
            Accommodation.user_id == student.id,
            Accommodation.course_id == course.id,
            Accommodation.exam_id == exam.id if exam else col(Accommodation.exam_id).is_(None),
        )
        .with_for_update()
    ).first()
    replaced = describe(row, zone) if row is not None else ""
    row = row or Accommodation(
        course_id=course.id, exam_id=exam.id if exam else None, user_id=student.id
    )
    row.time_factor = factor
    row.extra_minutes = None if minutes is None else int(minutes)
    row.extra_attempts = None if attempts is None else int(attempts)
    row.opens_at, row.closes_at = opens_at, closes_at
    row.granted_by = uuid.UUID(viewer.user_id)
    session.add(row)
    session.flush()
    view = _views(session, [row], zone)[0]
    warning = ""
    if closes_at is not None and closes_at <= utc_now():
        which = "this exam" if exam else "the course's exams"
        warning = (
            f"That closing time has passed: {view.student_name} cannot start {which} "
            "until you change it."
        )
    return dataclasses.replace(view, replaced=replaced, warning=warning)


def revoke_accommodation(session: Session, *, token: str | None, accommodation_id: str) -> None:
    viewer = require_viewer(session, token)
    row = session.get(Accommodation, parse_id(accommodation_id, ACCOMMODATION_NOT_FOUND))
    if row is None:
        raise NotFound(ACCOMMODATION_NOT_FOUND)
    require_course_editor(session, viewer, row.course_id)
    session.delete(row)


def list_accommodations(
    session: Session, *, token: str | None, course_id: str
) -> list[AccommodationView]:
    return accommodations_page(session, token=token, course_id=course_id).accommodations


def accommodations_page(
    session: Session, *, token: str | None, course_id: str
) -> AccommodationsPage:
    """The course's accommodations, its enrolled students and its exams (teachers only)."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    zone = viewer_zone(session, viewer)
    rows = session.exec(
        select(Accommodation)
        .where(Accommodation.course_id == course.id)
        .order_by(col(Accommodation.created_at), col(Accommodation.id))
    ).all()
    students = session.exec(
        select(User.email, UserProfile.display_name)
        .join(Enrollment, col(Enrollment.user_id) == col(User.id))
        .join(UserProfile, col(UserProfile.user_id) == col(User.id))
        .where(Enrollment.course_id == course.id)
        .order_by(col(UserProfile.display_name), col(User.email))
    ).all()
    exams = session.exec(
        select(Exam.id, Exam.title)
        .where(Exam.course_id == course.id)
        .order_by(col(Exam.created_at), col(Exam.id))
    ).all()
    return AccommodationsPage(
        str(course.id),
        course.title,
        [StudentChoice(email, name) for email, name in students],
        [ExamChoice(str(exam_id), title) for exam_id, title in exams],
        _views(session, list(rows), zone),
        zone.key,
    )


def _moment(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}"


def describe(row: Accommodation, zone: ZoneInfo) -> str:
    """ "1.5 times the time · +1 attempt · closes 2026-12-05 09:00 UTC", times in `zone`."""
    parts = []
    if row.time_factor:
        parts.append(f"{row.time_factor:g} times the time")
    if row.extra_minutes:
        parts.append(f"+{row.extra_minutes} min")
    if row.extra_attempts:
        parts.append(f"+{row.extra_attempts} attempt{'s' if row.extra_attempts > 1 else ''}")
    if row.opens_at:
        parts.append(f"opens {_moment(row.opens_at, zone)}")
    if row.closes_at:
        parts.append(f"closes {_moment(row.closes_at, zone)}")
    return " · ".join(parts)


def _views(session: Session, rows: list[Accommodation], zone: ZoneInfo) -> list[AccommodationView]:
    people = {
        user_id: (name, email)
        for user_id, name, email in session.exec(
            select(User.id, UserProfile.display_name, User.email)
            .join(UserProfile, col(UserProfile.user_id) == col(User.id))
            .where(col(User.id).in_({r.user_id for r in rows}))
        ).all()
    }
    exam_ids = {r.exam_id for r in rows if r.exam_id}
    titles = dict(session.exec(select(Exam.id, Exam.title).where(col(Exam.id).in_(exam_ids))).all())
    return [
        AccommodationView(
            id=str(r.id),
            student_name=people[r.user_id][0],
            student_email=people[r.user_id][1],
            exam_id=str(r.exam_id or ""),
            exam_title=titles.get(r.exam_id, "All exams") if r.exam_id else "All exams",
            summary=describe(r, zone),
        )
        for r in rows
    ]

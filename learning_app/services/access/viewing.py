"""The viewer read with the first rows an action reads: one statement, not three.

Most pages begin the same way: resolve the viewer (a statement on their account), load the
course (or the lesson in its course, or the exam with its course) and ask whether the viewer
is enrolled there. Under load each statement costs a round trip held in the worker's slot
(`adapters/unit_slots.py`), so these read all three at once: the account's columns joined
from the left (NULL for a visitor, an unknown session or a deactivated account) and the
enrolment as a column. The rows they load stay in the session, and the checks that follow
(`read_course`, `course_and_lesson`, `read_exam`, `is_enrolled`) find them there: the rules
are the access package's as before, only their reads are shared.

When nothing is found (an unknown or malformed id) the viewer is resolved on its own, and the
check that follows refuses as it always did.

A course's and a lesson's rows also say whether any prerequisite gates something in the
course, an exam's whether one gates the exam and whether the viewer has an accommodation for
it: when not, the unit notes it (`held_facts`) and the prerequisite and accommodation checks
that follow skip their statements. A lesson's rows carry the course's lesson order too, and an
exam's its question count, which the reads after them find there; a course's (for the tutor)
its lesson order, the embedding model's row and Postgres's estimate of that model's HNSW
index. Search's viewer statement says whether any lesson the viewer could read is gated, and
reads the embedding model's row too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import and_, bindparam, column, exists, func, or_, table
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlmodel import Session, col, select

from learning_app.models.chunks import EmbeddingModel, hnsw_index_name_of
from learning_app.models.content import Course, CourseLesson, Enrollment, Lesson, PublishStatus
from learning_app.models.exams import Exam, ExamDrawRule, ExamQuestion
from learning_app.models.teaching import Accommodation, Prerequisite
from learning_app.models.users import User, UserProfile
from learning_app.services import held_facts
from learning_app.services.access.courses import (
    COURSE_AND_LESSON,
    COURSE_NOT_FOUND,
    LESSON_NOT_FOUND,
    note_enrolment,
    optional_viewer,
)
from learning_app.services.access.exams import EXAM_AND_COURSE, EXAM_NOT_FOUND
from learning_app.services.accounts import sessions
from learning_app.services.accounts.viewers import (
    VIEWER_COLUMNS,
    Viewer,
    note_viewer,
    viewer_from_columns,
)
from learning_app.services.errors import NotFound
from learning_app.services.values import parse_id


def _with_viewer(query: Any, course_id: InstrumentedAttribute[uuid.UUID]) -> Any:
    """`query`'s rows, each with the active account `:user_id`'s viewer columns (all NULL
    when there is none) and whether it is enrolled in the course `course_id` names."""
    enrolled = exists().where(
        Enrollment.course_id == course_id, Enrollment.user_id == bindparam("user_id")
    )
    account = and_(col(User.id) == bindparam("user_id"), col(User.is_active))
    return (
        query.add_columns(*VIEWER_COLUMNS, enrolled.label("enrolled"))
        # From the course: a course's owner is a user too, so the join must say where from.
        .outerjoin_from(course_id.class_, User, account)
        .outerjoin(UserProfile, col(UserProfile.user_id) == col(User.id))
    )


# Whether a prerequisite gates anything in the course or the exam, and whether the viewer has
# an accommodation for the exam (its own, or one for its course): what `prerequisites._unmet`
# and `accommodations.terms_for_exams` would look for.
_COURSE_GATED = exists().where(Prerequisite.course_id == Course.id)
_EXAM_GATED = exists().where(Prerequisite.exam_id == Exam.id)
_ACCOMMODATED = exists().where(
    Accommodation.user_id == bindparam("user_id"),
    Accommodation.course_id == Exam.course_id,
    or_(col(Accommodation.exam_id).is_(None), Accommodation.exam_id == Exam.id),
)

# The course's lesson ids in reading order, all of them or its published ones: what
# `ordered_lesson_ids` reads (`_LESSON_ORDER`).
_PLACE, _PLACED = aliased(CourseLesson), aliased(Lesson)


def _lesson_order(*, published_only: bool) -> Any:
    ids = func.array_agg(aggregate_order_by(_PLACE.lesson_id, _PLACE.position, _PLACE.lesson_id))
    if published_only:
        ids = ids.filter(_PLACED.status == PublishStatus.PUBLISHED)
    return (
        select(ids)
        .select_from(_PLACE)
        .join(_PLACED, col(_PLACED.id) == col(_PLACE.lesson_id))
        .where(_PLACE.course_id == Course.id)
        .scalar_subquery()
    )


# The embedding model's row for the embedder `:model` ("" when the caller has none), NULL
# when it has none: search's and the tutor's vector reads need its id and dimensions.
def _model_column(column: Any) -> Any:
    return select(column).where(EmbeddingModel.name == bindparam("model")).scalar_subquery()


# Postgres's estimate of the chunks in the HNSW index of the model `:model` names (NULL
# without the model or its index): what `tutor.retrieval.indexed_chunks` reads.
_PG_CLASS = table("pg_class", column("relname"), column("reltuples"))
_INDEX_ESTIMATE = (
    select(_PG_CLASS.c.reltuples)
    .where(_PG_CLASS.c.relname == _model_column(hnsw_index_name_of(EmbeddingModel.id)))
    .scalar_subquery()
)

# How many questions an attempt at the exam gets: `exams.listing.question_totals`.
_QUESTION_TOTAL = (
    select(func.count()).where(ExamQuestion.exam_id == Exam.id).scalar_subquery()
    + select(func.coalesce(func.sum(ExamDrawRule.question_count), 0))
    .where(ExamDrawRule.exam_id == Exam.id)
    .scalar_subquery()
)

# Each built once, with its ids bound.
_VIEWER_IN_COURSE = _with_viewer(
    select(
        Course,
        _COURSE_GATED.label("gated"),
        _lesson_order(published_only=True).label("published_order"),
        _lesson_order(published_only=False).label("full_order"),
        _model_column(EmbeddingModel.id).label("model_id"),
        _model_column(EmbeddingModel.dimensions).label("model_dimensions"),
        _INDEX_ESTIMATE.label("index_estimate"),
    ).where(Course.id == bindparam("course_id")),
    Course.id,
)
# The lesson's place too, which `course_and_lesson` finds in the session with the others.
_VIEWER_IN_LESSON = _with_viewer(
    COURSE_AND_LESSON.add_columns(
        CourseLesson,
        _COURSE_GATED.label("gated"),
        _lesson_order(published_only=True).label("published_order"),
        _lesson_order(published_only=False).label("full_order"),
    ),
    Course.id,
)
_VIEWER_IN_EXAM = _with_viewer(
    EXAM_AND_COURSE.add_columns(
        _EXAM_GATED.label("gated"),
        _ACCOMMODATED.label("accommodated"),
        _QUESTION_TOTAL.label("question_total"),
    ),
    Course.id,
)
# What a row of a read-ahead notes before the checks (`held_facts`): (session, row, user id).
NoteFacts = Callable[[Session, Any, uuid.UUID | None], None]
_VIEWER_WIDTH = len(VIEWER_COLUMNS) + 1  # and `enrolled`
# session.info key of the rows last read ahead.
_READ_AHEAD = "access.read_ahead"


def _viewer_with(
    session: Session,
    token: str | None,
    query: Any,
    course_at: int,
    ids: dict[str, tuple[str, str]],
    note_facts: NoteFacts | None = None,
    extra: dict[str, Any] | None = None,
) -> Viewer | None:
    """The viewer read with `query`'s row, whose `course_at`-th entity is the course, for
    `ids` (parameter: (id, what to say when it is not found)); `optional_viewer` when an id
    is malformed or there is no row. `note_facts` notes what else the row found; `extra`: the
    statement's other parameters."""
    try:
        params: dict[str, Any] = {
            name: parse_id(raw, missing) for name, (raw, missing) in ids.items()
        }
    except NotFound:
        return optional_viewer(session, token)
    user_id = sessions.resolve_session(token)
    row = session.execute(query, {**params, **(extra or {}), "user_id": user_id}).first()
    if row is None:
        return optional_viewer(session, token)
    # The session's identity map holds its rows weakly: keep them for the checks that follow.
    session.info[_READ_AHEAD] = row
    if note_facts is not None:
        note_facts(session, row, user_id)
    *columns, enrolled = row[-_VIEWER_WIDTH:]
    if user_id is None or columns[0] is None:
        return note_viewer(session, token, None)
    viewer = viewer_from_columns(user_id, *columns)
    note_enrolment(session, viewer, row[course_at].id, bool(enrolled))
    return note_viewer(session, token, viewer)


def viewer_in_course(
    session: Session, token: str | None, course_id: str, model: str = ""
) -> Viewer | None:
    """`optional_viewer`, with the course and the viewer's enrolment in it read alongside,
    and the row of the embedding model `model` names (for the tutor)."""
    ids = {"course_id": (course_id, COURSE_NOT_FOUND)}
    facts = partial(_course_row_facts, model=model)
    return _viewer_with(session, token, _VIEWER_IN_COURSE, 0, ids, facts, {"model": model})


def viewer_in_lesson(
    session: Session, token: str | None, course_id: str, lesson_id: str
) -> Viewer | None:
    """`optional_viewer`, with the course, the lesson's place in it, the lesson and the
    viewer's enrolment read alongside."""
    ids = {
        "course_id": (course_id, COURSE_NOT_FOUND),
        "lesson_id": (lesson_id, LESSON_NOT_FOUND),
    }
    return _viewer_with(session, token, _VIEWER_IN_LESSON, 0, ids, _lesson_facts)


def _course_facts(session: Session, row: Any, _user_id: uuid.UUID | None) -> None:
    if not row.gated:
        held_facts.note_ungated_course(session, row.Course.id)


def _lesson_facts(session: Session, row: Any, user_id: uuid.UUID | None) -> None:
    _course_facts(session, row, user_id)
    order = (row.published_order or [], row.full_order or [])
    held_facts.hold_lesson_order(session, row.Course.id, *order)


def _course_row_facts(session: Session, row: Any, user_id: uuid.UUID | None, *, model: str) -> None:
    _lesson_facts(session, row, user_id)
    if row.model_id is not None:
        held_facts.hold_model(session, model, row.model_id, row.model_dimensions)
        if row.index_estimate is not None:
            held_facts.hold_index_estimate(session, row.model_id, row.index_estimate)


def viewer_in_exam(session: Session, token: str | None, exam_id: str) -> Viewer | None:
    """`optional_viewer`, with the exam, its course and the viewer's enrolment read alongside."""
    ids = {"exam_id": (exam_id, EXAM_NOT_FOUND)}
    return _viewer_with(session, token, _VIEWER_IN_EXAM, 1, ids, _exam_facts)


def _exam_facts(session: Session, row: Any, user_id: uuid.UUID | None) -> None:
    exam_id = row.Exam.id
    held_facts.hold_question_total(session, exam_id, int(row.question_total))
    if not row.gated:
        held_facts.note_ungated_exam(session, exam_id)
    if user_id is not None and not row.accommodated:
        held_facts.note_unaccommodated(session, user_id, exam_id)


# Whether a prerequisite gates a lesson in any course the user could read, published and
# public or enrolled in (`prerequisites.locked_lesson_places` looks for those rows, less the
# courses the user teaches: when none is found here, it has nothing to find).
_GATED_LESSONS = (
    select(Prerequisite.id)
    .join(Course, col(Course.id) == col(Prerequisite.course_id))
    .where(
        col(Prerequisite.lesson_id).is_not(None),
        Course.status == PublishStatus.PUBLISHED,
        or_(
            col(Course.is_public),
            exists().where(
                Enrollment.course_id == Course.id, Enrollment.user_id == bindparam("user_id")
            ),
        ),
    )
    .exists()
)

# The viewer with the courses they are enrolled in, for search's audience, and what the
# search then reads: whether any lesson they could read is gated, and the model's row.
_VIEWER_AND_ENROLMENTS = (
    select(  # type: ignore[call-overload]
        *VIEWER_COLUMNS,
        select(func.array_agg(Enrollment.course_id))
        .where(Enrollment.user_id == bindparam("user_id"))
        .scalar_subquery(),
        _GATED_LESSONS.label("gated_lessons"),
        _model_column(EmbeddingModel.id).label("model_id"),
        _model_column(EmbeddingModel.dimensions).label("model_dimensions"),
    )
    .join(UserProfile, col(UserProfile.user_id) == col(User.id))
    .where(User.id == bindparam("user_id"), col(User.is_active))
)


def viewer_and_enrolments(
    session: Session, token: str | None, model: str = ""
) -> tuple[Viewer | None, tuple[uuid.UUID, ...]]:
    """`optional_viewer`, and the courses the viewer is enrolled in (none for a visitor). For
    a viewer it notes what search reads next (`held_facts`): no gated lesson they could read,
    and the row of the embedding model `model` names."""
    user_id = sessions.resolve_session(token)
    row = None
    if user_id is not None:
        params = {"user_id": user_id, "model": model}
        row = session.exec(_VIEWER_AND_ENROLMENTS, params=params).first()
    if user_id is None or row is None:
        return note_viewer(session, token, None), ()
    *columns, enrolled, gated_lessons, model_id, dimensions = row
    if not gated_lessons:
        held_facts.note_no_gated_lessons(session, user_id)
    if model_id is not None:
        held_facts.hold_model(session, model, model_id, dimensions)
    viewer = note_viewer(session, token, viewer_from_columns(user_id, *columns))
    return viewer, tuple(sorted(set(enrolled or ())))

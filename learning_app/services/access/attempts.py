"""Who may see an attempt: the student who made it, and the teachers of its course. Anyone
else's attempt reads as "not found", exactly as an id that does not exist."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from learning_app.adapters.lru import LruCache
from learning_app.models.exams import Exam, ExamAttempt
from learning_app.models.users import User
from learning_app.services.access.courses import can_edit_course, load_course
from learning_app.services.access.exams import load_exam
from learning_app.services.accounts import sessions
from learning_app.services.accounts.viewers import SIGNED_OUT_MESSAGE, Viewer
from learning_app.services.errors import NotFound, PermissionDenied
from learning_app.services.rows import RowLoader
from learning_app.services.values import parse_id

ATTEMPT_NOT_FOUND = "We could not find that attempt."


load_attempt = RowLoader(ExamAttempt, ATTEMPT_NOT_FOUND)


def _owned(query: Any) -> Any:
    """`query` over the attempt `:attempt_id`, only if it is the user `:user_id`'s and the
    user is active: the viewer's check and the attempt's in one statement."""
    return query.join(User, col(User.id) == col(ExamAttempt.user_id)).where(
        ExamAttempt.id == bindparam("attempt_id"),
        ExamAttempt.user_id == bindparam("user_id"),
        col(User.is_active),
    )


def _own_attempt_locked(also: Any) -> Any:
    """The user's own attempt with `also` from its exam, locked (`_owned`)."""
    return _owned(
        select(ExamAttempt, also).join(Exam, col(Exam.id) == col(ExamAttempt.exam_id))
    ).with_for_update(of=ExamAttempt)


# Built once: they are an exam's hot paths (saving an answer, opening the attempt).
_OWN_ATTEMPT_AND_EXAM = _own_attempt_locked(Exam)
_OWN_ATTEMPT_AND_COURSE_ID = _own_attempt_locked(Exam.course_id)


def lock_own_attempt(
    session: Session, token: str | None, attempt_id: str, *, whole_exam: bool = True
) -> tuple[ExamAttempt, Any]:
    """The session's user's own attempt, locked, and its exam (or, without `whole_exam`, only
    the exam's course id): one Redis call and one statement, which also checks that the user
    is active. PermissionDenied when signed out; anyone else's attempt reads as not found."""
    user_id, attempt_key = _user_and_attempt(token, attempt_id)
    statement = _OWN_ATTEMPT_AND_EXAM if whole_exam else _OWN_ATTEMPT_AND_COURSE_ID
    params = {"attempt_id": attempt_key, "user_id": user_id}
    found = session.exec(statement, params=params).first()
    if found is None:
        raise NotFound(ATTEMPT_NOT_FOUND)
    return found[0], found[1]


# An attempt's questions (`question_order`) never change once it has started: each worker
# keeps the order of the attempts its students answer, by (attempt, user), so saving an
# answer reads it once per worker, not on every save.
_QUESTION_ORDERS: LruCache[tuple[uuid.UUID, uuid.UUID], list[dict[str, Any]]] = LruCache(4096)
_OWN_QUESTION_ORDER = _owned(select(ExamAttempt.question_order))


def remember_question_order(attempt: ExamAttempt) -> None:
    """Keep the questions of an attempt its owner has just opened (`own_question_order`)."""
    _QUESTION_ORDERS.put((attempt.id, attempt.user_id), attempt.question_order)


def own_question_order(
    session: Session, token: str | None, attempt_id: str
) -> tuple[uuid.UUID, uuid.UUID, list[dict[str, Any]]]:
    """The session's user, the attempt's id and its questions, if the attempt is the user's
    own: from this worker's memory of it when the user was found its owner before, else one
    statement (which also checks that the user is active). A write on its strength must
    check ownership and the user again in its own statement, since an account can be
    deactivated meanwhile. PermissionDenied when signed out; anyone else's attempt reads as
    not found."""
    user_id, attempt_key = _user_and_attempt(token, attempt_id)
    order = _QUESTION_ORDERS.get((attempt_key, user_id))
    if order is None:
        params = {"attempt_id": attempt_key, "user_id": user_id}
        order = session.exec(_OWN_QUESTION_ORDER, params=params).first()
        if order is None:
            raise NotFound(ATTEMPT_NOT_FOUND)
        _QUESTION_ORDERS.put((attempt_key, user_id), order)
    return user_id, attempt_key, order


def _user_and_attempt(token: str | None, attempt_id: str) -> tuple[uuid.UUID, uuid.UUID]:
    """The session's user and the attempt's id; PermissionDenied when signed out, NotFound
    for a malformed id."""
    user_id = sessions.resolve_session(token)
    if user_id is None:
        raise PermissionDenied(SIGNED_OUT_MESSAGE)
    return user_id, parse_id(attempt_id, ATTEMPT_NOT_FOUND)


def require_attempt_reader(session: Session, viewer: Viewer, attempt_id: str) -> ExamAttempt:
    """The attempt, if it is the viewer's own or the viewer teaches its course."""
    attempt = load_attempt(session, attempt_id, lock=True)
    if str(attempt.user_id) == viewer.user_id:
        return attempt
    exam = load_exam(session, attempt.exam_id)
    if can_edit_course(session, viewer, load_course(session, exam.course_id)):
        return attempt
    raise NotFound(ATTEMPT_NOT_FOUND)

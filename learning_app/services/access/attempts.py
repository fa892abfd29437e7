"""Who may see an attempt: the student who made it, and the teachers of its course. Anyone
else's attempt reads as "not found", exactly as an id that does not exist."""

from __future__ import annotations

from sqlmodel import Session

from learning_app.models.exams import ExamAttempt
from learning_app.services.access.courses import can_edit_course, load_course
from learning_app.services.access.exams import load_exam
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.errors import NotFound
from learning_app.services.rows import RowLoader

ATTEMPT_NOT_FOUND = "We could not find that attempt."


load_attempt = RowLoader(ExamAttempt, ATTEMPT_NOT_FOUND)


def require_own_attempt(
    session: Session, viewer: Viewer, attempt_id: str, *, lock: bool
) -> ExamAttempt:
    """The viewer's own attempt; anyone else's reads as not found."""
    attempt = load_attempt(session, attempt_id, lock=lock)
    if str(attempt.user_id) != viewer.user_id:
        raise NotFound(ATTEMPT_NOT_FOUND)
    return attempt


def require_attempt_reader(session: Session, viewer: Viewer, attempt_id: str) -> ExamAttempt:
    """The attempt, if it is the viewer's own or the viewer teaches its course."""
    attempt = load_attempt(session, attempt_id, lock=True)
    if str(attempt.user_id) == viewer.user_id:
        return attempt
    exam = load_exam(session, attempt.exam_id)
    if can_edit_course(session, viewer, load_course(session, exam.course_id)):
        return attempt
    raise NotFound(ATTEMPT_NOT_FOUND)

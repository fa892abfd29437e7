"""What the first statement of a unit of work found absent, read alongside its rows
(`access.viewing`): that no prerequisite gates anything in the course being read or the exam
being opened, and that the student has no accommodation for the exam. A check later in the
same unit that finds its fact here has nothing to look up and skips its statement; without
the fact it reads as it always did. Most items are not gated and most students have no
accommodations, so the course and lesson pages, the exam page and the exam's Start each save
a statement or two this way.

The facts live in the session's `info`, so they last one unit of work: no unit that notes
them writes prerequisites or accommodations.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session

_FACTS = "held_facts"


def _note(session: Session, fact: tuple[object, ...]) -> None:
    session.info.setdefault(_FACTS, set()).add(fact)


def _holds(session: Session, fact: tuple[object, ...]) -> bool:
    return fact in session.info.get(_FACTS, ())


def note_ungated_course(session: Session, course_id: uuid.UUID) -> None:
    """No prerequisite row gates any lesson or exam of the course."""
    _note(session, ("ungated course", course_id))


def course_is_ungated(session: Session, course_id: uuid.UUID) -> bool:
    return _holds(session, ("ungated course", course_id))


def note_ungated_exam(session: Session, exam_id: uuid.UUID) -> None:
    """No prerequisite row gates the exam."""
    _note(session, ("ungated exam", exam_id))


def exam_is_ungated(session: Session, exam_id: uuid.UUID) -> bool:
    return _holds(session, ("ungated exam", exam_id))


def note_unaccommodated(session: Session, user_id: uuid.UUID, exam_id: uuid.UUID) -> None:
    """The user has no accommodation for the exam, neither its own nor one for its course."""
    _note(session, ("unaccommodated", user_id, exam_id))


def is_unaccommodated(session: Session, user_id: uuid.UUID, exam_id: uuid.UUID) -> bool:
    return _holds(session, ("unaccommodated", user_id, exam_id))

"""What the first statement of a unit of work read alongside its rows (`access.viewing`), for
the reads after it in the same unit: that no prerequisite gates anything in the course being
read or the exam being opened, that the student has no accommodation for the exam, the
course's lesson order and the exam's question count; for search and the tutor, the embedding
model's row (and for the tutor its HNSW index's estimate), and for search that no lesson the
viewer could read is gated. A read that finds
its fact here skips its statement; without the fact it reads as it always did. Most items are
not gated and most students have no accommodations, so the lesson page (4 statements) and
the exam page (5) now take 2 each, the exam's Start 4 instead of 6, a signed-in search 2
instead of 4 and a tutor's question 4 instead of 8.

The facts live in the session's `info`, so they last one unit of work: no unit that notes
them writes prerequisites, accommodations, a course's lessons or an exam's questions.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

_FACTS = "held_facts"


def _note(session: Session, fact: tuple[object, ...]) -> None:
    session.info.setdefault(_FACTS, set()).add(fact)


def _holds(session: Session, fact: tuple[object, ...]) -> bool:
    return fact in session.info.get(_FACTS, ())


_VALUES = "held_values"


def _hold(session: Session, key: tuple[object, ...], value: object) -> None:
    session.info.setdefault(_VALUES, {})[key] = value


def _held(session: Session, key: tuple[object, ...]) -> Any:
    return session.info.get(_VALUES, {}).get(key)


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


def hold_lesson_order(
    session: Session,
    course_id: uuid.UUID,
    published: list[uuid.UUID],
    every: list[uuid.UUID],
) -> None:
    """The course's lesson ids in reading order: its published lessons, and all of them."""
    _hold(session, ("lesson order", course_id), (published, every))


def held_lesson_order(
    session: Session, course_id: uuid.UUID, *, include_drafts: bool
) -> list[uuid.UUID] | None:
    held = _held(session, ("lesson order", course_id))
    return None if held is None else list(held[1 if include_drafts else 0])


def hold_question_total(session: Session, exam_id: uuid.UUID, total: int) -> None:
    """How many questions an attempt at the exam gets (`exams.listing.question_totals`)."""
    _hold(session, ("question total", exam_id), total)


def held_question_total(session: Session, exam_id: uuid.UUID) -> int | None:
    return _held(session, ("question total", exam_id))  # type: ignore[no-any-return]


def note_no_gated_lessons(session: Session, user_id: uuid.UUID) -> None:
    """No prerequisite gates a lesson in any course the user could read (published, and public
    or enrolled in): nothing is locked for them (`access.prerequisites.locked_lesson_places`)."""
    _note(session, ("no gated lessons", user_id))


def no_gated_lessons(session: Session, user_id: uuid.UUID) -> bool:
    return _holds(session, ("no gated lessons", user_id))


def hold_model(session: Session, name: str, model_id: uuid.UUID, dimensions: int) -> None:
    """The embedding model's row for the embedder `name`: its id and dimensions."""
    _hold(session, ("embedding model", name), (model_id, dimensions))


def held_model(session: Session, name: str) -> tuple[uuid.UUID, int] | None:
    return _held(session, ("embedding model", name))  # type: ignore[no-any-return]


def hold_index_estimate(session: Session, model_id: uuid.UUID, reltuples: float) -> None:
    """Postgres's estimate of the chunks the model's HNSW index holds (`pg_class.reltuples`,
    -1 when never estimated), as `tutor.retrieval.indexed_chunks` reads it."""
    _hold(session, ("index estimate", model_id), reltuples)


def held_index_estimate(session: Session, model_id: uuid.UUID) -> float | None:
    return _held(session, ("index estimate", model_id))  # type: ignore[no-any-return]

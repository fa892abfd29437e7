"""The viewer read with a page's first rows (`services/access/viewing.py`): for every kind of
caller it is the viewer `viewer_for_session` resolves, with the enrolment `is_enrolled` would
find; the checks that follow read nothing again; an unknown or malformed id falls back to the
viewer alone; and an account deactivated after signing in is nobody.

That the pages built on it allow and refuse exactly as before is the access matrix's to show
(`test_access_matrix.py`), which runs each of them for the same callers.
"""

from __future__ import annotations

import contextlib
import gc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, select

from learning_app.adapters.postgres import session_scope
from learning_app.models.content import Enrollment
from learning_app.models.users import User
from learning_app.services.access import viewing
from learning_app.services.access.courses import is_enrolled, read_course
from learning_app.services.access.exams import read_exam
from learning_app.services.access.lessons import open_lesson_in_course
from learning_app.services.accounts import viewers
from learning_app.services.courses import reading
from learning_app.services.errors import NotFound, PermissionDenied
from tests.integration.access_world import CALLERS, World, world_in_empty_stores

world = pytest.fixture(scope="module")(world_in_empty_stores)


@contextmanager
def statements_of(session: Session) -> Iterator[list[str]]:
    """The statements the session sends meanwhile."""
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _enrolled(session: Session, token: str | None, course_id: str) -> bool:
    viewer = viewers.viewer_for_session(session, token)
    if viewer is None:
        return False
    row = select(Enrollment.id).where(
        Enrollment.course_id == uuid.UUID(course_id),
        Enrollment.user_id == uuid.UUID(viewer.user_id),
    )
    return session.exec(row).first() is not None


ReadAhead = Callable[[Session, str | None, World], Any]
READS: dict[str, tuple[ReadAhead, ReadAhead]] = {
    # What the viewer read ahead, and the check that then finds its rows in the session.
    "course": (
        lambda s, t, w: viewing.viewer_in_course(s, t, w.course),
        lambda s, v, w: read_course(s, v, w.course),
    ),
    "lesson": (
        lambda s, t, w: viewing.viewer_in_lesson(s, t, w.course, w.lesson),
        lambda s, v, w: open_lesson_in_course(s, v, w.course, w.lesson),
    ),
    "exam": (
        lambda s, t, w: viewing.viewer_in_exam(s, t, w.exam),
        lambda s, v, w: read_exam(s, v, w.exam),
    ),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("read", READS)
def test_the_viewer_read_ahead_is_the_session_s_viewer_and_its_rows_are_not_read_again(
    world: World, caller: str, read: str
) -> None:
    token = world.tokens[caller]
    with session_scope() as session:
        expected = viewers.viewer_for_session(session, token)
        enrolled = _enrolled(session, token, world.course)
    read_ahead, check = READS[read]
    with session_scope() as session:
        with statements_of(session) as sent:
            viewer = read_ahead(session, token, world)
        assert viewer == expected and len(sent) == 1
        with statements_of(session) as sent:
            assert is_enrolled(session, viewer, uuid.UUID(world.course)) == enrolled
            # A refusal is the matrix's to judge; what the check read is this test's.
            with contextlib.suppress(PermissionDenied, NotFound):
                check(session, viewer, world)
        # Neither the viewer nor the enrolment is read again (a teacher's own role in the
        # course, and the lesson's locks, are).
        again = ("SELECT enrollment.", 'SELECT "user".')
        assert not any(statement.lstrip().startswith(again) for statement in sent)


@pytest.mark.parametrize("caller", CALLERS)
def test_the_viewer_and_their_courses_are_read_in_one_statement(world: World, caller: str) -> None:
    token = world.tokens[caller]
    with session_scope() as session:
        expected = viewers.viewer_for_session(session, token)
        enrolled = _enrolled(session, token, world.course)
        with statements_of(session) as sent:
            viewer, courses = viewing.viewer_and_enrolments(session, token)
    assert viewer == expected
    assert courses == ((uuid.UUID(world.course),) if enrolled else ())
    assert len(sent) == (1 if token else 0)


@pytest.mark.parametrize(
    "read",
    [
        lambda s, t: viewing.viewer_in_course(s, t, str(uuid.uuid4())),
        lambda s, t: viewing.viewer_in_course(s, t, "not-an-id"),
        lambda s, t: viewing.viewer_in_lesson(s, t, str(uuid.uuid4()), str(uuid.uuid4())),
        lambda s, t: viewing.viewer_in_lesson(s, t, "not-an-id", "nor-this"),
        lambda s, t: viewing.viewer_in_exam(s, t, str(uuid.uuid4())),
        lambda s, t: viewing.viewer_in_exam(s, t, "not-an-id"),
    ],
)
def test_an_unknown_or_malformed_id_still_resolves_the_viewer(
    world: World, read: Callable[[Session, str | None], Any]
) -> None:
    token = world.tokens["enrolled"]
    with session_scope() as session:
        assert read(session, token) == viewers.viewer_for_session(session, token)


def test_an_unknown_lesson_in_a_real_course_is_not_found(world: World) -> None:
    with pytest.raises(NotFound, match="lesson"), session_scope() as session:
        reading.read_lesson(
            session, token=world.tokens["enrolled"], course_id=world.course, lesson_id=world.exam
        )


def test_an_account_deactivated_after_signing_in_reads_as_nobody(world: World) -> None:
    token = world.tokens["student"]
    assert token is not None
    with session_scope() as session:
        viewer = viewers.viewer_for_session(session, token)
        assert viewer is not None
        session.get_one(User, uuid.UUID(viewer.user_id)).is_active = False
        session.flush()
        assert viewing.viewer_in_course(session, token, world.course) is None
        assert viewing.viewer_in_exam(session, token, world.exam) is None
        assert viewing.viewer_and_enrolments(session, token) == (None, ())
        session.rollback()


@contextmanager
def cyclic_garbage() -> Iterator[list[object]]:
    """What the cyclic collector finds unreachable among the objects made meanwhile."""
    gc.collect()
    found: list[object] = []
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield found
        gc.collect()
    finally:
        gc.set_debug(0)
        found.extend(gc.garbage)
        gc.garbage.clear()


@pytest.mark.parametrize("read", READS)
def test_a_unit_that_checks_an_enrolment_leaves_no_cycle_to_the_collector(
    world: World, read: str
) -> None:
    # What a unit keeps in its session's `info` (its transaction, the row it read ahead)
    # refers back to the session: every unit of a page was left to the cyclic collector,
    # whose full passes stalled the workers (`session_scope` clears it).
    read_ahead, check = READS[read]
    token = world.tokens["enrolled"]

    def unit() -> None:
        with session_scope(read_only=True) as session:
            viewer = read_ahead(session, token, world)
            assert is_enrolled(session, viewer, uuid.UUID(world.course))
            check(session, viewer, world)

    unit()  # statements compiled and cached once, outside the count
    with cyclic_garbage() as garbage:
        unit()
    assert not [o for o in garbage if isinstance(o, Session | SessionTransaction)]

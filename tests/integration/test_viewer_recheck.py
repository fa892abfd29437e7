"""Opening pages re-resolves the navbar's viewer at most every VIEWER_RECHECK_S; services still
check the session on every call, so a signed-out session is refused at once either way."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from reflex.state import State

import learning_app.learning_app  # noqa: F401 - registers the page states under AuthState
from learning_app.adapters.postgres import session_scope
from learning_app.models.users import User
from learning_app.services.accounts import sessions
from learning_app.services.courses import reading
from learning_app.services.errors import PermissionDenied
from learning_app.state.auth import VIEWER_RECHECK_S, AuthState
from tests.integration.tabs import session_cookie, set_session_cookie


def _tab(token: str) -> AuthState:
    root = State(_reflex_internal_init=True)
    set_session_cookie(root, token)
    tab = root.substates[AuthState.get_name()]
    assert isinstance(tab, AuthState)
    return tab


def test_a_page_open_reuses_a_recent_viewer_and_resolves_again_after_the_interval(
    student: str,
) -> None:
    tab = _tab(student)
    assert asyncio.run(tab._recently_signed_in()) is True
    assert tab.viewer_name == "Ada"

    sessions.end_session(student)  # signed out from another device
    assert asyncio.run(tab._recently_signed_in()) is True  # the navbar may lag a little...
    with session_scope() as session, pytest.raises(PermissionDenied):
        reading.list_my_courses(session, token=student)  # ...but the services refuse at once

    tab._viewer_checked_at -= VIEWER_RECHECK_S + 1
    assert asyncio.run(tab._recently_signed_in()) is False
    assert session_cookie(tab) == "" and tab.signed_in is False


def test_a_new_session_token_is_always_resolved(student: str, teacher: str) -> None:
    tab = _tab(student)
    assert asyncio.run(tab._recently_signed_in()) is True
    set_session_cookie(tab._get_root_state(), teacher)  # signed in as someone else here
    assert asyncio.run(tab._recently_signed_in()) is True
    assert tab.viewer_role == "teacher"


def test_a_private_pages_load_checks_sign_in_first_and_loads_nothing_for_a_visitor(
    student: str,
) -> None:
    from learning_app.pages.courses.my_courses import MyCoursesState
    from tests.integration.tabs import tab_state

    visitor = tab_state(MyCoursesState, "")
    redirect = asyncio.run(visitor.load())
    assert redirect is not None and "/sign-in?next=" in str(redirect)
    assert visitor.loading and not visitor.signed_in  # the spinner stays until the page changes

    tab = tab_state(MyCoursesState, student)
    assert asyncio.run(tab.load()) is None
    assert tab.signed_in and tab.viewer_name == "Ada" and not tab.loading and not tab.error


def test_a_page_that_resolves_the_viewer_itself_reads_the_tabs_cookie(student: str) -> None:
    tab = _tab(student)
    viewer = asyncio.run(tab._refresh_viewer())  # as the settings and admin pages do
    assert viewer is not None and tab.signed_in and tab.viewer_name == "Ada"


@pytest.fixture
def units(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the services run as units of work, in order, from here on."""
    from learning_app.state import calls

    ran: list[str] = []
    unit_of_work = calls._unit_of_work

    async def counted(noted: object, func: Any, /, *args: Any, **kwargs: Any) -> Any:
        ran.append(func.__name__)
        return await unit_of_work(noted, func, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(calls, "_unit_of_work", counted)
    return ran


def test_a_new_tabs_first_page_resolves_the_viewer_in_the_loads_own_unit(
    student: str, units: list[str]
) -> None:
    from learning_app.pages.courses.my_courses import MyCoursesState
    from tests.integration.tabs import tab_state

    tab = tab_state(MyCoursesState, student)
    assert asyncio.run(tab.load()) is None
    assert units == ["list_my_courses"]  # no `viewer_for_session` of its own
    assert tab.signed_in and tab.viewer_name == "Ada" and tab.auth_checked
    assert not tab.loading and not tab.error and tab._viewer_pending == ""

    units.clear()
    assert asyncio.run(tab.load()) is None  # resolved lately: nothing more to resolve
    assert units == ["list_my_courses"]


@pytest.mark.parametrize("ended", ["signed out", "deactivated"])
def test_a_private_page_sends_a_tab_whose_session_ended_to_sign_in_after_its_load(
    student: str, ended: str, units: list[str]
) -> None:
    from learning_app.pages.courses.my_courses import MyCoursesState
    from tests.integration.tabs import tab_state

    tab = tab_state(MyCoursesState, student)
    if ended == "signed out":
        sessions.end_session(student)
    else:  # what an admin's deactivation sets
        with session_scope() as session:
            account = session.get(User, sessions.resolve_session(student))
            assert account is not None
            account.is_active = False
    redirect = asyncio.run(tab.load())
    assert redirect is not None and "/sign-in?next=" in str(redirect)
    assert units == ["list_my_courses"]  # the load's service refused it, and said who it was
    assert not tab.signed_in and session_cookie(tab) == ""
    assert tab.learning_courses == [] and tab.teaching_courses == []


def test_a_public_page_shows_a_tab_whose_session_ended_as_a_visitor(
    teacher: str, student: str, units: list[str]
) -> None:
    from learning_app.pages.courses.course import CourseState
    from tests.integration.people import new_course, publish
    from tests.integration.tabs import tab_state

    course_id = new_course(teacher, is_public=True)
    publish(teacher, course_id)
    tab = tab_state(CourseState, student, course_id=course_id)
    sessions.end_session(student)
    assert asyncio.run(tab.load()) is None
    assert units == ["course_outline"]
    assert not tab.signed_in and tab.auth_checked and session_cookie(tab) == ""
    assert tab.loaded_id == course_id and not tab.error  # read as a visitor may


def test_a_load_whose_unit_did_not_resolve_the_viewer_checks_it_after(student: str) -> None:
    """When the load's units never reached the session (a store down, an early refusal),
    the check left to them runs on its own once the load is over."""
    tab = _tab(student)
    assert asyncio.run(tab._begin_page_check(signed_in=True, viewer_from_load=True)) is None
    assert tab._viewer_pending == student and not tab.signed_in
    assert asyncio.run(tab._end_page_check(signed_in=True)) is None
    assert tab.signed_in and tab.viewer_name == "Ada" and tab._viewer_pending == ""

    visitor = _tab("")  # no session: nothing to leave to the load
    redirect = asyncio.run(visitor._begin_page_check(signed_in=True, viewer_from_load=True))
    assert redirect is not None and visitor._viewer_pending == ""

"""Opening pages re-resolves the navbar's viewer at most every VIEWER_RECHECK_S; services still
check the session on every call, so a signed-out session is refused at once either way."""

from __future__ import annotations

import asyncio

import pytest
from reflex.state import State

import learning_app.learning_app  # noqa: F401 - registers the page states under AuthState
from learning_app.adapters.postgres import session_scope
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

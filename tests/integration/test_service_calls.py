"""The one way a page state calls a service (`state.calls.ServiceCalls` and `PageLoading`): as
the tab's viewer, in a transaction, with a failure shown in the page's words."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import Session

from learning_app.pages.courses.course import CourseState
from learning_app.pages.progress.dashboard import DashboardState
from learning_app.pages.search.synonyms import SynonymsState
from learning_app.services.accounts.viewers import SIGNED_OUT_MESSAGE
from learning_app.services.courses import reading
from learning_app.services.errors import InvalidInput, NotFound
from learning_app.state.calls import UNAVAILABLE_MESSAGE
from tests.integration.tabs import tab_state


def _refused(session: Session, *, token: str) -> None:
    raise InvalidInput("Words must be separated by commas.")


def _broken(session: Session, *, token: str) -> None:
    raise RuntimeError("a bug")


def test_call_acts_as_the_viewer_and_clears_the_last_messages(student: str) -> None:
    tab = tab_state(SynonymsState, student)
    tab.error, tab.notice = "old error", "old notice"
    courses = asyncio.run(tab._call(reading.list_my_courses))
    assert courses == [] and (tab.error, tab.notice) == ("", "")


def test_call_shows_a_refusal_in_its_own_words_and_a_bug_as_unavailable(student: str) -> None:
    tab = tab_state(SynonymsState, student)
    assert asyncio.run(tab._call(_refused)) is None
    assert tab.error == "Words must be separated by commas."
    assert asyncio.run(tab._call(_broken)) is None
    assert tab.error == UNAVAILABLE_MESSAGE


def test_a_signed_out_tab_is_refused_by_the_service(stores: None) -> None:
    tab = tab_state(SynonymsState, "")
    assert asyncio.run(tab._call(reading.list_my_courses)) is None
    assert tab.error == SIGNED_OUT_MESSAGE


def test_a_load_always_ends_loading_and_shows_why_it_failed(student: str) -> None:
    tab = tab_state(DashboardState, student)
    tab._start_loading()
    assert tab.loading

    async def load() -> None:
        with tab._loading():
            await tab._fetch(_refused)
            pytest.fail("a failed call ends the block")

    asyncio.run(load())
    assert not tab.loading and tab.error == "Words must be separated by commas."


def test_a_course_page_shows_a_failed_load_as_its_problem(student: str) -> None:
    tab = tab_state(CourseState, student)

    def missing(session: Session, *, token: str) -> None:
        raise NotFound("This course does not exist.")

    async def load() -> None:
        tab._start_loading()
        with tab._loading():
            await tab._fetch(missing)

    asyncio.run(load())
    assert not tab.loading and tab.error == ""
    assert (tab.problem_title, tab.problem) == ("Not found", "This course does not exist.")

"""Search in Chromium: a typo'd query in the navbar finds the lesson, from the keyboard."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from learning_app.services.search.index import default_index, drop_index, rebuild
from tests.e2e.conftest import RunningApp
from tests.integration.people import new_course, new_lesson, person, publish
from tests.integration.search.helpers import forget_sync_jobs, sync_search

pytestmark = pytest.mark.e2e


@pytest.fixture
def search_index(clean_db: str) -> Iterator[None]:
    forget_sync_jobs()
    drop_index(default_index())
    rebuild(default_index())
    yield
    drop_index(default_index())


def test_a_typo_in_the_navbar_finds_and_opens_the_lesson(
    app_server: RunningApp, search_index: None, page: Page, unique: str
) -> None:
    from learning_app.models.users import UserRole

    teacher = person(f"tess{unique}", UserRole.TEACHER)
    course_id = new_course(teacher, f"Python {unique}", is_public=True)
    lesson_id = new_lesson(teacher, course_id, "List comprehensions")
    new_lesson(teacher, course_id, "Draft comprehensions secrets", publish=False)
    publish(teacher, course_id)
    sync_search(run_here=False)  # the app's own job worker indexes them

    page.goto(app_server.url)
    box = page.get_by_role("searchbox", name="Search")
    expect(box).to_have_attribute("placeholder", "Search courses and lessons")
    box.fill("comprehensoins")
    suggestions = page.get_by_role("list", name="Search suggestions")
    expect(suggestions.get_by_role("link")).to_have_count(1)  # the draft stays hidden
    expect(suggestions).to_contain_text("List comprehensions")

    box.press("Tab")
    expect(suggestions.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/courses/{course_id}/lessons/{lesson_id}$"))
    expect(page.get_by_role("heading", name="List comprehensions", level=1)).to_be_visible()

    # Enter in the box opens the results page, with facets and highlighted snippets.
    box = page.get_by_role("searchbox", name="Search")
    box.fill("comprehension")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=comprehension$"))
    results = page.get_by_role("list", name="Search results")
    expect(results.get_by_role("listitem")).to_have_count(1)
    expect(results.locator("mark").first).to_have_text(re.compile("comprehension", re.I))
    expect(page.get_by_role("navigation", name="Filter by type")).to_contain_text("Lessons (1)")

    page.goto(f"{app_server.url}/search?q=zzzzqqqq")
    expect(page.get_by_role("heading", name="No results")).to_be_visible()

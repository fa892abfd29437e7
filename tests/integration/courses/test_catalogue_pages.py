"""The catalogue's pages against the real Postgres: every published course on exactly one page,
newest first, drafts on none, and any `?page=` value opens a page."""

from __future__ import annotations

import pytest

from learning_app.adapters.postgres import session_scope
from learning_app.services.courses.catalog import (
    MAX_CATALOGUE_PAGE,
    CataloguePage,
    catalogue_page,
    page_number,
)
from tests.integration.people import new_course, publish


def _page(page: str | int, size: int) -> CataloguePage:
    with session_scope() as session:
        return catalogue_page(session, page=page, page_size=size)


def test_pages_hold_every_published_course_once_newest_first(teacher: str) -> None:
    published = []
    for number in range(7):
        course_id = new_course(teacher, f"Course {number}")
        publish(teacher, course_id)
        published.append(course_id)
    new_course(teacher, "A draft")  # never listed

    pages = [_page(number, size=3) for number in (1, 2, 3)]
    assert [[card.id for card in page.courses] for page in pages] == [
        published[6:3:-1],
        published[3:0:-1],
        published[:1],
    ]
    assert [(p.page, p.has_previous, p.has_next) for p in pages] == [
        (1, False, True),
        (2, True, True),
        (3, True, False),
    ]
    beyond = _page(4, size=3)
    assert beyond.courses == [] and beyond.has_previous and not beyond.has_next


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("2", 2),
        (" 3 ", 3),
        (None, 1),
        ("", 1),
        ("0", 1),
        ("-4", 1),
        ("banana", 1),
        ("2.5", 1),
        (str(10**12), MAX_CATALOGUE_PAGE),
    ],
)
def test_any_page_value_names_a_page(raw: str | None, number: int) -> None:
    assert page_number(raw) == number

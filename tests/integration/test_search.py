"""Search against the real Typesense and Postgres: relevance, visibility, sync and bad input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from learning_app.adapters.postgres import session_scope
from learning_app.models import UserRole
from learning_app.services import courses, learning, lessons
from learning_app.services.search import search
from learning_app.services.search_index import (
    SearchIndex,
    check_drift,
    default_index,
    drop_index,
    rebuild,
)
from learning_app.services.search_results import SearchFilters, SearchResults
from tests.integration.people import new_course, new_lesson, person, publish
from tests.integration.search_helpers import forget_sync_jobs, sync_search


@pytest.fixture
def index(stores: None) -> Iterator[SearchIndex]:
    forget_sync_jobs()
    index = default_index()
    drop_index(index)
    rebuild(index)
    yield index
    drop_index(index)


def find(token: str | None, query: str, **filters: str) -> SearchResults:
    with session_scope() as session:
        return search(session, token=token, query=query, filters=SearchFilters(**filters))


def titles(results: SearchResults) -> list[str]:
    return [hit.title for hit in results.hits]


def test_a_typo_finds_the_lesson(index: SearchIndex, teacher: str) -> None:
    course_id = new_course(teacher, "Python basics", is_public=True)
    new_lesson(teacher, course_id, "List comprehensions")
    new_lesson(teacher, course_id, "Dictionaries")
    publish(teacher, course_id)
    sync_search()

    results = find(None, "comprehensoins")
    assert titles(results)[0] == "List comprehensions"
    hit = results.hits[0]
    assert hit.type == "lesson"
    assert hit.url == f"/courses/{course_id}/lessons/{hit.id}"
    assert not results.degraded
    assert titles(find(None, "dictio"))[0] == "Dictionaries"  # prefix

"""How the drift check splits the catalogue: parts sized by the index, taken in turn, and every
course in exactly one part however the number of parts changes."""

from __future__ import annotations

import uuid

from learning_app.services.search.catalogue_parts import (
    DOCUMENTS_PER_PART,
    MAX_PARTS,
    CataloguePart,
    course_key_filters,
    course_scopes,
    part_for_run,
)


def test_the_number_of_parts_doubles_with_the_index() -> None:
    assert part_for_run(7, 0) == CataloguePart(0, 1)  # a lost index: compare everything
    assert part_for_run(7, DOCUMENTS_PER_PART) == CataloguePart(0, 1)
    assert part_for_run(7, DOCUMENTS_PER_PART + 1) == CataloguePart(1, 2)
    assert part_for_run(7, 3 * DOCUMENTS_PER_PART) == CataloguePart(3, 4)
    assert part_for_run(7, 10**12) == CataloguePart(7, MAX_PARTS)


def test_consecutive_runs_cover_every_course_once() -> None:
    courses = [uuid.uuid4() for _ in range(200)]
    for of in (1, 2, 8):
        runs = [part_for_run(run, of * DOCUMENTS_PER_PART) for run in range(10, 10 + of)]
        held = [course for part in runs for course in courses if part.holds(course)]
        assert sorted(held) == sorted(courses)


def test_a_part_splits_in_two_when_the_parts_double() -> None:
    course = uuid.uuid4()
    (before,) = [p for p in (CataloguePart(n, 4) for n in range(4)) if p.holds(course)]
    (after,) = [p for p in (CataloguePart(n, 8) for n in range(8)) if p.holds(course)]
    assert after.number % 4 == before.number


def test_course_filters_stay_short() -> None:
    courses = [uuid.uuid4() for _ in range(250)]
    scopes = list(course_scopes(courses))
    assert [len(scope.values) for scope in scopes] == [100, 100, 50]
    assert sorted(v for scope in scopes for v in scope.values) == sorted(courses)
    assert scopes[0].filter_by().startswith("course_id:=[") and "," in scopes[0].filter_by()


def test_odd_course_keys_are_quoted_whole_and_a_backtick_is_left_out() -> None:
    keys = ["not a, uuid] Title", "has ` backtick"]
    assert list(course_key_filters(keys)) == ["course_key:=[`not a, uuid] Title`]"]
    assert list(course_key_filters([])) == []

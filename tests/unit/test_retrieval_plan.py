"""Which plan a course search takes: exact, or HNSW with ef_search scaled to the scope."""

from __future__ import annotations

from learning_app.services.tutor.retrieval import EXACT_SCAN_LIMIT, hnsw_ef_search


def test_small_scopes_are_searched_exactly() -> None:
    assert hnsw_ef_search(EXACT_SCAN_LIMIT, 1_000_000, 100) is None


def test_a_scope_that_is_the_whole_index_keeps_the_setting() -> None:
    assert hnsw_ef_search(100_000, 100_000, 100) == 100
    assert hnsw_ef_search(100_000, 0, 100) == 100  # no estimate yet: the scope is all we know


def test_a_smaller_share_of_the_index_looks_at_more_candidates() -> None:
    assert hnsw_ef_search(50_000, 200_000, 100) == 400


def test_too_small_a_share_for_any_ef_search_is_searched_exactly() -> None:
    assert hnsw_ef_search(30_000, 1_000_000, 100) is None

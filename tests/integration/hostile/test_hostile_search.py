"""Hostile search queries: cleaned and answered, never refused, and they change nothing but the
one analytics event a search records."""

from __future__ import annotations

import pytest

from learning_app.adapters.postgres import session_scope
from learning_app.services.search import queries
from tests.integration.hostile.world import (
    EMOJI,
    HUGE,
    NUL,
    RTL,
    SQLISH,
    ZERO_WIDTH,
    World,
    fingerprint,
)

HOSTILE_QUERIES = [HUGE, NUL, SQLISH, RTL, ZERO_WIDTH, EMOJI, '" OR title:* ', "*:* || true"]


@pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=lambda q: repr(q[:12]))
def test_hostile_search_queries_are_cleaned_answered_and_change_nothing(
    query: str, world: World
) -> None:
    before = fingerprint()
    with session_scope() as session:
        results = queries.search(session, token=world.student, query=query)
    assert len(results.query) <= 200 and "\x00" not in results.query
    after = fingerprint()
    # A search records one `search_performed` event (its length, not its words); nothing else.
    assert after.pop("analytics buffer") == before.pop("analytics buffer") + 1
    assert after == before

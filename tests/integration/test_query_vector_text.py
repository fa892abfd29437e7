"""A query's vector as Postgres is sent it (`adapters.embeddings.QueryVector`): its text is
made once, and Postgres reads from it exactly the vector pgvector's own text would give."""

from __future__ import annotations

import numpy as np
from pgvector import Vector
from sqlalchemy import text

from learning_app.adapters.embeddings import QueryVector, as_query_vector, normalise
from learning_app.adapters.postgres import session_scope

DIMENSIONS = 384


def test_postgres_reads_the_same_vector_from_the_shorter_text(stores: None) -> None:
    rows = normalise(np.random.default_rng(7).normal(size=(20, DIMENSIONS)))
    rows[0, :4] = [1e-8, -3.4028235e38, 1.1754944e-38, 0.0]  # tiny, huge, subnormal edge, zero
    with session_scope() as session:
        for row in rows:
            vector = QueryVector(row)
            same = session.execute(
                text("SELECT CAST(:ours AS vector) = CAST(:theirs AS vector)"),
                {"ours": vector.text, "theirs": Vector(row).to_text()},
            ).scalar_one()
            assert same is True
            assert len(vector.text) < len(Vector(row).to_text())


def test_the_text_is_made_once_and_a_plain_list_still_binds(stores: None) -> None:
    vector = QueryVector([0.6, 0.8, 0.0])
    assert vector.to_text() is vector.text
    assert as_query_vector(vector) is vector
    with session_scope() as session:
        found = session.execute(
            text("SELECT CAST(:v AS vector) <=> CAST(:w AS vector)"),
            {"v": vector.text, "w": as_query_vector([0.6, 0.8, 0.0]).text},
        ).scalar_one()
    assert found == 0.0

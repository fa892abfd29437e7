"""`learning-app bench search`: the app's search service against the raw Typesense client.

A synthetic catalogue (`bench.search_world`: 50k lessons and 500k passages by default, in
Typesense under a bench-only prefix and in Postgres with vectors) is searched with the same
typo'd one-word queries, interleaved, through `search_as` as a visitor (visibility filters,
facets, grouping, highlights, merging per source, the vector leg and fusion) and through
`client.multi_search.perform` with the identical Typesense request the service sends. The
difference is what the service adds.

The vector leg's query embedding is real: `BenchEmbedder` runs the configured embedder on each
query (cached per process, as in the app), then answers with a vector of the synthetic topic
space the passages were drawn from. Its parts are also timed alone: the words-only service,
the Postgres vector search (vectors cached), and the embedder on each distinct query.
"""

from __future__ import annotations

import random
import time
import uuid
import zlib
from collections.abc import Callable, Sequence

import numpy as np

from learning_app.adapters.embeddings import Embedder, get_embedder
from learning_app.adapters.postgres import session_scope
from learning_app.adapters.typesense_store import SEARCH_ERRORS, get_typesense
from learning_app.bench import search_world
from learning_app.bench.retrieval import TOPICS, TopicModel
from learning_app.bench.stats import p50_p95, percentile
from learning_app.services.search.documents import PASSAGE_TYPES
from learning_app.services.search.index import SearchIndex, drop_index, ensure_collections
from learning_app.services.search.lexical import multi_search_body
from learning_app.services.search.queries import plan_searches, search_as
from learning_app.services.search.results import Audience
from learning_app.services.search.semantic import semantic_search

TYPOS = ["pyhton", "clsures", "recursoin", "dictionries", "inheritence", "geomtry", "molecuels"]


class BenchEmbedder:
    """The real embedder's cost, with vectors of the bench's synthetic space."""

    dimensions = search_world.DIMENSIONS

    def __init__(self, name: str, topics: TopicModel, real: Embedder) -> None:
        self.name, self._topics, self._real = name, topics, real

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self._real.embed(texts)
        return np.stack([self._topics.question(zlib.crc32(t.encode()) % TOPICS) for t in texts])


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def run_search_bench(
    items: int = 50_000, passages: int = 500_000, queries: int = 300, seed: int = 7
) -> dict:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    index = SearchIndex(get_typesense(), f"bench_{uuid.uuid4().hex[:8]}_")
    world = search_world.create(index, seed)
    visitor = Audience(user_id=None)
    try:
        ensure_collections(index)
        search_world.load(world, items, passages, seed)
        texts = [
            rng.choice(TYPOS) if i % 2 else _typo(rng.choice(search_world.WORDS), rng)
            for i in range(queries)
        ]
        real = get_embedder()
        embedder = BenchEmbedder(world.model.name, world.topics, real)
        searches = plan_searches(visitor, None)
        app_ms, raw_ms, words_ms, vector_ms = [], [], [], []
        with session_scope() as session:
            for text in texts:
                app_ms.append(
                    _timed(
                        lambda t=text: search_as(
                            session, None, query=t, limit=10, index=index, embedder=embedder
                        )
                    )
                )
                # The identical request, built before the clock starts: the raw client's cost.
                body = multi_search_body(index, searches, text, 10)
                raw_ms.append(_timed(lambda b=body: index.client.multi_search.perform(b, {})))
            for text in texts:  # the parts alone; every query vector is cached by now
                words_ms.append(
                    _timed(lambda t=text: search_as(session, None, query=t, limit=10, index=index))
                )
                vector_ms.append(
                    _timed(
                        lambda t=text: semantic_search(
                            session,
                            visitor,
                            t,
                            embedder,
                            types=PASSAGE_TYPES,
                            course_id=None,
                            limit=10,
                        )
                    )
                )
        embed_ms = [_timed(lambda t=text: real.embed([t])) for text in sorted(set(texts))]
    finally:
        search_world.remove(world)
        try:
            drop_index(index)
        except SEARCH_ERRORS:  # a 500k collection's delete can outlast the client's timeout
            drop_index(index)  # (then 404 on its retry): drop what is left
    app_p95, raw_p95 = percentile(app_ms, 0.95), percentile(raw_ms, 0.95)
    return {
        "items": items,
        "passages": passages,
        "queries": queries,
        "distinct_queries": len(set(texts)),
        **{key: round(value, 1) for key, value in world.timings.items()},
        **p50_p95("app", app_ms, 2),
        **p50_p95("raw", raw_ms, 2),
        "ratio_p50": round(percentile(app_ms, 0.5) / percentile(raw_ms, 0.5), 2),
        "ratio_p95": round(app_p95 / raw_p95, 2) if raw_p95 else 0.0,
        **p50_p95("words_only", words_ms, 2),
        **p50_p95("vector_leg", vector_ms, 2),
        **p50_p95("query_embedding", embed_ms, 2),
        "embedder": real.name,
    }

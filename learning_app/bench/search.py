"""`learning-app bench search`: the app's search service against the raw Typesense client.

50k synthetic lessons go into collections under a bench-only prefix, made by the app's own
index code (same schema, same alias). Then the same typo'd queries run, interleaved, through
`search_as` (visitor visibility filter, facets, highlights, merging, snippet parsing) and
through `client.multi_search.perform` with the identical Typesense request the service sends.
The difference is what the service adds. The collections are deleted afterwards.
"""

from __future__ import annotations

import random
import time
import uuid

from learning_app.adapters.postgres import session_scope
from learning_app.adapters.typesense_store import get_typesense
from learning_app.bench.stats import percentile
from learning_app.services.search.documents import KINDS, course_key
from learning_app.services.search.index import SearchIndex, drop_index, ensure_collections
from learning_app.services.search.queries import multi_search_body, plan_searches, search_as
from learning_app.services.search.results import Audience

WORDS = tuple(
    [
        "python",
        "loops",
        "functions",
        "closures",
        "recursion",
        "arrays",
        "lists",
        "dictionaries",
        "sets",
        "tuples",
        "classes",
        "objects",
        "inheritance",
        "algebra",
        "geometry",
        "fractions",
        "equations",
        "chemistry",
        "atoms",
        "molecules",
        "reactions",
        "biology",
        "cells",
        "genetics",
        "evolution",
        "history",
        "empires",
        "revolutions",
        "economics",
        "markets",
        "inflation",
        "music",
        "rhythm",
        "harmony",
        "painting",
        "colour",
        "perspective",
        "grammar",
        "verbs",
        "nouns",
        "poetry",
    ]
)
TYPOS = ["pyhton", "clsures", "recursoin", "dictionries", "inheritence", "geomtry", "molecuels"]


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _documents(items: int, rng: random.Random) -> list[dict[str, object]]:
    courses = [(uuid.uuid4(), f"Course {n}") for n in range(200)]
    docs = []
    for _ in range(items):
        course_id, course_title = rng.choice(courses)
        lesson_id = str(uuid.uuid4())
        docs.append(
            {
                "id": f"{lesson_id}.{course_id}",
                "type": "lesson",
                "entity_id": lesson_id,
                "lesson_id": lesson_id,
                "course_id": str(course_id),
                "course_title": course_title,
                "course_key": course_key(course_id, course_title),
                "published": rng.random() < 0.9,
                "course_public": rng.random() < 0.7,
                "teacher_ids": [str(uuid.uuid4())],
                "title": " ".join(rng.sample(WORDS, 3)).capitalize(),
                "preview": " ".join(rng.choices(WORDS, k=60)),
                "tags": [],
                "tag_keys": [],
                "content_hash": "",
            }
        )
    return docs


def run_search_bench(items: int = 50_000, queries: int = 300, seed: int = 7) -> dict:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    index = SearchIndex(get_typesense(), f"bench_{uuid.uuid4().hex[:8]}_")
    lessons = KINDS["lessons"]
    visitor = Audience(user_id=None)
    try:
        ensure_collections(index)
        docs = _documents(items, rng)
        began = time.perf_counter()
        for start in range(0, len(docs), 5_000):
            index.client.collections[index.alias(lessons)].documents.import_(
                docs[start : start + 5_000], {"action": "create"}
            )
        import_s = time.perf_counter() - began
        texts = [
            rng.choice(TYPOS) if i % 2 else _typo(rng.choice(WORDS), rng) for i in range(queries)
        ]
        searches = plan_searches(visitor, None)
        app_ms, raw_ms = [], []
        with session_scope() as session:
            for text in texts:
                start = time.perf_counter()
                search_as(session, None, query=text, limit=10, index=index)
                app_ms.append((time.perf_counter() - start) * 1000)
                # The identical request, built before the clock starts: the raw client's cost.
                body = multi_search_body(index, searches, text, 10)
                start = time.perf_counter()
                index.client.multi_search.perform(body, {})
                raw_ms.append((time.perf_counter() - start) * 1000)
    finally:
        drop_index(index)
    app_p95, raw_p95 = percentile(app_ms, 0.95), percentile(raw_ms, 0.95)
    return {
        "items": items,
        "queries": queries,
        "import_s": round(import_s, 2),
        "app_p50_ms": round(percentile(app_ms, 0.5), 2),
        "app_p95_ms": round(app_p95, 2),
        "raw_p50_ms": round(percentile(raw_ms, 0.5), 2),
        "raw_p95_ms": round(raw_p95, 2),
        "ratio_p95": round(app_p95 / raw_p95, 2) if raw_p95 else 0.0,
    }

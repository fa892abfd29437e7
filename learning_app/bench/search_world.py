"""The synthetic catalogue of `bench search`: 200 courses, N lessons with M passages between
them, in Postgres (lessons, places, passage chunks with vectors and the model's HNSW index) and
in Typesense (lesson and passage documents under a bench-only prefix), made alike.

Text: passages of ~100 words drawn from a 20,000-word vocabulary with Zipf frequencies (as in
real prose, a few words are everywhere and most are rare); the bench's query words sit at ranks
20-2,000, so each is in roughly 0.2-10 % of the passages. Vectors: the `topics` model of
`bench retrieval`, one topic per lesson. Rows go in with COPY on a raw connection (no search
outbox jobs), and everything is deleted afterwards.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import text

from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.bench.bulk import copy_rows, execute
from learning_app.bench.retrieval import DIMENSIONS, TOPICS, TopicModel
from learning_app.models.base import utc_now
from learning_app.models.chunks import EmbeddingModel, drop_hnsw_index_ddl, hnsw_index_ddl
from learning_app.models.users import User, UserProfile, UserRole
from learning_app.services.search.document_shape import course_key
from learning_app.services.search.documents import KINDS
from learning_app.services.search.index import SearchIndex

COURSES = 200
WORDS_PER_PASSAGE = 100
VOCABULARY = 20_000
BATCH_LESSONS = 2_000
WORDS = [
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
_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ner",
    "tos",
    "vi",
    "ra",
    "pen",
    "sul",
    "dor",
    "fe",
    "gu",
    "hal",
    "ith",
    "jo",
    "mur",
    "nex",
    "pla",
    "qui",
    "sto",
]
CHUNK_COLUMNS = [
    "id",
    "lesson_id",
    "source_label",
    "position",
    "text",
    "word_count",
    "content_sha256",
    "embedding",
    "embedding_model_id",
]
CHUNK_TYPES = ["uuid", "uuid", "varchar", "int4", "text", "int4", "text", "vector", "uuid"]


@dataclass
class SearchWorld:
    tag: str
    owner_id: uuid.UUID
    model: EmbeddingModel
    topics: TopicModel
    index: SearchIndex
    timings: dict[str, float] = field(default_factory=dict)


def _vocabulary(rng: random.Random) -> tuple[list[str], np.ndarray]:
    """Words by rank and their Zipf probabilities; the bench's query words among them."""
    words: list[str] = []
    seen = set(WORDS)
    while len(words) < VOCABULARY:
        word = "".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    for word, rank in zip(WORDS, rng.sample(range(20, 2_000), len(WORDS)), strict=False):
        words[rank] = word
    weights = 1.0 / np.arange(1, VOCABULARY + 1)
    return words, weights / weights.sum()


def _texts(words: list[str], p: np.ndarray, count: int, gen: np.random.Generator) -> list[str]:
    picks = gen.choice(len(words), size=(count, WORDS_PER_PASSAGE), p=p)
    return [" ".join(words[i] for i in row) for row in picks]


def _courses(world: SearchWorld, rng: random.Random) -> list[tuple[uuid.UUID, str, bool]]:
    courses = [(uuid.uuid4(), f"Course {n}", rng.random() < 0.7) for n in range(COURSES)]
    copy_rows(
        "course",
        ["id", "owner_id", "title", "slug", "status", "is_public", "published_at"],
        [
            (cid, world.owner_id, title, f"bench-{world.tag}-{n}", "published", public, utc_now())
            for n, (cid, title, public) in enumerate(courses)
        ],
    )
    return courses


def _common(course: tuple[uuid.UUID, str, bool], published: bool) -> dict[str, object]:
    course_id, title, public = course
    return {
        "course_id": str(course_id),
        "course_title": title,
        "course_key": course_key(course_id, title),
        "published": published,
        "course_public": public,
        "teacher_ids": [],
        "tags": [],
        "tag_keys": [],
        "content_hash": "",
    }


# Passages per import request: one request must end within the app client's 3 s timeout even
# on a busy machine (5,000 did not).
IMPORT_BATCH = 500


def _import(world: SearchWorld, kind: str, docs: list[dict[str, object]]) -> None:
    collection = world.index.client.collections[world.index.alias(KINDS[kind])].documents
    for start in range(0, len(docs), IMPORT_BATCH):
        collection.import_(docs[start : start + IMPORT_BATCH], {"action": "create"})


def load(world: SearchWorld, lessons: int, passages: int, seed: int) -> None:
    """The catalogue into Postgres and Typesense; the HNSW index builds while Typesense
    imports (each mostly uses one core)."""
    rng, gen = random.Random(seed), np.random.default_rng(seed)  # noqa: S311 - test data
    words, p = _vocabulary(rng)
    courses = _courses(world, rng)
    per_lesson = max(1, passages // lessons)
    now = utc_now()
    ts_batches: list[tuple[list[dict[str, object]], list[dict[str, object]]]] = []
    began = time.perf_counter()
    for first in range(0, lessons, BATCH_LESSONS):
        count = min(BATCH_LESSONS, lessons - first)
        ids = [uuid.uuid4() for _ in range(count)]
        places = [rng.choice(courses) for _ in range(count)]
        published = [rng.random() < 0.9 for _ in range(count)]
        titles = [" ".join(rng.sample(WORDS, 3)).capitalize() for _ in range(count)]
        copy_rows(
            "lesson",
            ["id", "owner_id", "title", "status", "published_at"],
            [
                (lid, world.owner_id, title, *(("published", now) if pub else ("draft", None)))
                for lid, title, pub in zip(ids, titles, published, strict=True)
            ],
        )
        copy_rows(
            "course_lesson",
            ["course_id", "lesson_id", "position"],
            [(c[0], lid, first + n) for n, (lid, c) in enumerate(zip(ids, places, strict=True))],
        )
        texts = _texts(words, p, count * per_lesson, gen)
        topics = np.repeat(gen.integers(0, TOPICS, count), per_lesson)
        vectors = world.topics.chunks(topics)
        vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
        copy_rows(
            "lesson_chunk",
            CHUNK_COLUMNS,
            (
                (
                    uuid.uuid4(),
                    ids[i // per_lesson],
                    "bench",
                    i % per_lesson,
                    passage,
                    WORDS_PER_PASSAGE,
                    f"{i:064x}",
                    vectors[i],
                    world.model.id,
                )
                for i, passage in enumerate(texts)
            ),
            binary_types=CHUNK_TYPES,
        )
        lesson_docs, passage_docs = [], []
        for n, (lid, course, pub, title) in enumerate(
            zip(ids, places, published, titles, strict=True)
        ):
            common = {"type": "lesson", "entity_id": str(lid), "lesson_id": str(lid)}
            common |= {**_common(course, pub), "title": title}
            mine = texts[n * per_lesson : (n + 1) * per_lesson]
            lesson_docs.append({**common, "id": f"{lid}.{course[0]}", "preview": mine[0][:1000]})
            key = f"{lid}.{course[0]}"
            passage_docs += [
                {**common, "id": f"{key}.{i}", "source_key": key, "heading": "", "page": 0}
                | {"text": passage}
                for i, passage in enumerate(mine)
            ]
        ts_batches.append((lesson_docs, passage_docs))
    world.timings["postgres_load_s"] = time.perf_counter() - began
    builder = threading.Thread(target=_build_hnsw, args=(world,))
    builder.start()
    began = time.perf_counter()
    for lesson_docs, passage_docs in ts_batches:
        _import(world, "lessons", lesson_docs)
        _import(world, "passages", passage_docs)
    world.timings["typesense_import_s"] = time.perf_counter() - began
    builder.join()


def _build_hnsw(world: SearchWorld) -> None:
    """The model's HNSW index, built CONCURRENTLY: the database is shared, and a plain build
    would hold every other writer of lesson_chunk (ingestion, other benches) for minutes."""
    began = time.perf_counter()
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SET maintenance_work_mem = '2GB'"))
        conn.execute(text(hnsw_index_ddl(world.model.id, DIMENSIONS, concurrently=True)))
        conn.execute(text("RESET maintenance_work_mem"))
        # Fresh statistics, as autovacuum keeps them: the planner joins by them.
        conn.execute(text("ANALYZE course, lesson, course_lesson, lesson_chunk"))
    world.timings["hnsw_build_s"] = time.perf_counter() - began


def create(index: SearchIndex, seed: int) -> SearchWorld:
    tag = uuid.uuid4().hex[:8]
    owner = uuid.uuid4()
    with session_scope() as session:
        session.add(User(id=owner, email=f"bench-search-{tag}@example.test"))
        session.flush()
        session.add(UserProfile(user_id=owner, role=UserRole.TEACHER, display_name="Bench"))
        model = EmbeddingModel(name=f"bench/{tag}", dimensions=DIMENSIONS)
        session.add(model)
    return SearchWorld(tag, owner, model, TopicModel(np.random.default_rng(seed)), index)


def remove(world: SearchWorld) -> None:
    """Delete what `create` and `load` made in Postgres."""
    model_id, owner = str(world.model.id), str(world.owner_id)
    execute("DELETE FROM lesson_chunk WHERE embedding_model_id = %(m)s", {"m": model_id})
    execute(drop_hnsw_index_ddl(world.model.id))
    execute("DELETE FROM embedding_model WHERE id = %(m)s", {"m": model_id})
    execute("DELETE FROM course WHERE owner_id = %(o)s", {"o": owner})  # places cascade
    execute("DELETE FROM lesson WHERE owner_id = %(o)s", {"o": owner})
    execute('DELETE FROM "user" WHERE id = %(o)s', {"o": owner})

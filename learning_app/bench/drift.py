"""`learning-app bench drift`: the periodic search drift check, whole against one part a run.

The bench makes a catalogue inside Postgres (default 200 courses and 20,000 lessons of three
~100-word sections, so about 80,000 search documents with their passages), indexes it with
the app's own builders under a bench-only prefix, and drifts it behind the outbox's back: some
lessons' documents deleted from the index, some lessons renamed with raw SQL, a course deleted
with raw SQL. It then times comparing the whole catalogue (what every run did before), and each
part the periodic check now compares one run at a time: wall time, which is how long the
index writers wait behind the check's lock, and the CPU time of the comparing thread, which
is how long it holds the app worker's GIL, and whether the Markdown the pages showed before
is still rendered after every part has run (the check renders thousands of texts). It also
checks that the parts together find exactly the drift the whole comparison finds. Everything
it made is deleted at the end.
"""

from __future__ import annotations

import random
import time
import uuid

import sqlalchemy as sa

from learning_app.adapters.postgres import session_scope
from learning_app.adapters.typesense_store import get_typesense
from learning_app.bench.bulk import execute, generate
from learning_app.bench.stats import percentile
from learning_app.services.markdown_render import render_all, rendered_lately
from learning_app.services.search.catalogue_parts import DOCUMENTS_PER_PART, CataloguePart
from learning_app.services.search.documents import KINDS
from learning_app.services.search.drift import part_to_check
from learning_app.services.search.index import SearchIndex, check_drift, drop_index, rebuild

_FIXTURE = [
    """INSERT INTO "user" (id, email)
       VALUES (:owner, 'bench-drift-' || :tag || '@bench.invalid')""",
    """INSERT INTO course (id, owner_id, title, slug, status, is_public, published_at)
       SELECT gen_random_uuid(), :owner, 'Bench course ' || g, 'bench-drift-' || :tag || '-' || g,
              'published', g % 3 > 0, now()
       FROM generate_series(1, :courses) g""",
    # Three sections of 100 made-up words: three passages a lesson.
    """INSERT INTO lesson (id, owner_id, title, body_markdown, status, published_at)
       SELECT gen_random_uuid(), :owner, 'Bench lesson ' || g,
              (SELECT string_agg('# Section ' || s || E'\\n\\n' || (
                        SELECT string_agg(substr(md5(g || '.' || s || '.' || w), 1, 2 + w % 7), ' ')
                        FROM generate_series(1, 100) w), E'\\n\\n')
               FROM generate_series(1, 3) s),
              'published', now()
       FROM generate_series(1, :lessons) g""",
    """INSERT INTO course_lesson (course_id, lesson_id, position)
       SELECT c.ids[1 + (l.n % array_length(c.ids, 1))], l.id, l.n
       FROM (SELECT id, row_number() OVER (ORDER BY id) n FROM lesson WHERE owner_id = :owner) l,
            (SELECT array_agg(id ORDER BY id) ids FROM course WHERE owner_id = :owner) c""",
]
_CLEANUP = [
    "DELETE FROM course WHERE owner_id = %(owner)s",  # places cascade
    "DELETE FROM lesson WHERE owner_id = %(owner)s",
    'DELETE FROM "user" WHERE id = %(owner)s',
]
PAGE_TEXTS = 1_000  # texts the pages showed, fewer than the render cache holds
DRIFTED = 20  # lessons lost from the index, and lessons renamed behind the outbox's back


def _drift(index: SearchIndex, owner: uuid.UUID, rng: random.Random) -> None:
    with session_scope() as session:
        lessons = session.execute(
            sa.text(
                "SELECT cl.lesson_id || '.' || cl.course_id, cl.lesson_id FROM course_lesson cl"
                " JOIN lesson l ON l.id = cl.lesson_id WHERE l.owner_id = :owner"
            ),
            {"owner": owner},
        ).all()
    picked = rng.sample(lessons, 2 * DRIFTED)
    documents = index.client.collections[index.alias(KINDS["lessons"])].documents
    for doc_id, _ in picked[:DRIFTED]:
        documents[doc_id].delete()
    renamed = [lesson_id for _, lesson_id in picked[DRIFTED:]]
    execute(
        "UPDATE lesson SET title = title || ' (renamed)' WHERE id = ANY(%(ids)s)",
        {"ids": renamed},
    )
    execute(  # a whole course gone: its documents are left in the index
        "DELETE FROM course WHERE id = (SELECT min(id::text)::uuid FROM course"
        " WHERE owner_id = %(owner)s)",
        {"owner": owner},
    )


def _compare(index: SearchIndex, part: CataloguePart | None) -> tuple[float, float, set[str]]:
    """(wall ms, CPU ms of this thread, the owners of what drifted) of one comparison."""
    wall, cpu = time.perf_counter(), time.thread_time()
    with session_scope() as session:
        report = check_drift(session, index, part=part)
    owners = {
        "/".join(drift.owners[doc_id])
        for drift in report
        for doc_id in drift.missing + drift.stale + drift.extra
    }
    return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000, owners


def _figures(name: str, wall: list[float], cpu: list[float]) -> dict[str, float]:
    return {
        f"{name}_wall_p50_ms": round(percentile(wall, 0.5), 1),
        f"{name}_wall_max_ms": round(max(wall), 1),
        f"{name}_cpu_p50_ms": round(percentile(cpu, 0.5), 1),
        f"{name}_cpu_max_ms": round(max(cpu), 1),
    }


def run_drift_bench(
    *, courses: int, lessons: int, samples: int, seed: int, part_size: int = DOCUMENTS_PER_PART
) -> dict[str, float]:
    if courses < 2 or lessons < 2 * DRIFTED or min(samples, part_size) < 1:
        raise ValueError(
            f"--courses must be at least 2, --lessons at least {2 * DRIFTED},"
            " --samples and --part-size at least 1"
        )
    tag, owner = uuid.uuid4().hex[:8], uuid.uuid4()
    index = SearchIndex(get_typesense(), f"bench-drift-{tag}-")
    params = {"tag": tag, "owner": owner, "courses": courses, "lessons": lessons}
    result: dict[str, float] = {"courses": courses, "lessons": lessons, "part_size": part_size}
    try:
        result["generate_s"] = generate(_FIXTURE, params)
        start = time.perf_counter()
        result["documents"] = sum(built.documents for built in rebuild(index))
        result["index_s"] = round(time.perf_counter() - start, 1)
        _drift(index, owner, random.Random(seed))  # noqa: S311 - test data

        whole = [_compare(index, None) for _ in range(samples)]
        start = time.perf_counter()
        of = part_to_check(index, 0, part_size).of
        result["choose_part_ms"] = round((time.perf_counter() - start) * 1000, 1)
        # What the pages showed before a run: still rendered after it?
        pages = [f"# Page {n}\n\nWhat page *{n}* shows." for n in range(PAGE_TEXTS)]
        render_all(pages)
        parts = [_compare(index, CataloguePart(number, of)) for number in range(of)]
        result["page_texts_kept"] = sum(rendered_lately([page]) is not None for page in pages)
    finally:
        drop_index(index)
        for statement in _CLEANUP:
            execute(statement, {"owner": owner})
    result["parts"] = of
    result.update(_figures("whole", [w for w, _, _ in whole], [c for _, c, _ in whole]))
    result.update(_figures("part", [w for w, _, _ in parts], [c for _, c, _ in parts]))
    result["cycle_cpu_ms"] = round(sum(c for _, c, _ in parts), 1)
    result["whole_over_part_cpu"] = round(
        result["whole_cpu_p50_ms"] / max(result["part_cpu_max_ms"], 0.01), 1
    )
    drifted = whole[0][2]
    result["drifted_entities"] = len(drifted)
    result["parts_find_all"] = set().union(*(found for _, _, found in parts)) == drifted
    return result

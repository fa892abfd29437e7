"""Parts of the catalogue, by course, so that the periodic drift check costs the same at any size.

Comparing the whole index with Postgres builds every document in Python, ~200 µs each: at
80,000 documents, 16 s of an app worker's GIL, with every index writer waiting behind the
check's lock (`learning-app bench drift`). The periodic check compares one part per
run instead: the courses whose id falls in it, with all their documents of every kind. The
number of parts grows with the index (`DOCUMENTS_PER_PART` documents each, in powers of two so
that each part splits in two as the catalogue doubles), and consecutive runs take consecutive
parts, so the whole catalogue is compared once every `parts` runs.

Documents of a course Postgres no longer has belong to no part. Every run finds them anyway:
the index's course ids, one facet query per kind, against Postgres's (and a course id that is
not even a UUID, from a document written by hand, by its whole course key).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from learning_app.adapters.typesense_store import SearchClient, SearchObjectNotFound
from learning_app.services.search.document_shape import Scope

DOCUMENTS_PER_PART = 5_000
MAX_PARTS = 1_024
FILTER_COURSES = 100  # course ids per Typesense filter: an export is a GET, its URL stays short


@dataclass(frozen=True)
class CataloguePart:
    """Part `number` of `of`: the courses whose id is `number` modulo `of`."""

    number: int
    of: int

    def holds(self, course_id: uuid.UUID) -> bool:
        return course_id.int % self.of == self.number


def part_for_run(
    run: int, indexed_documents: int, documents_per_part: int | None = None
) -> CataloguePart:
    """The part run number `run` compares, in an index of `indexed_documents`. A lost or empty
    index gives one part: the whole catalogue, all of it missing, is compared at once."""
    per_part = documents_per_part or DOCUMENTS_PER_PART
    of = 1
    while of * per_part < indexed_documents and of < MAX_PARTS:
        of *= 2
    return CataloguePart(run % of, of)


def indexed_documents(client: SearchClient, collections: Iterable[str]) -> int:
    """How many documents the collections (or aliases) hold; one that does not exist holds 0."""
    total = 0
    for name in collections:
        with contextlib.suppress(SearchObjectNotFound):
            total += int(client.collections[name].retrieve()["num_documents"])
    return total


def indexed_courses(client: SearchClient, collection: str) -> tuple[set[uuid.UUID], list[str]]:
    """The course of every document in a collection, from its `course_key` facet ("<id>
    <title>"): the course ids, and the whole keys of documents whose course id is not a UUID
    (written by hand: no course has such an id, so they are always gone)."""
    answer = client.collections[collection].documents.search(
        {
            "q": "*",
            "query_by": "title",
            "facet_by": "course_key",
            "max_facet_values": 1_000_000,
            "per_page": 0,
        }
    )
    ids: set[uuid.UUID] = set()
    odd: list[str] = []
    for facet in answer.get("facet_counts", []):
        for count in facet["counts"]:
            key = str(count["value"])
            try:
                ids.add(uuid.UUID(key.split(" ", 1)[0]))
            except ValueError:
                odd.append(key)
    return ids, odd


def course_key_filters(keys: Iterable[str]) -> Iterator[str]:
    """Typesense filters for the documents of these whole course keys, `FILTER_COURSES` keys
    each. A key is quoted in backticks, so commas and brackets in it are only text; a key that
    holds a backtick cannot be quoted and is left to `learning-app search-check`."""
    quotable = sorted(key for key in keys if "`" not in key)
    for start in range(0, len(quotable), FILTER_COURSES):
        batch = quotable[start : start + FILTER_COURSES]
        yield "course_key:=[" + ",".join(f"`{key}`" for key in batch) + "]"


def course_scopes(course_ids: Iterable[uuid.UUID]) -> Iterator[Scope]:
    """`course_ids` as scopes of at most `FILTER_COURSES` courses each."""
    ids = sorted(course_ids)
    for start in range(0, len(ids), FILTER_COURSES):
        yield Scope("course_id", tuple(ids[start : start + FILTER_COURSES]))

"""The Typesense side of search: versioned collections behind aliases, kept equal to Postgres.

Each kind lives in a collection `<prefix><kind>_v<schema>_<millis>`, reached only through the
alias `<prefix><kind>`. `rebuild` fills a new collection from Postgres, points the alias at it
(searches never see a half-built index) and drops the old one. Writes go through the alias.

Every write that must agree with Postgres (`sync_entity`, `sync_synonyms`, the repair after a
rebuild) holds one transaction-level advisory lock while it reads Postgres and writes
Typesense. Each reads the state committed when it runs, so whichever runs last writes the latest
state: two jobs for one lesson, or a job racing a rebuild, can never leave an older version.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from learning_app.adapters.postgres import session_scope
from learning_app.adapters.typesense_store import (
    SearchClient,
    SearchObjectNotFound,
    SearchRequestRefused,
    get_typesense,
)
from learning_app.models.content import Course
from learning_app.models.search import SearchSynonym
from learning_app.services.search.catalogue_parts import (
    CataloguePart,
    course_key_filters,
    course_scopes,
    indexed_courses,
)
from learning_app.services.search.document_shape import SCHEMA_VERSION, Document, Scope, SearchKind
from learning_app.services.search.documents import KINDS
from learning_app.settings import get_settings

SYNC_LOCK_KEY = 0x5EA4C4  # pg_advisory_xact_lock key shared by every index writer
IMPORT_BATCH = 1_000


@dataclass(frozen=True)
class SearchIndex:
    """A Typesense client and the prefix of this app's aliases (tests and the bench use their
    own)."""

    client: SearchClient
    prefix: str = ""

    def alias(self, kind: SearchKind) -> str:
        return f"{self.prefix}{kind.name}"


def default_index() -> SearchIndex:
    return SearchIndex(get_typesense(), get_settings().search_prefix)


def lock_index_writes(session: Session) -> None:
    """Serialise index writers until this transaction ends (see the module docstring)."""
    session.exec(select(func.pg_advisory_xact_lock(SYNC_LOCK_KEY)))


# --- collections and aliases -------------------------------------------------------------------


def alias_target(index: SearchIndex, kind: SearchKind) -> str | None:
    try:
        return str(index.client.aliases[index.alias(kind)].retrieve()["collection_name"])
    except SearchObjectNotFound:
        return None


def _new_collection(index: SearchIndex, kind: SearchKind) -> str:
    name = f"{index.alias(kind)}_v{SCHEMA_VERSION}_{time.time_ns() // 1_000_000}"
    index.client.collections.create(
        {"name": name, "fields": kind.fields, "token_separators": ["-", "_", "/", "."]}
    )
    return name


def ensure_collections(index: SearchIndex) -> None:
    """Give every kind an (empty) collection behind its alias if it has none yet."""
    for kind in KINDS.values():
        if alias_target(index, kind) is None:
            index.client.aliases.upsert(
                index.alias(kind), {"collection_name": _new_collection(index, kind)}
            )


def _import(index: SearchIndex, collection: str, docs: list[Document]) -> None:
    for start in range(0, len(docs), IMPORT_BATCH):
        batch = docs[start : start + IMPORT_BATCH]
        results = index.client.collections[collection].documents.import_(
            batch, {"action": "upsert"}
        )
        failed = [r for r in results if not r.get("success")]
        if failed:
            raise SearchRequestRefused(
                422, f"{len(failed)} document(s) refused: {failed[0].get('error')}"
            )


def _delete_ids(index: SearchIndex, collection: str, ids: Iterable[str]) -> None:
    documents = index.client.collections[collection].documents
    for doc_id in ids:
        # Already gone is fine: deleting is idempotent.
        with contextlib.suppress(SearchObjectNotFound):
            documents[doc_id].delete()


@dataclass(frozen=True)
class IndexedDoc:
    """What the index says of one document: its content hash, and the entity whose sync job
    writes it (`type` names the entity kind: "course", "lesson", "question", "flashcard",
    "document")."""

    content_hash: str
    type: str
    entity_id: str


def _indexed_docs(
    index: SearchIndex, collection: str, filter_by: str = ""
) -> dict[str, IndexedDoc]:
    """{document id: IndexedDoc} of a collection (or of its documents matching filter_by)."""
    params = {"include_fields": "id,content_hash,type,entity_id"}
    if filter_by:
        params["filter_by"] = filter_by
    lines = index.client.collections[collection].documents.export(params)
    found: dict[str, IndexedDoc] = {}
    for line in filter(None, lines.split("\n")):
        doc = json.loads(line)
        found[str(doc["id"])] = IndexedDoc(
            str(doc.get("content_hash", "")),
            str(doc.get("type", "")),
            str(doc.get("entity_id", "")),
        )
    return found


# --- keeping one entity in sync ----------------------------------------------------------------


# Which documents an entity owns, per kind it appears in.
ENTITY_SCOPES: dict[str, list[tuple[str, str]]] = {
    # A course's title, visibility and teachers are copied into its lessons, questions, cards,
    # files and their passages.
    "course": [
        ("courses", "entity_id"),
        ("lessons", "course_id"),
        ("questions", "course_id"),
        ("flashcards", "course_id"),
        ("documents", "course_id"),
        ("passages", "course_id"),
    ],
    # A passage's entity_id is its lesson's or file's id.
    "lesson": [("lessons", "entity_id"), ("passages", "entity_id")],
    "question": [("questions", "entity_id")],
    "flashcard": [("flashcards", "entity_id")],
    "document": [("documents", "entity_id"), ("passages", "entity_id")],
}


def replace_scope(session: Session, index: SearchIndex, kind: SearchKind, scope: Scope) -> None:
    """Make the documents of `scope` in the index equal to what Postgres says now."""
    docs = kind.build(session, scope)
    collection = index.alias(kind)
    if docs:
        _import(index, collection, docs)
    indexed = _indexed_docs(index, collection, scope.filter_by())
    _delete_ids(index, collection, set(indexed) - {str(d["id"]) for d in docs})


def sync_entity(session: Session, index: SearchIndex, entity: str, entity_id: str) -> None:
    """Bring everything `entity` (course, lesson or question) shows in the index up to date:
    upsert what exists, delete what is gone. Idempotent; raises SEARCH_ERRORS to be retried."""
    value = uuid.UUID(entity_id)
    lock_index_writes(session)
    ensure_collections(index)
    for kind_name, scope_field in ENTITY_SCOPES[entity]:
        replace_scope(session, index, KINDS[kind_name], Scope(scope_field, (value,)))


# --- synonyms ----------------------------------------------------------------------------------


def synonym_groups(session: Session) -> dict[str, list[str]]:
    rows = session.exec(select(SearchSynonym).order_by(col(SearchSynonym.created_at))).all()
    return {str(row.id): list(row.words) for row in rows}


def _apply_synonyms(index: SearchIndex, collection: str, groups: dict[str, list[str]]) -> None:
    synonyms = index.client.collections[collection].synonyms
    current = {s["id"] for s in synonyms.retrieve()["synonyms"]}
    for group_id, words in groups.items():
        synonyms.upsert(group_id, {"synonyms": words})
    for stale in current - set(groups):
        synonyms[stale].delete()


def sync_synonyms(session: Session, index: SearchIndex) -> None:
    """Every collection gets exactly the synonym groups Postgres holds."""
    lock_index_writes(session)
    ensure_collections(index)
    groups = synonym_groups(session)
    for kind in KINDS.values():
        _apply_synonyms(index, index.alias(kind), groups)


# --- drift, repair and rebuild -----------------------------------------------------------------


@dataclass
class KindDrift:
    kind: str
    expected: int = 0
    indexed: int = 0
    missing: list[str] = field(default_factory=list)  # in Postgres, not in the index
    stale: list[str] = field(default_factory=list)  # in both, content differs
    extra: list[str] = field(default_factory=list)  # in the index, gone from Postgres
    synonyms_differ: bool = False
    # (type, entity_id) of each missing, stale or extra document: the entity whose sync job
    # writes it (taken from Postgres, or for an extra document from the index).
    owners: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra or self.synonyms_differ)


def _indexed_synonyms(index: SearchIndex, collection: str) -> dict[str, list[str]]:
    found = index.client.collections[collection].synonyms.retrieve()["synonyms"]
    return {s["id"]: list(s["synonyms"]) for s in found}


def _compared_documents(
    session: Session,
    index: SearchIndex,
    kind: SearchKind,
    built: bool,
    part: CataloguePart | None,
    courses: set[uuid.UUID],
) -> tuple[dict[str, Document], dict[str, IndexedDoc]]:
    """What Postgres says a kind's documents are, and what its index (if `built`) holds, by
    document id: all of them, or those of `part`'s courses and of courses Postgres no longer
    has (`courses`: every course it has)."""
    collection = index.alias(kind)
    if part is None:
        expected = {str(d["id"]): d for d in kind.build(session, None)}
        return expected, (_indexed_docs(index, collection) if built else {})
    mine = {course for course in courses if part.holds(course)}
    expected = {}
    for scope in course_scopes(mine):
        expected.update((str(d["id"]), d) for d in kind.build(session, scope))
    indexed: dict[str, IndexedDoc] = {}
    if built:
        ids, odd_keys = indexed_courses(index.client, collection)
        filters = [scope.filter_by() for scope in course_scopes(mine | (ids - courses))]
        for filter_by in [*filters, *course_key_filters(odd_keys)]:
            indexed.update(_indexed_docs(index, collection, filter_by))
    return expected, indexed


def check_drift(
    session: Session,
    index: SearchIndex,
    *,
    repair: bool = False,
    kinds: Iterable[SearchKind] = KINDS.values(),
    part: CataloguePart | None = None,
) -> list[KindDrift]:
    """Compare each kind's index with Postgres, whole or one part of the catalogue (see
    `catalogue_parts`); with `repair`, fix what differs."""
    if part is not None and part.of == 1:
        part = None  # the whole catalogue: compared without filters
    groups = synonym_groups(session)
    if repair:
        ensure_collections(index)
    courses = set(session.exec(select(Course.id)).all()) if part is not None else set()
    report = []
    for kind in kinds:
        collection = index.alias(kind)
        built = alias_target(index, kind) is not None
        expected, indexed = _compared_documents(session, index, kind, built, part, courses)
        drift = KindDrift(kind.name, expected=len(expected), indexed=len(indexed))
        drift.missing = sorted(set(expected) - set(indexed))
        drift.extra = sorted(set(indexed) - set(expected))
        drift.stale = sorted(
            i
            for i in set(expected) & set(indexed)
            if expected[i]["content_hash"] != indexed[i].content_hash
        )
        for i in drift.missing + drift.stale:
            drift.owners[i] = (str(expected[i]["type"]), str(expected[i]["entity_id"]))
        for i in drift.extra:
            drift.owners[i] = (indexed[i].type, indexed[i].entity_id)
        drift.synonyms_differ = (_indexed_synonyms(index, collection) if built else {}) != groups
        if repair and not drift.clean:
            _import(index, collection, [expected[i] for i in drift.missing + drift.stale])
            _delete_ids(index, collection, drift.extra)
            _apply_synonyms(index, collection, groups)
        report.append(drift)
    return report


@dataclass(frozen=True)
class RebuildResult:
    kind: str
    collection: str
    documents: int
    dropped: str | None
    caught_up: int  # documents the repair pass fixed (changes made while building)


def _build(session: Session, index: SearchIndex, kind: SearchKind) -> tuple[str, int]:
    collection = _new_collection(index, kind)
    try:
        docs = kind.build(session, None)
        _import(index, collection, docs)
        _apply_synonyms(index, collection, synonym_groups(session))
    except BaseException:
        index.client.collections[collection].delete()
        raise
    return collection, len(docs)


def rebuild(index: SearchIndex) -> list[RebuildResult]:
    """Build every kind afresh from Postgres, swap its alias, drop the old collection.

    Searches keep using the old collection until the alias moves. Changes committed while a
    collection was building are caught up right after the swap, under the writers' lock.
    """
    results = []
    for kind in KINDS.values():
        with session_scope() as session:
            collection, count = _build(session, index, kind)
        with session_scope() as session:
            lock_index_writes(session)
            old = alias_target(index, kind)
            index.client.aliases.upsert(index.alias(kind), {"collection_name": collection})
            (drift,) = check_drift(session, index, repair=True, kinds=[kind])
        caught_up = len(drift.missing) + len(drift.stale) + len(drift.extra)
        if old is not None and old != collection:
            index.client.collections[old].delete()
        results.append(RebuildResult(kind.name, collection, count, old, caught_up))
    return results


def drop_index(index: SearchIndex) -> None:
    """Delete every alias and collection under this index's prefix (tests, the bench)."""
    for kind in KINDS.values():
        target = alias_target(index, kind)
        if target is not None:
            index.client.aliases[index.alias(kind)].delete()
            index.client.collections[target].delete()

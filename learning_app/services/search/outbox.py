"""The search outbox: every committed change to indexed rows enqueues a sync job, in the same
transaction, from one place.

A session listener notes which courses, lessons, questions, flashcards and course files a
transaction touched: rows the ORM flushes (added, changed, deleted) and rows that bulk
statements (`delete(Course)...`, `insert(Question)`, `pg_insert(CourseTeacher)...`) write.
Just before COMMIT it enqueues one `search.sync_entity` job per entity with
`defer_in_transaction`, so the jobs exist exactly when the change does. Services need not
know about search at all.

Text chunks (`lesson_chunk`) count as a change of their source, the file or else the lesson:
ingestion rewrites them in a job of its own, after the edit that queued it, and what search
shows of a source is built from them.

Rows removed by ON DELETE CASCADE are covered by their parent's job: a course's job replaces
every document of the course, a lesson's job every place of the lesson.

Writes that bypass the ORM session (raw SQL, another program) are not seen here; the periodic
drift check (`search.drift`) finds what they changed and queues the same jobs.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Table, event, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction
from sqlmodel import Session as ModelSession

from learning_app.adapters.job_queue import defer_in_transaction, waiting_jobs
from learning_app.models.chunks import LessonChunk
from learning_app.models.content import Course, CourseLesson, CourseTeacher, Lesson
from learning_app.models.documents import Document as CourseFile
from learning_app.models.questions import Question, QuestionTag
from learning_app.models.review import Flashcard, FlashcardTag
from learning_app.models.search import SearchSynonym

SYNC_ENTITY_TASK = "search.sync_entity"
SYNC_SYNONYMS_TASK = "search.sync_synonyms"
SEARCH_QUEUE = "search"
SYNONYMS = "synonyms"  # the outbox key of "the synonym list changed"
_PENDING = "search_outbox"  # key in Session.info

# (entity, id): ("course" | "lesson" | "question" | "flashcard" | "document", uuid) or SYNONYMS
Change = tuple[str, str]

# Which entity a row of each table belongs to: (entity, column naming it) pairs, the first
# whose column the row sets wins (a chunk of a file belongs to the file, else to its lesson).
_TRACKED: dict[str, tuple[tuple[str, str], ...]] = {
    Course.__tablename__: (("course", "id"),),
    Lesson.__tablename__: (("lesson", "id"),),
    CourseLesson.__tablename__: (("lesson", "lesson_id"),),
    CourseTeacher.__tablename__: (("course", "course_id"),),
    Question.__tablename__: (("question", "id"),),
    CourseFile.__tablename__: (("document", "id"),),
    QuestionTag.__tablename__: (("question", "question_id"),),
    # Personal cards are tracked too: their job finds nothing to index and writes nothing.
    Flashcard.__tablename__: (("flashcard", "id"),),
    FlashcardTag.__tablename__: (("flashcard", "flashcard_id"),),
    LessonChunk.__tablename__: (("document", "document_id"), ("lesson", "lesson_id")),
    SearchSynonym.__tablename__: ((SYNONYMS, "id"),),
}


def _pending(session: Session) -> set[Change]:
    return session.info.setdefault(_PENDING, set())  # type: ignore[no-any-return]


def _columns(table_name: str) -> list[str]:
    return [column for _, column in _TRACKED[table_name]]


def _change(table_name: str, row: Mapping[str, Any]) -> Change | None:
    for entity, column in _TRACKED[table_name]:
        if entity == SYNONYMS:
            return (SYNONYMS, "")
        value = row.get(column)
        if isinstance(value, uuid.UUID | str):
            return (entity, str(value))
    return None


def _note(session: Session, table_name: str, rows: list[Mapping[str, Any]]) -> None:
    changes = {_change(table_name, row) for row in rows}
    _pending(session).update(c for c in changes if c is not None)


@event.listens_for(Session, "after_flush")
def _note_flushed_rows(session: Session, _flush: UOWTransaction) -> None:
    for obj in [*session.new, *session.dirty, *session.deleted]:
        table = getattr(obj, "__tablename__", None)
        if table not in _TRACKED or (obj in session.dirty and not session.is_modified(obj)):
            continue
        _note(session, table, [{column: getattr(obj, column) for column in _columns(table)}])


def _inserted(state: ORMExecuteState, columns: list[str]) -> list[Mapping[str, Any]]:
    """The rows an INSERT writes (their `columns`), from executemany parameters or `.values()`."""
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    given = [row for row in rows if isinstance(row, dict) and any(c in row for c in columns)]
    if given:
        return given
    # `.values(...)` compiles to parameters named `<column>` or `<column>_m<row number>`.
    compiled = state.statement.compile().params
    by_row: dict[int, dict[str, Any]] = {}
    for column in columns:
        pattern = re.compile(rf"{re.escape(column)}(?:_m(\d+))?")
        for name, value in compiled.items():
            if match := pattern.fullmatch(name):
                by_row.setdefault(int(match.group(1) or 0), {})[column] = value
    return list(by_row.values())


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_statements(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if not isinstance(table, Table) or table.name not in _TRACKED:
        return
    columns = _columns(table.name)
    if state.is_insert:
        _note(state.session, table.name, _inserted(state, columns))
        return
    # UPDATE/DELETE: read which rows the statement is about to touch, in its transaction.
    query = select(*(table.c[column] for column in columns)).distinct()
    where = state.statement.whereclause  # type: ignore[attr-defined]
    if where is not None:
        query = query.where(where)
    _note(state.session, table.name, list(state.session.execute(query).mappings()))


@event.listens_for(Session, "before_commit")
def _enqueue_sync_jobs(session: Session) -> None:
    # COMMIT flushes only after this hook: flush now, so that changes still waiting in the
    # session (an attribute set, then commit) are noted too and get their job.
    session.flush()
    changes = sorted(session.info.pop(_PENDING, set()))
    model_session = cast(ModelSession, session)  # every app session is a SQLModel Session
    for change in changes:
        enqueue_sync(model_session, change)


def enqueue_sync(session: ModelSession, change: Change) -> None:
    """Queue the job that brings `change`'s documents (or the synonyms) up to date, in the
    session's transaction."""
    entity, entity_id = change
    if entity == SYNONYMS:
        defer_in_transaction(session, SYNC_SYNONYMS_TASK, queue=SEARCH_QUEUE)
    else:
        defer_in_transaction(
            session, SYNC_ENTITY_TASK, queue=SEARCH_QUEUE, entity=entity, entity_id=entity_id
        )


def waiting_syncs(session: ModelSession) -> set[Change]:
    """The changes whose sync job waits to run (due now, or to be retried later)."""
    waiting: set[Change] = set()
    for task_name, args in waiting_jobs(session, SEARCH_QUEUE):
        if task_name == SYNC_SYNONYMS_TASK:
            waiting.add((SYNONYMS, ""))
        elif task_name == SYNC_ENTITY_TASK:
            waiting.add((str(args["entity"]), str(args["entity_id"])))
    return waiting


@event.listens_for(Session, "after_transaction_end")
def _forget_when_done(session: Session, transaction: SessionTransaction) -> None:
    # Only the outermost transaction: a savepoint rolled back inside it (a retried insert)
    # must not forget changes made before the savepoint. Extra jobs are harmless (idempotent).
    if transaction.parent is None:
        session.info.pop(_PENDING, None)

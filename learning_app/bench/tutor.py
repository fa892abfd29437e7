"""`learning-app bench tutor --set DIR`: the tutor's and search's quality on an evaluation set.

A scratch teacher creates a course and uploads the set's documents as a teacher would (Markdown,
PDF, DOCX), through `upload_document` and `ingest_document` with the configured embedder; the
search index is brought up to date the way its jobs do (`sync_entity`). Then, as a student:

* each question goes through the tutor service (`prepare`, then the answer without a language
  model unless `--with-model`). A question counts as hit@k when one of its first k ranked
  passages holds its evidence sentence (compared letters and digits only, since PDF
  extraction moves spaces);
* each search goes through the search service; it counts when the expected document is
  among the first 3 hits.

Figures are given for the whole set and for each half of `split.json`. Timings are per call
in this process (the tutor's: retrieval, tier decision and extractive answer). Everything the
run created is deleted at the end.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import col

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.llm import ChatModel
from learning_app.adapters.postgres import session_scope
from learning_app.adapters.s3_store import get_s3
from learning_app.bench.eval_set import EvalItem, EvalSet, load_eval_set
from learning_app.bench.stats import percentile
from learning_app.models.users import User, UserRole
from learning_app.services.accounts import sessions, users
from learning_app.services.courses import authoring, reading
from learning_app.services.material.documents import upload_document
from learning_app.services.material.ingestion import ingest_document
from learning_app.services.material.spool import UploadSpool
from learning_app.services.search.index import default_index, sync_entity
from learning_app.services.search.queries import search
from learning_app.services.tutor import answering

RANKED = 5  # passages looked at for hit@5


@dataclass(frozen=True)
class QuestionOutcome:
    item: EvalItem
    rank: int | None  # 1-based rank of the first passage holding the evidence
    tier: str
    evidence: float  # the top passage's best-window cosine (what the tiers are decided on)
    chunk: float  # the top passage's own cosine
    seconds: float


@dataclass(frozen=True)
class SearchOutcome:
    item: EvalItem
    rank: int | None
    seconds: float


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _person(tag: str, role: UserRole, name: str) -> tuple[str, str]:
    """A verified account's (user id, session token)."""
    with session_scope() as session:
        viewer = users.create_user(
            session,
            email=f"bench-tutor-{name}-{tag}@example.test",
            password=uuid.uuid4().hex,
            display_name=f"Bench {name}",
            role=role,
        )
    user_id = uuid.UUID(viewer.user_id)
    return viewer.user_id, sessions.create_session(user_id, client_ip="", user_agent="bench")


def _build_course(eval_set: EvalSet, teacher: str, tag: str) -> tuple[str, dict[str, str]]:
    """The course's id and {document name in the set: uploaded file id}."""
    with session_scope() as session:
        course_id = authoring.create_course(
            session, token=teacher, title=f"Bench tutor {tag}", description=""
        ).id
    files = {}
    for document in eval_set.documents:
        filename, data = document.upload()
        spool = UploadSpool(filename)
        spool.write(data)
        upload = upload_document(token=teacher, course_id=course_id, spool=spool, s3=get_s3())
        status = ingest_document(uuid.UUID(upload.document.id), get_embedder(), get_s3())
        if status.value != "ready":
            raise RuntimeError(f"{document.name} did not ingest: {status.value}")
        files[document.name] = upload.document.id
    with session_scope() as session:
        authoring.publish_course(session, token=teacher, course_id=course_id)
    with session_scope() as session:
        sync_entity(session, default_index(), "course", course_id)
    return course_id, files


def _ask(student: str, course_id: str, item: EvalItem, chat: ChatModel | None) -> QuestionOutcome:
    started = time.perf_counter()
    with session_scope() as session:
        context = answering.prepare(
            session, token=student, course_id=course_id, question=item.text, embedder=get_embedder()
        )
        ranked = [r.passage.text for r in context.ranked]
        stream = answering.AnswerStream(context, chat)
        for _ in stream:
            pass
    seconds = time.perf_counter() - started
    evidence = _letters(item.evidence)
    rank = next(
        (n for n, text in enumerate(ranked[:RANKED], 1) if evidence and evidence in _letters(text)),
        None,
    )
    top = context.ranked[0] if context.ranked else None
    evidence, chunk = (top.evidence, top.passage.score) if top else (0.0, 0.0)
    return QuestionOutcome(item, rank, stream.tier.value, evidence, chunk, seconds)


def _search(student: str, item: EvalItem, file_id: str) -> SearchOutcome:
    started = time.perf_counter()
    with session_scope() as session:
        results = search(session, token=student, query=item.text, limit=10, embedder=get_embedder())
    seconds = time.perf_counter() - started
    rank = next((n for n, hit in enumerate(results.hits, 1) if hit.id == file_id), None)
    return SearchOutcome(item, rank, seconds)


def _share(outcomes: Iterable[bool]) -> float | None:
    values = list(outcomes)
    return round(sum(values) / len(values), 3) if values else None


def summarise(questions: list[QuestionOutcome], searches: list[SearchOutcome]) -> dict[str, object]:
    answerable = [q for q in questions if q.item.kind == "answerable"]
    off_topic = [q for q in questions if q.item.kind == "off_topic"]
    near_topic = [q for q in questions if q.item.kind == "near_topic"]
    return {
        "questions": len(answerable),
        "hit_at_1": _share(q.rank == 1 for q in answerable),
        "hit_at_5": _share(q.rank is not None for q in answerable),
        "answered": _share(q.tier == "answered" for q in answerable),
        "off_topic": len(off_topic),
        "off_topic_refused": _share(q.tier == "not_found" for q in off_topic),
        "near_topic": len(near_topic),
        "near_topic_not_answered": _share(q.tier != "answered" for q in near_topic),
        "searches": len(searches),
        "search_top3": _share(s.rank is not None and s.rank <= 3 for s in searches),
    }


def run_tutor_bench(folder: Path, *, chat: ChatModel | None = None) -> dict[str, object]:
    eval_set = load_eval_set(folder)
    tag = uuid.uuid4().hex[:8]
    people = [_person(tag, UserRole.TEACHER, "teacher"), _person(tag, UserRole.STUDENT, "student")]
    (_, teacher), (_, student) = people
    course_id = ""
    try:
        course_id, files = _build_course(eval_set, teacher, tag)
        with session_scope() as session:
            reading.enroll(session, token=student, course_id=course_id)
        _ask(student, course_id, eval_set.questions[0], chat)  # warm-up
        questions = [_ask(student, course_id, item, chat) for item in eval_set.questions]
        searches = [_search(student, item, files[item.document]) for item in eval_set.searches]
    finally:
        _clean_up(teacher, course_id, people)
    result: dict[str, object] = {"bench": "tutor", **summarise(questions, searches)}
    result["tutor_p95_ms"] = round(percentile([q.seconds * 1000 for q in questions], 0.95), 1)
    result["search_p95_ms"] = round(percentile([s.seconds * 1000 for s in searches], 0.95), 1)
    result["halves"] = {
        name: summarise(
            [q for q in questions if q.item.id in ids], [s for s in searches if s.item.id in ids]
        )
        for name, ids in eval_set.halves.items()
    }
    result["misses"] = {
        "not_first": [q.item.id for q in questions if q.item.kind == "answerable" and q.rank != 1],
        "not_answered": [
            q.item.id for q in questions if q.item.kind == "answerable" and q.tier != "answered"
        ],
        "answered_unanswerable": [
            q.item.id for q in questions if q.item.kind != "answerable" and q.tier == "answered"
        ],
        "off_topic_not_refused": [
            q.item.id for q in questions if q.item.kind == "off_topic" and q.tier != "not_found"
        ],
        "search_not_top3": [s.item.id for s in searches if s.rank is None or s.rank > 3],
    }
    result["details"] = [
        {
            "id": q.item.id,
            "kind": q.item.kind,
            "rank": q.rank,
            "tier": q.tier,
            "evidence": q.evidence,
            "chunk": q.chunk,
        }
        for q in questions
    ]
    return result


def _clean_up(teacher: str, course_id: str, people: list[tuple[str, str]]) -> None:
    if course_id:
        with session_scope() as session:
            authoring.delete_course(session, token=teacher, course_id=course_id)
    with session_scope() as session:
        ids = [uuid.UUID(user_id) for user_id, _ in people]
        session.execute(delete(User).where(col(User.id).in_(ids)))
    for _, token in people:
        sessions.end_session(token)

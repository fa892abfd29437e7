"""Ranking a question's candidate passages by the sentences that could answer it, and deciding
whether the course answers at all.

A chunk's own vector averages everything its ~170 words say; a question asks about one thing.
So the nearest `CANDIDATES` chunks (by chunk vector, `retrieval.search_course`) are re-ranked
by their best *span*: one sentence, or a window of two adjacent ones (the sum of the two
stored sentence vectors, normalised; `chunk_sentence`). A chunk's score is that span's cosine
plus `CHUNK_WEIGHT` times the chunk's own, over `1 + CHUNK_WEIGHT`. The best span is also
what a citation highlights and the extractive answer quotes.

Measured on the tune half of `tests/data/tutor_eval` (60 answerable questions, MiniLM):
chunk vectors alone put the evidence first for 0.883 (top 5: 0.983); best single sentence
0.850; best 3-sentence window 0.900; best 2-sentence window 0.917 (chunk weight 0 or 0.5),
0.933 (1.0), top 5 1.000; best span of one or two sentences 0.950 at chunk weight 0.75 to
1.5 (answered 0.967 instead of 0.950), where two-sentence windows alone peaked at 1.0 only.
Windows built from stored sentence vectors scored the same as windows embedded whole, at a
third less embedding work. The README has both halves and the other methods tried.

Tiers (`Tier`) come from the best span's cosine (`evidence`), not from whole chunks: the
chunk weight blurs the gap between off-topic and answerable questions. Below
`tutor_min_similarity` the course has nothing on the subject; from `tutor_answer_similarity`
up the passage may answer, unless the question names something (a proper noun or a
number) that none of the candidate passages mentions: a course that never names the
Bolsheviks cannot say what they did, however close its passages on revolutions are.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from learning_app.adapters.embeddings import VectorLike, as_query_vector
from learning_app.services.tutor.retrieval import Passage

CANDIDATES = 20  # chunks re-ranked; the evidence was in the top 20 by chunk vector for all
CHUNK_WEIGHT = 1.0  # tune half, best span: 0.5 -> hit@1 0.933, 0.75 to 1.5 -> 0.950
# A capitalised word that does not start a sentence, or a number of two digits or more.
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-zA-Z\-]+|\d{2,}[\d,.]*)")
_WORD = re.compile(r"[a-z0-9]+")


class Tier(StrEnum):
    ANSWERED = "answered"  # the evidence is there, cited
    RELATED = "related"  # the subject is in the course; this fact may not be
    NOT_FOUND = "not_found"  # the course does not treat it


@dataclass(frozen=True)
class RankedPassage:
    passage: Passage
    score: float  # the ranking score (see the module notes)
    evidence: float  # cosine of the best span (a sentence or two adjacent ones)
    highlight: tuple[int, int] | None  # that span in the passage text


# Every sentence of a candidate chunk and its window with the next, scored in Postgres: only
# numbers come back, not vectors (fetching and parsing 20 chunks' sentence vectors cost ~23 ms
# at 100k chunks, this ~3 ms).
# For sentences a, b and question q (unit vectors): cos(q, a + b) = (q.a + q.b) / |a + b|,
# and |a + b| = sqrt(2 + 2 a.b); `<#>` is pgvector's negative inner product.
_WINDOWS = sa.text(
    """
    SELECT chunk_id, start, "end", qa,
           LEAD(qa) OVER w AS next_qa,
           LEAD("end") OVER w AS next_end,
           -(embedding <#> LEAD(embedding) OVER w) AS pair
    FROM (
        SELECT chunk_id, position, start, "end", embedding,
               -(embedding <#> CAST(:question AS vector)) AS qa
        FROM chunk_sentence
        WHERE chunk_id IN :chunk_ids
    ) AS scored
    WINDOW w AS (PARTITION BY chunk_id ORDER BY position)
    """
).bindparams(sa.bindparam("chunk_ids", expanding=True))


def window_cosine(qa: float, qb: float, ab: float) -> float:
    """cos(q, a + b) for unit vectors, from the three inner products."""
    return (qa + qb) / math.sqrt(max(2.0 + 2.0 * ab, 1e-12))


# One row of `_WINDOWS`: chunk, sentence start and end, q.a, q.b and b's end for the next
# sentence b (None for the chunk's last), and a.b.
WindowRow = tuple[Any, int, int, float, float | None, int | None, float | None]


def best_spans(rows: Iterable[WindowRow]) -> dict[str, tuple[float, tuple[int, int]]]:
    """Each chunk's best span, a sentence alone or with the next one: its cosine with the
    question and its character span. A sentence that says it all is not diluted by its
    neighbour, and two that say it together are not cut apart."""
    best: dict[str, tuple[float, tuple[int, int]]] = {}
    for chunk_id, start, end, qa, next_qa, next_end, pair in rows:
        spans = [(float(qa), (start, end))]
        if next_qa is not None and next_end is not None and pair is not None:
            spans.append((window_cosine(qa, next_qa, pair), (start, next_end)))
        key = str(chunk_id)
        for span in spans:
            if key not in best or span[0] > best[key][0]:
                best[key] = span
    return best


def chunk_spans(
    session: Session, chunk_ids: list[str], question: VectorLike
) -> dict[str, tuple[float, tuple[int, int]]]:
    """`best_spans` of the chunks, scored in Postgres. Chunks without sentences are absent."""
    if not chunk_ids:
        return {}
    rows = session.execute(
        _WINDOWS,
        {
            "question": as_query_vector(question).text,
            "chunk_ids": [uuid.UUID(i) for i in chunk_ids],
        },
    ).all()
    return best_spans(tuple(row) for row in rows)


def rank_passages(
    session: Session, passages: list[Passage], question_vector: VectorLike
) -> list[RankedPassage]:
    """The candidates, best first. A chunk stored before sentence vectors existed is scored
    by its own vector (until it is ingested again)."""
    spans = chunk_spans(session, [p.chunk_id for p in passages], question_vector)
    ranked = []
    for passage in passages:
        evidence, highlight = spans.get(passage.chunk_id, (passage.score, None))
        score = (evidence + CHUNK_WEIGHT * passage.score) / (1 + CHUNK_WEIGHT)
        ranked.append(RankedPassage(passage, round(score, 4), round(evidence, 4), highlight))
    return sorted(ranked, key=lambda r: r.score, reverse=True)


def names_in(question: str) -> list[str]:
    """What the question names: capitalised words past the start of a sentence, numbers."""
    return [match.group(1).rstrip(",.") for match in _NAME.finditer(question)]


def unmentioned_names(text: str, passages: list[str]) -> list[str]:
    """The names in `text` (a question, or a model's answer) that none of the passages
    mentions (plural and possessive endings aside)."""
    words = {word for passage in passages for word in _WORD.findall(passage.lower())}
    missing = []
    for name in names_in(text):
        parts = _WORD.findall(name.lower())
        stems = [{part, part.removesuffix("s")} for part in parts]
        if parts and not all(stem & words for stem in stems):
            missing.append(name)
    return missing


def decide_tier(
    top: RankedPassage | None,
    unmentioned: list[str],
    *,
    min_similarity: float,
    answer_similarity: float,
) -> Tier:
    if top is None or top.evidence < min_similarity:
        return Tier.NOT_FOUND
    if top.evidence < answer_similarity or unmentioned:
        return Tier.RELATED
    return Tier.ANSWERED

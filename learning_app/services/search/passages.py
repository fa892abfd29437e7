"""A lesson's or a file's passages as search indexes them: the same cuts the tutor cites.

A lesson is cut from its body as ingestion cuts it (`markdown_sections` + `chunk_sections`),
so its passages exist as soon as it is saved; a file's passages are the chunks ingestion
wrote when it marked the file ready.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from learning_app.models.chunks import LessonChunk
from learning_app.services.material.chunking import chunk_sections
from learning_app.services.material.extraction import markdown_sections
from learning_app.services.search.text import clean_text, document_text

# A passage is at most ~185 words (`chunking.MAX_WORDS`): this never cuts one short.
PASSAGE_CHARS = 3_000


@dataclass(frozen=True)
class PassageText:
    text: str  # plain text
    heading: str  # as written in the source: a lesson's section anchor is made from it
    page: int  # 0: the source has no pages


def lesson_passages(body_markdown: str) -> list[PassageText]:
    """A lesson body cut as ingestion cuts it, so search and the tutor cite the same passages."""
    return [
        PassageText(document_text(d.text, PASSAGE_CHARS), clean_text(d.heading or ""), 0)
        for d in chunk_sections(markdown_sections(body_markdown or ""))
    ]


def file_passages(
    session: Session, file_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[PassageText]]:
    """{file id: its passages in order}: the chunks ingestion wrote when it marked it ready."""
    found: dict[uuid.UUID, list[PassageText]] = defaultdict(list)
    if not file_ids:
        return found
    rows = session.exec(
        select(LessonChunk.document_id, LessonChunk.text, LessonChunk.heading, LessonChunk.page)
        .where(col(LessonChunk.document_id).in_(file_ids))
        .order_by(col(LessonChunk.document_id), col(LessonChunk.position))
    ).all()
    for file_id, text, heading, page in rows:
        found[file_id].append(
            PassageText(clean_text(text)[:PASSAGE_CHARS], clean_text(heading or ""), page or 0)
        )
    return found

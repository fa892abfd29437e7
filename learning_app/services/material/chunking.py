"""Cutting sections into retrieval chunks of about 150-180 words.

A chunk never crosses a heading or a page (so its citation is exact); inside a section it
gathers whole paragraphs, splits an overlong paragraph at sentence ends, and starts with the
last few sentences of the previous chunk (about 30 words), so an idea cut in two is still
found whole in one of them. MiniLM reads at most 256 tokens (~190 words): that is the ceiling.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from learning_app.services.material.extraction import Section

TARGET_WORDS = 170
MAX_WORDS = 185
OVERLAP_WORDS = 30
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class ChunkDraft:
    text: str
    heading: str | None
    page: int | None
    word_count: int

    @property
    def content_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in SENTENCE_END.split(text) if part.strip()]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """`(start, end)` of each sentence of `text` (as `split_sentences` cuts it), so that a
    citation can mark a sentence inside the passage it quotes."""
    spans, start = [], 0
    for boundary in [*SENTENCE_END.finditer(text), None]:
        end = boundary.start() if boundary else len(text)
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + len(piece.rstrip())))
        start = boundary.end() if boundary else end
    return spans


def _pieces(paragraph: str) -> list[str]:
    """The paragraph whole if it fits, else its sentences (an endless sentence by words)."""
    if len(paragraph.split()) <= MAX_WORDS:
        return [paragraph]
    pieces: list[str] = []
    for sentence in split_sentences(paragraph):
        words = sentence.split()
        pieces.extend(
            " ".join(words[start : start + TARGET_WORDS])
            for start in range(0, len(words), TARGET_WORDS)
        )
    return pieces


def _tail(pieces: list[str]) -> list[str]:
    """The last sentences of a chunk adding up to about OVERLAP_WORDS words."""
    sentences = split_sentences(" ".join(pieces))
    tail: list[str] = []
    count = 0
    for sentence in reversed(sentences):
        size = len(sentence.split())
        if count + size > OVERLAP_WORDS:
            break
        tail.insert(0, sentence)
        count += size
    return tail


def chunk_section(section: Section) -> list[ChunkDraft]:
    chunks: list[ChunkDraft] = []
    current: list[str] = []
    fresh = 0  # words in `current` not already carried over from the previous chunk

    def emit() -> None:
        text = " ".join(current)
        chunks.append(ChunkDraft(text, section.heading, section.page, len(text.split())))

    for paragraph in section.paragraphs:
        for piece in _pieces(paragraph):
            size = len(piece.split())
            words = sum(len(p.split()) for p in current)
            if fresh and words + size > TARGET_WORDS:
                emit()
                current = _tail(current)
                fresh = 0
                if sum(len(p.split()) for p in current) + size > MAX_WORDS:
                    current = []
            current.append(piece)
            fresh += size
    if fresh:
        emit()
    return chunks


def chunk_sections(sections: list[Section]) -> list[ChunkDraft]:
    return [chunk for section in sections for chunk in chunk_section(section)]

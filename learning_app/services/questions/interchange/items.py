"""What every question-bank format reads into and writes from.

A parser turns a file into `ParsedBank`: the questions it could read, as the same
`QuestionDraft` the question form submits (so an import goes through exactly the checks a
teacher's own question does), each with where it stood in the file; the items it could not
import, each with the reason; and notes on what the format carries that this app does not (or
the reverse), so nothing is dropped silently. A file that cannot be read at all (malformed XML,
an entity declaration, an unclosed brace) raises `BankFileRefused` with one line saying why.

An exporter writes the bank's `QuestionView`s (answers included: teachers only) to text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from learning_app.services.errors import DomainError
from learning_app.services.questions.drafts import QuestionDraft

# What an upload of a bank file may be: far above any real bank (Moodle's biggest exports of a
# few thousand questions are a few MB), far below what would strain a worker.
MAX_BANK_BYTES = 10 * 1024 * 1024


class BankFileRefused(DomainError):
    """The whole file is refused; the message says why in one line."""

    default_message = "This file cannot be imported."


@dataclass(frozen=True)
class ImportedItem:
    item: str  # where it is in the file: "line 12", "item 3 (q17)"
    draft: QuestionDraft


@dataclass(frozen=True)
class SkippedItem:
    item: str
    reason: str  # "Moodle's cloze questions have no equivalent here"


@dataclass(frozen=True)
class ParsedBank:
    items: list[ImportedItem] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)
    # What was left out of items that were imported ("per-answer feedback of matching
    # questions"), once per kind, so a report can say it.
    notes: list[str] = field(default_factory=list)

"""Question banks in and out: GIFT, Moodle XML and QTI 1.2 (`interchange/`).

An import is all or nothing. The file is parsed (a file that cannot be read at all is refused
with one line), every item goes through `clean_question`, the check the question form uses (an
item it refuses is listed with its place in the file and the reason), items already in the
course's bank are recognised by their content and left alone, and the rest are written in the
caller's one transaction: either every accepted question is in the bank, or none is. A dry run
(the preview) does everything but the writing and reports the same figures.

An item's content key is its type, prompt and answers, normalised (case and spacing of the
prompt and answers, not the points, tags or feedback): importing the same file twice, or a
file exported from this bank, adds nothing the second time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from learning_app.adapters.redis_store import get_redis
from learning_app.models.questions import QuestionOrigin
from learning_app.services.access.courses import require_course_editor
from learning_app.services.access.roles import require_viewer
from learning_app.services.errors import InvalidInput
from learning_app.services.questions import bank
from learning_app.services.questions.bank import QuestionView
from learning_app.services.questions.drafts import (
    CleanQuestion,
    OptionDraft,
    QuestionDraft,
    clean_question,
)
from learning_app.services.questions.interchange.gift import export_gift, parse_gift
from learning_app.services.questions.interchange.items import (
    MAX_BANK_BYTES,
    BankFileRefused,
    ParsedBank,
    SkippedItem,
)
from learning_app.services.questions.interchange.moodle_xml import (
    export_moodle_xml,
    parse_moodle_xml,
)
from learning_app.services.questions.interchange.qti import parse_qti
from learning_app.services.questions.interchange.qti_export import export_qti


@dataclass(frozen=True)
class BankFormat:
    name: str  # what `--format` says
    label: str
    extension: str
    parse: Callable[[bytes], ParsedBank]
    export: Callable[[Sequence[QuestionView], str], bytes]


FORMATS: dict[str, BankFormat] = {
    f.name: f
    for f in (
        BankFormat(
            "gift",
            "GIFT",
            "gift.txt",
            parse_gift,
            lambda qs, title: export_gift(qs, category=title).encode(),
        ),
        BankFormat(
            "moodle-xml",
            "Moodle XML",
            "xml",
            parse_moodle_xml,
            lambda qs, title: export_moodle_xml(qs, category=title).encode(),
        ),
        BankFormat(
            "qti",
            "QTI 1.2 (Canvas)",
            "qti.zip",
            parse_qti,
            lambda qs, title: export_qti(qs, title=title),
        ),
    )
}
UNKNOWN_FORMAT = "Choose the file's format: GIFT, Moodle XML or QTI 1.2."
# A file uploaded on the page waits here between its preview and "Import": in Redis, which every
# app server shares, not in a tab's state (reloaded on every event) or one server's disk.
STAGE_KEY = "bank-import:{key}"
STAGE_TTL_S = 30 * 60
STAGE_EXPIRED = "The uploaded file is no longer here (after 30 minutes): upload it again."


@dataclass(frozen=True)
class ImportReport:
    imported: int  # written (or, in a dry run, that would be)
    by_type: dict[str, int]
    duplicates: int  # already in the bank, or twice in the file
    skipped: list[SkippedItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False


def detect_format(filename: str, data: bytes) -> str:
    """The format a file's name and first bytes suggest ("" when they say nothing)."""
    name = filename.lower()
    if data[:4] == b"PK\x03\x04" or name.endswith((".zip", ".imscc")):
        return "qti"
    head = data[:4096].decode("utf-8", "replace")
    if name.endswith(".xml") or head.lstrip().startswith("<"):
        return "qti" if "questestinterop" in head else "moodle-xml"
    if name.endswith((".gift", ".txt")) or "{" in head:
        return "gift"
    return ""


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def content_key(clean: CleanQuestion) -> str:
    payload = [
        str(clean.type),
        _norm(clean.prompt),
        [[_norm(o.body), o.is_correct] for o in clean.options],
        sorted(_norm(a) for a in clean.accepted_answers),
        clean.numeric_answer,
        clean.numeric_tolerance,
    ]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def _draft_of(view: QuestionView) -> QuestionDraft:
    return QuestionDraft(
        type=view.type,
        prompt=view.prompt_markdown,
        explanation=view.explanation_markdown,
        points=view.points,
        options=[OptionDraft(o.body, o.is_correct, o.feedback) for o in view.options],
        accepted_answers=view.accepted_answers,
        numeric_answer=view.numeric_answer,
        numeric_tolerance=view.numeric_tolerance,
        case_sensitive=view.case_sensitive,
        tags=view.tags,
    )


def _existing_keys(session: Session, token: str, course_id: str) -> set[str]:
    keys = set()
    for view in bank.list_question_bank(session, token=token, course_id=course_id):
        try:
            keys.add(content_key(clean_question(_draft_of(view))))
        except InvalidInput:
            continue  # saved under older rules: nothing from a file can repeat it exactly
    return keys


def _parse(data: bytes, format_name: str | None, filename: str) -> ParsedBank:
    if len(data) > MAX_BANK_BYTES:
        raise BankFileRefused(
            f"The file is {len(data) / 1e6:.1f} MB; a question bank may be at most "
            f"{MAX_BANK_BYTES // (1024 * 1024)} MB."
        )
    if not data.strip():
        raise BankFileRefused("The file is empty.")
    chosen = format_name or detect_format(filename, data)
    if chosen not in FORMATS:
        raise InvalidInput(UNKNOWN_FORMAT, "format")
    return FORMATS[chosen].parse(data)


def import_question_bank(
    session: Session,
    *,
    token: str,
    course_id: str,
    data: bytes,
    format_name: str | None = None,
    filename: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """Import a bank file into the course's bank, in the caller's transaction (see the module
    docstring); with `dry_run`, the same report and nothing written."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    parsed = _parse(data, format_name, filename)
    known = _existing_keys(session, token, str(course.id))
    accepted: list[CleanQuestion] = []
    skipped = list(parsed.skipped)
    duplicates = 0
    for item in parsed.items:
        try:
            clean = clean_question(item.draft)
        except InvalidInput as exc:
            skipped.append(SkippedItem(item.item, str(exc)))
            continue
        key = content_key(clean)
        if key in known:
            duplicates += 1
            continue
        known.add(key)
        accepted.append(clean)
    if not dry_run:
        author = uuid.UUID(viewer.user_id)
        for clean in accepted:
            bank.add_question(session, course.id, author, clean, QuestionOrigin.IMPORTED)
    return ImportReport(
        imported=len(accepted),
        by_type=dict(Counter(str(c.type) for c in accepted)),
        duplicates=duplicates,
        skipped=skipped,
        notes=list(parsed.notes),
        dry_run=dry_run,
    )


def export_question_bank(
    session: Session, *, token: str, course_id: str, format_name: str
) -> tuple[str, bytes]:
    """The course's bank (archived questions left out) as a file: (file name, bytes)."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    chosen = FORMATS.get(format_name)
    if chosen is None:
        raise InvalidInput(UNKNOWN_FORMAT, "format")
    views = bank.list_question_bank(session, token=token, course_id=str(course.id))
    return f"{course.slug}-questions.{chosen.extension}", chosen.export(views, course.title)


def stage_bank_file(data: bytes, filename: str) -> str:
    """Keep an uploaded bank file for its preview and import; returns the key naming it."""
    if len(data) > MAX_BANK_BYTES:
        raise BankFileRefused(
            f"A question bank file may be at most {MAX_BANK_BYTES // (1024 * 1024)} MB."
        )
    key = secrets.token_urlsafe(16)
    payload = json.dumps({"name": filename, "data": base64.b64encode(data).decode()})
    get_redis().set(STAGE_KEY.format(key=key), payload, ex=STAGE_TTL_S)
    return key


def staged_bank_file(key: str) -> tuple[bytes, str]:
    """The staged file and its name; BankFileRefused once it has expired."""
    raw = get_redis().get(STAGE_KEY.format(key=key)) if key else None
    if raw is None:
        raise BankFileRefused(STAGE_EXPIRED)
    payload = json.loads(raw)
    return base64.b64decode(payload["data"]), str(payload["name"])


def discard_staged_bank_file(key: str) -> None:
    if key:
        get_redis().delete(STAGE_KEY.format(key=key))

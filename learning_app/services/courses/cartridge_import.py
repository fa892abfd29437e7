"""Reading an IMS Common Cartridge into a new draft course (what a package holds: `cartridge.py`).

The package is opened and everything in it read and checked first (`cartridge_package.py`:
`check_archive`, defusedxml, paths kept inside); a package refused as a whole
(`CartridgeRefused`, one line) writes nothing anywhere. Questions go through
`transfer.import_question_bank` (QTI), exams through `save_exam`, lessons through
`create_lesson`: the same checks as the editors. A lesson or exam those checks refuse is
skipped with its reason (in a savepoint, so nothing of it stays); the rest is written.

Writes: the course, its files' rows, lessons, questions and exams all go into the caller's one
transaction. Files pass the upload checks (size limit, type from the content and the types
settings allow, the uploader's quota) and are put in S3 under the new course's keys while that
transaction is open: a package is at most 50 MB, so it stays short, and it lets each row be
written right after its object. If anything fails after an object was put, the error rolls the
transaction back (no row stays), and the objects written so far are queued for deletion in a
transaction of their own (`delete_object_later`, the material service's durable delete job).
Only if Postgres itself is gone then, or the caller's commit fails after this returns, can
objects stay behind under `material/<new course id>/` with no row; nothing reads them, and the
hourly orphan sweep deletes them (`services.material.orphans`).

A cartridge from another tool: lessons are the organization's `webcontent` Markdown or HTML
pages (HTML becomes Markdown, `html_markdown.py`), files its other `webcontent` files, and its
QTI 1.2 banks and assessments go into the question bank; the rest (discussions, web links,
LTI tools, assessments' settings) is listed in `skipped`.
"""

from __future__ import annotations

import posixpath
import re
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote

from sqlmodel import Session

from learning_app.adapters.postgres import session_scope
from learning_app.adapters.s3_store import ObjectStore
from learning_app.models.content import Course
from learning_app.models.exams import ExamType, FeedbackPolicy, GradePolicy
from learning_app.services.access.roles import require_teacher, require_viewer
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.courses import authoring, lessons
from learning_app.services.courses.cartridge import APP_FILE_LINK, CartridgeImport
from learning_app.services.courses.cartridge_package import (
    CartridgeRefused,
    Package,
    Plan,
    plan_package,
    read_package,
)
from learning_app.services.errors import InvalidInput
from learning_app.services.exams.authoring import (
    DrawRuleDraft,
    ExamDraft,
    ExamQuestionDraft,
    save_exam,
)
from learning_app.services.material import quota
from learning_app.services.material.documents import (
    add_document,
    object_key,
    put_object,
    require_allowed_kind,
)
from learning_app.services.material.extraction import MIME_TYPES, sniff_kind
from learning_app.services.material.spool import UploadSpool
from learning_app.services.material.work_queue import delete_object_later
from learning_app.services.questions import bank, transfer
from learning_app.services.questions.drafts import clean_question
from learning_app.services.questions.interchange.items import BankFileRefused
from learning_app.services.questions.interchange.qti import parse_qti

READ_CHUNK_BYTES = 64 * 1024
_LINK = re.compile(r"(\]\(\s*)([^)\s]+)")
_ITEM_IDENT = re.compile(r"\((.+)\)$")


def import_course_cartridge(
    session: Session, *, token: str, data: bytes, s3: ObjectStore
) -> CartridgeImport:
    """A cartridge as a new draft course of the viewer's (teachers and admins), in the caller's
    transaction; `CartridgeRefused` (nothing written) when the package cannot be read."""
    viewer = require_teacher(require_viewer(session, token))
    package = read_package(data)
    with package.archive:
        plan = plan_package(package)
        summary = authoring.create_course(
            session,
            token=token,
            title=(package.title or "Imported course")[:200],
            description=package.description,
            is_public=bool(package.ours.get("is_public", False)),
        )
        course_id = summary.id
        written: list[str] = []
        try:
            file_ids = _import_files(session, viewer, package, plan, course_id, s3, written)
            counts = _import_content(session, token, package, plan, course_id, file_ids)
        except BaseException:
            if written:
                with session_scope() as cleanup:
                    for key in written:
                        delete_object_later(cleanup, key)
            raise
    course = session.get(Course, uuid.UUID(course_id))
    assert course is not None
    return CartridgeImport(
        course=authoring.summarise(session, viewer, course),
        lessons=counts[0],
        files=len(set(file_ids.values())),
        questions=counts[1],
        exams=counts[2],
        skipped=plan.skipped,
        notes=plan.notes,
    )


def _import_files(
    session: Session,
    viewer: Viewer,
    package: Package,
    plan: Plan,
    course_id: str,
    s3: ObjectStore,
    written: list[str],
) -> dict[str, str]:
    """Each file through the upload checks into S3 and a `document` row: path -> document id."""
    quota.lock_account(session, viewer)
    ids: dict[str, str] = {}
    by_key: dict[str, str] = {}
    for path in plan.files:
        spool = UploadSpool(posixpath.basename(path))
        try:
            try:
                with package.archive.open(path) as source:
                    while chunk := source.read(READ_CHUNK_BYTES):
                        spool.write(chunk)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
                raise CartridgeRefused("This cartridge is damaged and could not be read.") from exc
            except InvalidInput as exc:  # larger than an upload may be
                plan.skipped.append(f"{path}: {exc}")
                continue
            spool.finish()
            if spool.size == 0:
                plan.skipped.append(f"{path}: the file is empty")
                continue
            try:
                kind = sniff_kind(spool.path, spool.filename)
                require_allowed_kind(kind)
            except InvalidInput as exc:
                plan.skipped.append(f"{path}: {exc}")
                continue
            key = object_key(uuid.UUID(course_id), spool.sha256, kind)
            if key in by_key:
                ids[path] = by_key[key]
                continue
            quota.require_room(session, viewer, spool.filename, spool.size)
            put_object(s3, spool.path, key, MIME_TYPES[kind])
            written.append(key)
            document = add_document(
                session, viewer, uuid.UUID(course_id), spool, key, MIME_TYPES[kind]
            )
            ids[path] = by_key[key] = str(document.id)
        finally:
            spool.discard()
    return ids


def _relinked(body: str, lesson_path: str, file_ids: dict[str, str]) -> str:
    """Links to the package's files rewritten to the new course's `/files/<id>`."""
    folder = posixpath.dirname(lesson_path)

    def link(match: re.Match[str]) -> str:
        target, hash_, fragment = unquote(match.group(2)).partition("#")
        if target.startswith("$IMS-CC-FILEBASE$/"):
            target = "web_resources/" + target.removeprefix("$IMS-CC-FILEBASE$/")
        else:
            target = posixpath.normpath(posixpath.join(folder, target))
        found = file_ids.get(target)
        if found is None:
            return match.group(0)
        return f"{match.group(1)}{APP_FILE_LINK}{found}{hash_}{fragment}"

    return _LINK.sub(link, body)


@contextmanager
def _savepoint(session: Session) -> Iterator[None]:
    """A part that may be refused on its own (a lesson, an exam) without the rest."""
    with session.begin_nested():
        yield


def _import_content(
    session: Session,
    token: str,
    package: Package,
    plan: Plan,
    course_id: str,
    file_ids: dict[str, str],
) -> tuple[int, int, int]:
    meta = {
        str(m.get("href")): m
        for m in package.ours.get("lessons", []) or []  # type: ignore[union-attr]
        if isinstance(m, dict)
    }
    made_lessons = 0
    for title, path, body in plan.lessons:
        extra = meta.get(path, {})
        try:
            with _savepoint(session):
                lesson = lessons.create_lesson(
                    session,
                    token=token,
                    course_id=course_id,
                    title=title,
                    body_markdown=_relinked(body, path, file_ids),
                    summary=str(extra.get("summary") or ""),
                )
                if extra.get("published"):
                    lessons.publish_lesson(session, token=token, lesson_id=lesson.id)
            made_lessons += 1
        except InvalidInput as exc:
            plan.skipped.append(f"{path}: {exc}")
    made_questions = 0
    idents: dict[str, str] = {}  # QTI item ident -> content key
    for path, document in plan.banks:
        try:
            report = transfer.import_question_bank(
                session, token=token, course_id=course_id, data=document, format_name="qti"
            )
            parsed = parse_qti(document)
        except BankFileRefused as exc:
            plan.skipped.append(f"{path}: {exc}")
            continue
        made_questions += report.imported
        plan.skipped += [f"{path} {s.item}: {s.reason}" for s in report.skipped]
        plan.notes += [f"{path}: {note}" for note in report.notes]
        for item in parsed.items:
            found = _ITEM_IDENT.search(item.item)
            try:
                key = transfer.content_key(clean_question(item.draft))
            except InvalidInput:
                continue
            if found:
                idents.setdefault(found.group(1), key)
    by_key = {
        transfer.content_key(clean_question(transfer._draft_of(view))): view.id
        for view in bank.list_question_bank(session, token=token, course_id=course_id)
    }
    made_exams = 0
    for exam in plan.exams:
        title = str(exam.get("title") or "Exam")
        try:
            with _savepoint(session):
                save_exam(
                    session,
                    token=token,
                    course_id=course_id,
                    draft=_exam_draft(exam, idents, by_key),
                )
            made_exams += 1
        except (InvalidInput, ValueError, TypeError) as exc:
            plan.skipped.append(f"exam {title!r}: {exc}")
    return made_lessons, made_questions, made_exams


def _exam_draft(
    exam: dict[str, object], idents: dict[str, str], by_key: dict[str, str]
) -> ExamDraft:
    questions = []
    for line in exam.get("questions") or []:  # type: ignore[union-attr]
        question_id = by_key.get(idents.get(str(line.get("item")), ""))
        if question_id is not None:
            questions.append(ExamQuestionDraft(question_id, line.get("points")))
    draws = [
        DrawRuleDraft(str(d.get("tag")), d.get("question_count"), d.get("points"))
        for d in exam.get("draws") or []  # type: ignore[union-attr]
    ]
    return ExamDraft(
        title=str(exam.get("title") or "Exam"),
        description=str(exam.get("description") or ""),
        type=str(exam.get("type") or ExamType.QUIZ.value),
        time_limit_minutes=exam.get("time_limit_minutes"),  # type: ignore[arg-type]
        max_attempts=exam.get("max_attempts"),  # type: ignore[arg-type]
        opens_at=exam.get("opens_at"),  # type: ignore[arg-type]
        closes_at=exam.get("closes_at"),  # type: ignore[arg-type]
        passing_score=exam.get("passing_score", 60),  # type: ignore[arg-type]
        shuffle_questions=bool(exam.get("shuffle_questions")),
        shuffle_options=bool(exam.get("shuffle_options")),
        feedback_policy=str(exam.get("feedback_policy") or FeedbackPolicy.AFTER_SUBMIT.value),
        grade_policy=str(exam.get("grade_policy") or GradePolicy.BEST.value),
        questions=questions,
        draws=draws,
    )

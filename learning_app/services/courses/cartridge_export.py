"""Writing a course as an IMS Common Cartridge 1.3 package (what it holds: `cartridge.py`).

For the course's teachers only (the package holds every answer). The files' bytes are read
from S3 while the export is built: a cartridge is at most what an import accepts (50 MB
unpacked, `archive.MAX_UNPACKED_BYTES`), so it is built in memory.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from urllib.parse import quote
from xml.etree.ElementTree import Element, SubElement, indent, tostring  # builds, never parses

from sqlmodel import Session, col, select

from learning_app.adapters.s3_store import OBJECT_STORE_ERRORS, ObjectStore
from learning_app.models.content import CourseLesson, Lesson, PublishStatus
from learning_app.models.documents import Document
from learning_app.models.exams import Exam
from learning_app.services.access.courses import require_course_editor
from learning_app.services.access.roles import require_viewer
from learning_app.services.courses.authoring import slug_base
from learning_app.services.courses.cartridge import (
    APP_FILE_LINK,
    ASSESSMENT,
    CC_NAMESPACE,
    COURSE_FORMAT,
    COURSE_JSON,
    EXAM_FORMAT,
    MANIFEST,
    OUR_DATA,
    PACKAGE_FILE_LINK,
    QUESTION_BANK,
    WEBCONTENT,
)
from learning_app.services.exams.authoring import ExamView, exam_view
from learning_app.services.material.documents import STORAGE_DOWN_READING, StorageUnavailable
from learning_app.services.material.spool import clean_filename
from learning_app.services.questions import bank
from learning_app.services.questions.bank import QuestionView
from learning_app.services.questions.interchange.qti_export import export_qti
from learning_app.settings import get_settings

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the same course exports to the same bytes
_APP_FILE = re.compile(re.escape(APP_FILE_LINK) + r"([0-9a-fA-F-]{36})")


def question_ident(question_id: str) -> str:
    """The QTI item ident `qti_export` gives a question (ours: `q<uuid>`)."""
    return "q" + re.sub(r"[^A-Za-z0-9_.-]", "", question_id)


def _text(parent: Element, tag: str, text: str, **attributes: str) -> Element:
    element = SubElement(parent, tag, attributes)
    element.text = text
    return element


def _qti_document(package: bytes) -> bytes:
    """The assessment XML inside a package `export_qti` wrote."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        name = next(n for n in archive.namelist() if n != "imsmanifest.xml")
        return archive.read(name)


def _lessons(session: Session, course_id: object) -> list[Lesson]:
    rows = session.exec(
        select(Lesson)
        .join(CourseLesson, col(CourseLesson.lesson_id) == col(Lesson.id))
        .where(CourseLesson.course_id == course_id)
        .order_by(col(CourseLesson.position))
    ).all()
    return list(rows)


def _exam_settings(view: ExamView, idents: dict[str, str]) -> dict[str, object]:
    return {
        "format": EXAM_FORMAT,
        "title": view.title,
        "description": view.description,
        "type": view.type,
        "time_limit_minutes": view.time_limit_minutes,
        "max_attempts": view.max_attempts,
        "opens_at": view.opens_at or None,
        "closes_at": view.closes_at or None,
        "passing_score": view.passing_score,
        "shuffle_questions": view.shuffle_questions,
        "shuffle_options": view.shuffle_options,
        "feedback_policy": view.feedback_policy,
        "grade_policy": view.grade_policy,
        "questions": [
            {"item": idents[line.question_id], "points": line.points}
            for line in view.questions
            if line.question_id in idents
        ],
        "draws": [
            {"tag": d.tag, "question_count": d.question_count, "points": d.points}
            for d in view.draws
        ],
    }


def export_course_cartridge(
    session: Session, *, token: str, course_id: str, s3: ObjectStore
) -> tuple[str, bytes]:
    """The course as a Common Cartridge 1.3 zip: (file name, bytes). Teachers only."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    entries: dict[str, bytes] = {}
    root = Element("manifest", {"identifier": f"cc_{course.id.hex}", "xmlns": CC_NAMESPACE})
    metadata = SubElement(root, "metadata")
    _text(metadata, "schema", "IMS Common Cartridge")
    _text(metadata, "schemaversion", "1.3.0")
    general = SubElement(SubElement(metadata, "lom"), "general")
    _text(SubElement(general, "title"), "string", course.title)
    _text(SubElement(general, "description"), "string", course.description)
    organization = SubElement(
        SubElement(root, "organizations"),
        "organization",
        {"identifier": "org_1", "structure": "rooted-hierarchy"},
    )
    modules = SubElement(organization, "item", {"identifier": "lessons"})
    resources = SubElement(root, "resources")

    def resource(ident: str, kind: str, path: str, data: bytes) -> Element:
        entries[path] = data
        element = SubElement(
            resources, "resource", {"identifier": ident, "type": kind, "href": quote(path)}
        )
        SubElement(element, "file", {"href": quote(path)})
        return element

    links: dict[str, str] = {}  # document id -> package path
    documents = session.exec(
        select(Document)
        .where(Document.course_id == course.id)
        .order_by(col(Document.created_at), col(Document.id))
    ).all()
    for number, document in enumerate(documents, start=1):
        path = f"files/{number}/{clean_filename(document.filename)}"
        resource(f"file_{number}", WEBCONTENT, path, _object(s3, document.s3_key))
        links[str(document.id)] = path

    lesson_meta = []
    for number, lesson in enumerate(_lessons(session, course.id), start=1):
        path = f"lessons/{number}-{slug_base(lesson.title) or 'lesson'}.md"
        used: list[str] = []

        def packaged(match: re.Match[str], used: list[str] = used) -> str:
            target = links.get(match.group(1).lower())
            if target is None:
                return match.group(0)  # another course's file: left as it is
            used.append(target)
            return PACKAGE_FILE_LINK + quote(target.removeprefix("files/"))

        body = _APP_FILE.sub(packaged, lesson.body_markdown)
        element = resource(f"lesson_{number}", WEBCONTENT, path, body.encode())
        for target in dict.fromkeys(used):
            number_of_file = list(links.values()).index(target) + 1
            SubElement(element, "dependency", {"identifierref": f"file_{number_of_file}"})
        item = SubElement(
            modules, "item", {"identifier": f"item_{number}", "identifierref": f"lesson_{number}"}
        )
        _text(item, "title", lesson.title)
        lesson_meta.append(
            {
                "href": path,
                "summary": lesson.summary,
                "published": lesson.status == PublishStatus.PUBLISHED,
            }
        )

    views = bank.list_question_bank(session, token=token, course_id=str(course.id))
    idents = {view.id: question_ident(view.id) for view in views}
    if views:
        document = _qti_document(export_qti(views, title=course.title))
        resource("question_bank", QUESTION_BANK, "questions/bank.xml", document)
    by_id: dict[str, QuestionView] = {view.id: view for view in views}
    exams = session.exec(
        select(Exam).where(Exam.course_id == course.id).order_by(col(Exam.created_at))
    ).all()
    for number, exam in enumerate(exams, start=1):
        view = exam_view(session, exam)
        chosen = [by_id[line.question_id] for line in view.questions if line.question_id in by_id]
        settings_path = f"learning_app/exam-{number}.json"
        settings = json.dumps(_exam_settings(view, idents), indent=2).encode()
        resource(f"exam_{number}_settings", OUR_DATA, settings_path, settings)
        assessment = _qti_document(export_qti(chosen, title=view.title))
        element = resource(
            f"exam_{number}", ASSESSMENT, f"assessments/exam-{number}.xml", assessment
        )
        SubElement(element, "file", {"href": settings_path})
        SubElement(element, "dependency", {"identifierref": f"exam_{number}_settings"})

    course_meta = {"format": COURSE_FORMAT, "is_public": course.is_public, "lessons": lesson_meta}
    resource("course_settings", OUR_DATA, COURSE_JSON, json.dumps(course_meta, indent=2).encode())
    indent(root)
    entries[MANIFEST] = tostring(root, encoding="utf-8", xml_declaration=True)
    return f"{course.slug}.imscc", _zip(entries)


def _object(s3: ObjectStore, key: str) -> bytes:
    try:
        return bytes(s3.get_object(Bucket=get_settings().s3_bucket, Key=key)["Body"].read())
    except OBJECT_STORE_ERRORS as exc:
        raise StorageUnavailable(STORAGE_DOWN_READING) from exc


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in [MANIFEST, *(n for n in entries if n != MANIFEST)]:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name])
    return buffer.getvalue()

"""Courses as IMS Common Cartridge 1.3: our own export imports back into a new draft course
field for field, and a hostile or broken package writes nothing anywhere."""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlmodel import col, select

from learning_app.adapters.postgres import session_scope
from learning_app.adapters.s3_store import get_s3
from learning_app.bench.sample_files import pdf_bytes
from learning_app.cli.main import main
from learning_app.models.content import Course, CourseLesson, Lesson
from learning_app.models.documents import Document
from learning_app.models.exams import Exam
from learning_app.models.questions import Question
from learning_app.services.courses import lessons
from learning_app.services.courses.cartridge_export import export_course_cartridge
from learning_app.services.courses.cartridge_import import (
    CartridgeRefused,
    import_course_cartridge,
)
from learning_app.services.errors import NotFound, PermissionDenied
from learning_app.services.exams import authoring as exam_authoring
from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
from learning_app.services.questions import bank as question_bank
from learning_app.settings import get_settings
from tests.integration.exams.helpers import bank, run
from tests.integration.material.helpers import upload
from tests.integration.people import new_course

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
FILE_LINK = re.compile(r"/files/[0-9a-f-]{36}")


@pytest.fixture
def course(teacher: str, s3_bucket: str) -> str:
    course_id = new_course(teacher, "Tides and Waves")
    picture = upload(teacher, course_id, "tide chart.png", PNG).document.id
    upload(teacher, course_id, "notes.pdf", pdf_bytes(["Tides come twice a day."]))
    first = run(
        lessons.create_lesson,
        token=teacher,
        course_id=course_id,
        title="What moves the tides",
        body_markdown=f"# The moon\n\n![Tide chart](/files/{picture})\n\nIt pulls the sea.",
        summary="The moon and the sea.",
    )
    run(lessons.publish_lesson, token=teacher, lesson_id=first.id)
    run(
        lessons.create_lesson,
        token=teacher,
        course_id=course_id,
        title="Spring tides",
        body_markdown="Sun and moon in a line make **spring tides**.",
    )
    questions = bank(teacher, course_id)
    draft = ExamDraft(
        title="Tides quiz",
        description="Ten minutes.",
        type="final",
        time_limit_minutes=10,
        max_attempts=2,
        opens_at="2030-01-01T09:00:00+00:00",
        passing_score=75,
        shuffle_questions=True,
        shuffle_options=True,
        feedback_policy="never",
        grade_policy="last",
        questions=[
            ExamQuestionDraft(questions["essay"].id, 5),
            ExamQuestionDraft(questions["single"].id),
            ExamQuestionDraft(questions["numeric"].id, 2),
        ],
    )
    run(exam_authoring.save_exam, token=teacher, course_id=course_id, draft=draft)
    return course_id


def export(teacher: str, course_id: str) -> bytes:
    return run(export_course_cartridge, token=teacher, course_id=course_id, s3=get_s3())[1]


def do_import(token: str, data: bytes):
    return run(import_course_cartridge, token=token, data=data, s3=get_s3())


def objects() -> int:
    listing = get_s3().list_objects_v2(Bucket=get_settings().s3_bucket)
    return int(listing.get("KeyCount", 0))


def fingerprint() -> tuple[int, ...]:
    with session_scope() as session:
        rows = tuple(
            int(session.exec(select(func.count()).select_from(model)).one())
            for model in (Course, Lesson, Document, Question, Exam)
        )
    return (*rows, objects())


def course_lessons(course_id: str) -> list[tuple[str, str, str, str]]:
    with session_scope() as session:
        rows = session.exec(
            select(Lesson)
            .join(CourseLesson, col(CourseLesson.lesson_id) == col(Lesson.id))
            .where(CourseLesson.course_id == course_id)
            .order_by(col(CourseLesson.position))
        ).all()
        return [
            (r.title, FILE_LINK.sub("/files/ID", r.body_markdown), r.summary, r.status.value)
            for r in rows
        ]


def questions_of(teacher: str, course_id: str) -> list[tuple]:
    views = run(question_bank.list_question_bank, token=teacher, course_id=course_id)
    return sorted(
        (
            v.type,
            v.prompt_markdown,
            v.explanation_markdown,
            v.points,
            [(o.body, o.is_correct, o.feedback) for o in v.options],
            v.accepted_answers,
            v.numeric_answer,
            v.numeric_tolerance,
            v.case_sensitive,
            sorted(v.tags),
        )
        for v in views
    )


def exams_of(course_id: str) -> list[dict]:
    with session_scope() as session:
        exams = session.exec(select(Exam).where(Exam.course_id == course_id)).all()
        views = [exam_authoring.exam_view(session, e) for e in exams]
    out = []
    for view in views:
        fields = {k: v for k, v in view.__dict__.items() if k not in {"id", "course_id"}}
        fields["questions"] = [(q.prompt_markdown, q.type, q.points) for q in view.questions]
        out.append(fields)
    return out


def files_of(course_id: str) -> list[tuple[str, str, int]]:
    with session_scope() as session:
        rows = session.exec(select(Document).where(Document.course_id == course_id)).all()
        return sorted((d.filename, d.mime_type, d.size_bytes) for d in rows)


def test_our_own_cartridge_round_trips_a_course(teacher: str, course: str) -> None:
    data = export(teacher, course)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        manifest = archive.read("imsmanifest.xml").decode()
    assert names[0] == "imsmanifest.xml"
    assert "imsccv1p3" in manifest and "imsqti_xmlv1p2/imscc_xmlv1p3/question-bank" in manifest
    assert {"lessons/1-what-moves-the-tides.md", "learning_app/exam-1.json"} <= set(names)
    assert "files/1/tide chart.png" in names

    report = do_import(teacher, data)

    copy = report.course.id
    assert report.course.status == "draft" and report.course.slug == "tides-and-waves-2"
    assert report.course.title == "Tides and Waves"
    assert (report.lessons, report.files, report.questions, report.exams) == (2, 2, 6, 1)
    assert report.skipped == []
    assert course_lessons(copy) == course_lessons(course)
    body = course_lessons(copy)[0][1]
    assert "![Tide chart](/files/ID)" in body
    assert files_of(copy) == files_of(course)
    # The picture link leads to the new course's own copy of the picture.
    with session_scope() as session:
        lesson_body = session.exec(
            select(Lesson.body_markdown)
            .join(CourseLesson, col(CourseLesson.lesson_id) == col(Lesson.id))
            .where(CourseLesson.course_id == copy)
            .order_by(col(CourseLesson.position))
        ).first()
        picture = session.exec(
            select(Document).where(Document.course_id == copy, Document.mime_type == "image/png")
        ).one()
    assert f"/files/{picture.id}" in (lesson_body or "")
    assert questions_of(teacher, copy) == questions_of(teacher, course)
    exported, imported = exams_of(course), exams_of(copy)
    assert imported[0].pop("status") == "draft"
    exported[0].pop("status")
    assert imported == exported
    assert imported[0]["time_limit_minutes"] == 10 and imported[0]["grade_policy"] == "last"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


MANIFEST = b"""<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1">
<organizations/><resources/></manifest>"""


def _huge_declared_size() -> bytes:
    data = bytearray(_zip({"imsmanifest.xml": MANIFEST, "files/big.pdf": b"%PDF-1.4 tiny"}))
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) != -1:
        data[start + 24 : start + 28] = struct.pack("<I", 2 * 1024**3)  # uncompressed size
        start += 4
    return bytes(data)


HOSTILE = {
    "path traversal": (
        lambda: _zip({"imsmanifest.xml": MANIFEST, "../evil.md": b"x"}),
        "outside the package",
    ),
    "zip bomb": (
        lambda: _zip({"imsmanifest.xml": MANIFEST, "files/bomb.txt": bytes(20 * 1024 * 1024)}),
        "unpacks to far more",
    ),
    "huge declared size": (_huge_declared_size, "unpacks to far more"),
    "malformed manifest": (
        lambda: _zip({"imsmanifest.xml": b"<manifest><resources></manifest>"}),
        "not well-formed XML",
    ),
    "external entity": (
        lambda: _zip(
            {
                "imsmanifest.xml": b'<?xml version="1.0"?><!DOCTYPE manifest '
                b'[<!ENTITY x SYSTEM "file:///etc/passwd">]><manifest>&x;</manifest>'
            }
        ),
        "entities",
    ),
    "not a zip": (lambda: b"just some text", "not a cartridge"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_cartridge_writes_nothing(teacher: str, s3_bucket: str, case: str) -> None:
    build, message = HOSTILE[case]
    before = fingerprint()
    with pytest.raises(CartridgeRefused, match=message):
        do_import(teacher, build())
    assert fingerprint() == before


def test_a_student_is_refused(student: str, teacher: str, course: str) -> None:
    data = export(teacher, course)
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        do_import(student, data)
    with pytest.raises(NotFound):  # a course it may not edit is not shown to exist
        export(student, course)
    assert fingerprint() == before


def test_a_failure_after_files_were_stored_leaves_no_rows(
    teacher: str, course: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = export(teacher, course)
    before = fingerprint()

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(exam_authoring, "save_exam", broken)
    monkeypatch.setattr("learning_app.services.courses.cartridge_import.save_exam", broken)
    with pytest.raises(RuntimeError):
        do_import(teacher, data)
    after = fingerprint()
    assert after[:5] == before[:5]  # no rows; the objects put are queued for deletion
    with session_scope() as session:
        queued = session.exec(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name LIKE '%delete%'")
        ).one()[0]
    assert queued >= 2


def test_a_cartridge_from_another_tool_imports_what_it_understands(
    teacher: str, s3_bucket: str
) -> None:
    manifest = b"""<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1">
 <metadata><lom><general><title><string>Ocean basics</string></title></general></lom></metadata>
 <organizations><organization identifier="o"><item identifier="root">
  <item identifier="i1" identifierref="page"><title>Waves</title></item>
  <item identifier="i2" identifierref="talk"><title>Discuss</title></item>
 </item></organization></organizations>
 <resources>
  <resource identifier="page" type="webcontent" href="wiki_content/waves.html">
   <file href="wiki_content/waves.html"/></resource>
  <resource identifier="talk" type="imsdt_xmlv1p3"><file href="talk.xml"/></resource>
 </resources></manifest>"""
    data = _zip(
        {
            "imsmanifest.xml": manifest,
            "wiki_content/waves.html": b"<h2>Waves</h2><p>Wind makes <b>waves</b>.</p>",
            "talk.xml": b"<topic/>",
        }
    )
    report = do_import(teacher, data)
    assert report.course.title == "Ocean basics" and report.lessons == 1
    assert any("Discuss" in line for line in report.skipped)
    assert "**waves**" in course_lessons(report.course.id)[0][1]


def test_the_cli_refusal_is_one_line_and_exit_1(
    teacher: str, s3_bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "evil.imscc"
    path.write_bytes(_zip({"imsmanifest.xml": MANIFEST, "../evil.md": b"x"}))
    before = fingerprint()
    assert main(["course", "import", str(path), "--as", "rosa@example.com"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "outside the package" in err[0]
    assert fingerprint() == before


def test_the_cli_exports_and_imports(
    teacher: str, course: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tides.imscc"
    exporting = ["course", "export", "tides-and-waves", "--output", str(path)]
    assert main([*exporting, "--as", "rosa@example.com"]) == 0
    assert main(["course", "import", str(path), "--as", "rosa@example.com"]) == 0
    slug = capsys.readouterr().out.strip()
    assert slug.startswith("tides-and-waves-")
    settings = json.loads(zipfile.ZipFile(path).read("learning_app/exam-1.json"))
    assert settings["feedback_policy"] == "never" and settings["max_attempts"] == 2

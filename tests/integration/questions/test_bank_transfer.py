"""Question banks in and out against the real Postgres: an import is previewed, then written
in one transaction or not at all, items the bank already holds are recognised by content, and
an export re-imports to the same questions."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.models.questions import Question, QuestionOrigin
from learning_app.services.errors import DomainError, InvalidInput, PermissionDenied
from learning_app.services.questions import bank, transfer
from learning_app.services.questions.interchange.items import BankFileRefused
from tests.integration.exams.helpers import run
from tests.integration.people import new_course

GIFT = b"""// A small bank, written to Moodle's GIFT syntax.
$CATEGORY: $course$/Tides

::Q1:: What moves the tides? {=The moon #Right. ~The wind #No: it makes waves.}

::Q2:: The moon orbits the Earth. {T}

::Q3:: Name the closest star to the Earth. {=Sun =the Sun}

::Q4:: How many hours between two high tides, about? {#12.4:0.2}

::Q5:: Explain spring tides. {}

::Q6:: Match the pairs. {=moon -> tides =sun -> light}
"""


def questions() -> int:
    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(Question)).one())


def do_import(teacher: str, course: str, data: bytes = GIFT, **kwargs: object):
    return run(
        transfer.import_question_bank,
        token=teacher,
        course_id=course,
        data=data,
        filename="tides.gift",
        **kwargs,
    )


@pytest.fixture
def course(teacher: str) -> str:
    return new_course(teacher)


def test_a_preview_then_an_import_then_the_same_file_again(teacher: str, course: str) -> None:
    preview = do_import(teacher, course, dry_run=True)
    assert preview.dry_run and preview.imported == 5 and questions() == 0
    assert preview.by_type == {
        "single_choice": 1,
        "true_false": 1,
        "short_answer": 1,
        "numeric": 1,
        "essay": 1,
    }
    assert [s.item for s in preview.skipped] and "line" in preview.skipped[0].item.lower()

    report = do_import(teacher, course)
    assert (report.imported, report.by_type, questions()) == (5, preview.by_type, 5)
    views = {v.type: v for v in run(bank.list_question_bank, token=teacher, course_id=course)}
    tide = views["single_choice"]
    assert [(o.body, o.is_correct, o.feedback) for o in tide.options] == [
        ("The moon", True, "Right."),
        ("The wind", False, "No: it makes waves."),
    ]
    assert views["numeric"].numeric_answer == 12.4 and views["numeric"].numeric_tolerance == 0.2
    assert "Tides" in tide.tags
    with session_scope() as session:  # item analysis points at questions no teacher wrote
        assert set(session.exec(select(Question.origin)).all()) == {QuestionOrigin.IMPORTED}

    again = do_import(teacher, course)
    assert (again.imported, again.duplicates, questions()) == (0, 5, 5)


def test_an_export_re_imports_to_the_same_questions(teacher: str, course: str) -> None:
    do_import(teacher, course)
    other = new_course(teacher, "Another course")
    for name in transfer.FORMATS:
        filename, data = run(
            transfer.export_question_bank, token=teacher, course_id=course, format_name=name
        )
        assert data and filename.startswith("intro-to-python-questions")
        same = do_import(teacher, course, data, format_name=name)
        assert (same.imported, same.duplicates) == (0, 5), name  # keyed by content
    fresh = do_import(teacher, other, data, format_name="qti")
    assert fresh.imported == 5


def test_an_import_is_all_or_nothing(
    teacher: str, course: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = 0
    add = bank.add_question

    def failing_third(*args: object, **kwargs: object) -> Question:
        nonlocal written
        written += 1
        if written == 3:
            raise RuntimeError("the database went away mid-import")
        return add(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bank, "add_question", failing_third)
    with pytest.raises(RuntimeError):
        do_import(teacher, course)
    assert questions() == 0


@pytest.mark.parametrize(
    ("data", "fmt", "error", "message"),
    [
        (b"::Q:: Unclosed {=a ~b\n", "gift", BankFileRefused, "never closed"),
        (b"<quiz><question type=", "moodle-xml", BankFileRefused, "not well-formed XML"),
        (b"   ", None, BankFileRefused, "empty"),
        (b"\x00\x01\x02binary", "gift", BankFileRefused, "not a GIFT text file"),
    ],
)
def test_a_file_refused_as_a_whole_writes_nothing(
    teacher: str, course: str, data: bytes, fmt: str | None, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        do_import(teacher, course, data, format_name=fmt)
    assert questions() == 0


def test_an_unknown_format_and_a_student_are_refused(
    teacher: str, student: str, course: str
) -> None:
    with pytest.raises(InvalidInput, match="GIFT, Moodle XML or QTI"):
        do_import(teacher, course, format_name="csv")
    with pytest.raises((PermissionDenied, DomainError)):
        do_import(student, course)
    assert questions() == 0


def test_the_command_line_prints_one_json_line(
    teacher: str, course: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    from learning_app.cli.main import main

    path = tmp_path / "tides.gift"
    path.write_bytes(GIFT)
    assert (
        main(
            [
                "questions",
                "import",
                str(path),
                "--course",
                "intro-to-python",
                "--as",
                "rosa@example.com",
                "--json",
                "--dry-run",
            ]
        )
        == 0
    )
    line = json.loads(capsys.readouterr().out.strip())
    assert line["imported"] == 5 and line["by_type"]["essay"] == 1
    assert line["skipped"][0]["reason"] and questions() == 0
    bad = tmp_path / "bad.gift"
    bad.write_bytes(b"::Q:: {=a\n")
    assert (
        main(
            [
                "questions",
                "import",
                str(bad),
                "--course",
                "intro-to-python",
                "--as",
                "rosa@example.com",
            ]
        )
        == 1
    )
    assert "never closed" in capsys.readouterr().err and questions() == 0


def test_a_staged_file_waits_for_its_import_and_then_expires(stores: None) -> None:
    key = transfer.stage_bank_file(GIFT, "tides.gift")
    assert transfer.staged_bank_file(key) == (GIFT, "tides.gift")
    transfer.discard_staged_bank_file(key)
    with pytest.raises(BankFileRefused, match="upload it again"):
        transfer.staged_bank_file(key)
    with pytest.raises(BankFileRefused, match="at most 10 MB"):
        transfer.stage_bank_file(b"x" * (10 * 1024 * 1024 + 1), "big.gift")

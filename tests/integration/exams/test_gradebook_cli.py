"""`learning-app grades export`, run as the operator would: a subprocess on the real stack."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from learning_app.models.users import UserRole
from learning_app.services.courses import reading
from tests.integration.exams.helpers import exam_of, run, true_false_question
from tests.integration.people import new_course, person, publish

SLUG = "intro-to-python"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "learning_app.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        check=False,
    )


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def graded_course(teacher: str, student: str) -> str:
    """A published course (slug intro-to-python) with one exam Ada passed."""
    from learning_app.services.attempts import taking
    from learning_app.services.questions import bank as question_bank

    course_id = new_course(teacher)
    publish(teacher, course_id)
    run(reading.enroll, token=student, course_id=course_id)
    question_id = true_false_question(teacher, course_id)
    exam_id = exam_of(teacher, course_id, [question_id], title="Quiz 1")
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    question = next(
        q for q in run(question_bank.list_question_bank, token=teacher, course_id=course_id)
    )
    right = next(o.id for o in question.options if o.is_correct)
    run(
        taking.save_answer,
        token=student,
        attempt_id=view.attempt_id,
        question_id=question_id,
        response={"option_id": right},
    )
    run(taking.submit_attempt, token=student, attempt_id=view.attempt_id)
    return course_id


def test_export_writes_the_csv_to_a_file_or_stdout(graded_course: str, tmp_path: Path) -> None:
    out = tmp_path / "grades.csv"
    result = _cli(
        "grades", "export", "--course", SLUG, "--as", "rosa@example.com", "--output", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "exported 1 student(s) x 1 exam(s) to" in result.stderr
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows == [
        ["Name", "Email", "Quiz 1", "Course total", "Exams graded (of 1)"],
        ["Ada", "ada@example.com", "100.0", "100.0", "1"],
    ]

    person("root", UserRole.ADMIN)  # the default account: the first admin
    printed = _cli("grades", "export", "--course", SLUG)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == out.read_text(encoding="utf-8")


def test_bad_input_exits_1_with_one_line_and_writes_nothing(
    graded_course: str, tmp_path: Path
) -> None:
    person("olga", UserRole.TEACHER)  # teaches nothing here
    out = tmp_path / "grades.csv"
    cases = [
        (("--course", "no-such-course", "--as", "rosa@example.com"), "no course 'no-such-course'"),
        (("--course", SLUG, "--as", "nobody@example.com"), "No active account uses"),
        (("--course", SLUG, "--as", "ada@example.com"), "may not read the grades"),
        (("--course", SLUG, "--as", "olga@example.com"), "may not read the grades"),
        (("--course", SLUG), "No admin account exists yet"),
    ]
    for args, expected in cases:
        line = _one_error_line(_cli("grades", "export", *args, "--output", str(out)))
        assert expected in line, line
        assert not out.exists(), args
    for output, expected in (
        (tmp_path / "missing" / "grades.csv", "no such folder"),
        (tmp_path, "is a folder"),
    ):
        args = ("--course", SLUG, "--as", "rosa@example.com", "--output", str(output))
        line = _one_error_line(_cli("grades", "export", *args))
        assert expected in line, line
    assert list(tmp_path.iterdir()) == []
    if os.geteuid() != 0:  # root writes through permissions
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        args = ("--course", SLUG, "--as", "rosa@example.com", "--output", str(locked / "g.csv"))
        assert "cannot write there" in _one_error_line(_cli("grades", "export", *args))

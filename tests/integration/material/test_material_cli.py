"""`learning-app ingest` and `ask`, run as the operator would: a subprocess on the real stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.bench.sample_files import pdf_bytes
from learning_app.models.documents import Document
from learning_app.models.users import UserRole
from tests.integration.people import person

TIDES = """# Tides

The moon's gravity pulls on the oceans. Twice a day the water rises along the coast and then
falls again, which is what we call the high and the low tide.
"""
VOLCANO_PAGES = [
    "A volcano erupts when molten rock called magma rises through cracks in the crust.",
    "Lava that cools quickly becomes volcanic glass such as obsidian.",
]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "learning_app.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=dict(os.environ),
        check=False,
    )


@pytest.fixture
def operator(stores: None, s3_bucket: str) -> str:
    person("rosa", UserRole.TEACHER)
    return "rosa@example.com"


@pytest.fixture
def material(tmp_path: Path) -> list[Path]:
    notes, volcano = tmp_path / "tides.md", tmp_path / "volcanoes.pdf"
    notes.write_text(TIDES)
    volcano.write_bytes(pdf_bytes(VOLCANO_PAGES))
    return [notes, volcano]


def _documents() -> int:
    with session_scope() as session:
        return int(session.execute(select(func.count()).select_from(Document)).scalar_one())


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_ingest_then_ask_with_citations(operator: str, material: list[Path]) -> None:
    ingested = _cli(
        "ingest", *map(str, material), "--course", "earth", "--create", "Earth", "--as", operator
    )
    assert ingested.returncode == 0, ingested.stderr
    assert "created course earth" in ingested.stdout
    assert "[1/2] tides.md: ready" in ingested.stdout
    assert "[2/2] volcanoes.pdf: ready, 2 page(s)" in ingested.stdout

    asked = _cli("ask", "Why does the sea go up and down?", "--course", "earth", "--as", operator)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(
        _cli(
            "ask", "What is molten rock called?", "--course", "earth", "--as", operator, "--json"
        ).stdout
    )
    assert set(answer) == {"found", "tier", "answer", "citations"}
    assert answer["found"] is True and answer["tier"] == "answered" and "[1]" in answer["answer"]
    first = answer["citations"][0]
    assert set(first) == {"source", "text", "score"}
    assert first["source"] == "volcanoes.pdf" and "magma" in first["text"]
    assert isinstance(first["score"], float)

    unanswerable = _cli(
        "ask", "Who won the football world cup in 1998?", "--course", "earth", "--as", operator
    )
    assert unanswerable.stdout.startswith("I could not find this in the course material")
    as_json = json.loads(
        _cli(
            "ask",
            "Who won the football world cup in 1998?",
            "--course",
            "earth",
            "--as",
            operator,
            "--json",
        ).stdout
    )
    assert as_json["found"] is False and as_json["citations"] == []

    again = _cli("ingest", str(material[0]), "--course", "earth", "--as", operator)
    assert again.returncode == 0 and "ready (already there)" in again.stdout
    assert _documents() == 2


def test_a_missing_path_fails_before_anything_is_written(
    operator: str, material: list[Path]
) -> None:
    result = _cli(
        "ingest",
        str(material[0]),
        str(material[0].parent / "nope.md"),
        "--course",
        "earth",
        "--create",
        "Earth",
        "--as",
        operator,
    )
    assert "nope.md: no such file" in _one_error_line(result)
    assert _documents() == 0


def test_a_file_of_the_wrong_type_is_refused(operator: str, tmp_path: Path) -> None:
    fake = tmp_path / "slides.pdf"
    fake.write_text("just text pretending to be a PDF")
    result = _cli("ingest", str(fake), "--course", "earth", "--create", "Earth", "--as", operator)
    assert "content is not a PDF" in _one_error_line(result)
    assert _documents() == 0


def test_an_unknown_course_and_an_unknown_account_are_one_line(
    operator: str, material: list[Path]
) -> None:
    unknown = _cli("ingest", str(material[0]), "--course", "nowhere", "--as", operator)
    assert "no course 'nowhere'" in _one_error_line(unknown)
    asked = _cli("ask", "Anything?", "--course", "nowhere", "--as", operator)
    assert "no course 'nowhere'" in _one_error_line(asked)
    stranger = _cli("ask", "Anything?", "--course", "nowhere", "--as", "who@example.com")
    assert "No active account uses who@example.com" in _one_error_line(stranger)
    no_admin = _cli("ask", "Anything?", "--course", "nowhere")
    assert "No admin account exists yet" in _one_error_line(no_admin)

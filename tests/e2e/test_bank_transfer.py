"""Question banks in and out in Chromium: a teacher uploads a GIFT file, reads the preview
(what would be imported, in the bank's words, and what cannot be and why), imports it, sees the
questions in the bank and the upload emptied, is offered nothing to import from the same file
again, and downloads the bank as Moodle XML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from learning_app.adapters.postgres import session_scope
from learning_app.services.courses import authoring
from learning_app.services.review import flashcards
from tests.e2e.conftest import RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e

GIFT = """// written to Moodle's GIFT syntax
::Q1:: What moves the tides? {=The moon ~The wind}

::Q2:: The moon orbits the Earth. {T}

::Q3:: Match the pairs. {=moon -> tides =sun -> light}
"""


def test_a_teacher_previews_imports_and_exports_a_bank(
    browser: Browser, app_server: RunningApp, unique: str, tmp_path: Path
) -> None:
    email = f"t-{unique}@example.com"
    teacher = account(email, "Tess Teacher", "teacher")
    with session_scope() as session:
        course = authoring.create_course(session, token=teacher, title="Oceans", description="")
        flashcards.create_flashcard(
            session, token=teacher, course_id=course.id, front="Ebb?", back="Falling", tags="lists"
        )
    gift = tmp_path / "tides.gift"
    gift.write_text(GIFT, encoding="utf-8")

    page = signed_in_page(browser, app_server, email)
    page.goto(f"{app_server.url}/teach/courses/{course.id}/exams")
    expect(page.get_by_role("heading", name="Import and export")).to_be_visible()
    file_input = page.locator("#bank-import-file input[type=file]")
    file_input.set_input_files(str(gift))
    expect(page.get_by_text("tides.gift", exact=True)).to_be_visible()  # the chosen file
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("heading", name="Preview: tides.gift")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="2 questions to import")).to_contain_text(
        "(Single choice: 1, True / false: 1)"
    )
    expect(page.get_by_text("Cannot be imported:")).to_be_visible()
    bank = page.get_by_role("list", name="Questions", exact=True).get_by_role("listitem")
    expect(bank).to_have_count(0)  # a preview writes nothing

    page.get_by_role("button", name="Import 2 questions").click()
    expect(page.get_by_text("Imported 2 questions from tides.gift.")).to_be_visible()
    expect(bank).to_have_count(2)
    expect(page.get_by_text("tides.gift", exact=True)).to_have_count(0)  # no file waits
    # The flashcards' tag is not a filter of the bank.
    expect(page.get_by_label("Filter by tag").locator("option")).to_have_text(["All tags"])

    # The same questions again (another name: Chromium ignores the same file set twice).
    again = tmp_path / "tides-again.gift"
    again.write_text(GIFT, encoding="utf-8")
    file_input.set_input_files(str(again))
    expect(page.get_by_text("tides-again.gift", exact=True)).to_be_visible()
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("status").filter(has_text="0 questions to import")).to_contain_text(
        "2 already in the bank"
    )
    expect(page.get_by_text("the file's questions are already in the bank.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("heading", name="Preview: tides-again.gift")).to_have_count(0)
    expect(page.get_by_text("tides-again.gift", exact=True)).to_have_count(0)

    page.get_by_label("Export as").select_option(label="Moodle XML")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export the bank").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-questions.xml")
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "What moves the tides?" in text and "<quiz>" in text

"""Question banks in and out in Chromium: a teacher uploads a GIFT file, reads the preview
(what would be imported, what cannot be and why), imports it, sees the questions in the bank,
and downloads the bank as Moodle XML."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from learning_app.adapters.postgres import session_scope
from learning_app.services.courses import authoring
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
    gift = tmp_path / "tides.gift"
    gift.write_text(GIFT, encoding="utf-8")

    page = signed_in_page(browser, app_server, email)
    page.goto(f"{app_server.url}/teach/courses/{course.id}/exams")
    expect(page.get_by_role("heading", name="Import and export")).to_be_visible()
    page.locator(f"#{'bank-import-file'} input[type=file]").set_input_files(str(gift))
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("heading", name="Preview: tides.gift")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="2 question(s) to import")).to_contain_text(
        "1 single choice, 1 true false"
    )
    expect(page.get_by_text("Cannot be imported:")).to_be_visible()
    bank = page.get_by_role("list", name="Questions", exact=True).get_by_role("listitem")
    expect(bank).to_have_count(0)  # a preview writes nothing

    page.get_by_role("button", name="Import 2 question(s)").click()
    expect(page.get_by_text("Imported 2 question(s) from tides.gift.")).to_be_visible()
    expect(bank).to_have_count(2)

    page.get_by_label("Export as").select_option(label="Moodle XML")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export the bank").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-questions.xml")
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "What moves the tides?" in text and "<quiz>" in text

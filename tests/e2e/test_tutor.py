"""A teacher uploads a PDF in Chromium and watches it become ready; an enrolled student asks
the tutor, gets a generated answer citing the PDF's page, and opens the citation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from learning_app.adapters.postgres import session_scope
from learning_app.bench.sample_files import pdf_bytes
from learning_app.services.courses import authoring, reading
from tests.e2e.conftest import MARKDOWN_QUESTION, RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e

NOTES = """# Tides

The moon's gravity pulls on the oceans. The water bulges towards the moon, and the Earth
turns beneath the bulge, so most coasts see two high tides and two low tides every day.
"""


def test_uploaded_material_answers_a_students_question(
    browser: Browser, app_server: RunningApp, tmp_path: Path, unique: str
) -> None:
    teacher_email, student_email = f"t-{unique}@example.com", f"s-{unique}@example.com"
    token = account(teacher_email, "Tess", "teacher")
    student_token = account(student_email, "Sam", "student")
    with session_scope() as session:
        course_id = authoring.create_course(
            session, token=token, title=f"Oceans {unique}", description="Seas."
        ).id
        authoring.publish_course(session, token=token, course_id=course_id)
    with session_scope() as session:
        reading.enroll(session, token=student_token, course_id=course_id)

    notes = tmp_path / "tides.pdf"
    notes.write_bytes(
        pdf_bytes(["Chapter one: waves are made by the wind.", " ".join(NOTES.split()[2:])])
    )
    teacher = signed_in_page(browser, app_server, teacher_email)
    teacher.goto(f"{app_server.url}/teach/courses/{course_id}")
    expect(teacher.get_by_role("heading", name="Course material")).to_be_visible()
    teacher.locator("#course-material input[type=file]").set_input_files(str(notes))
    teacher.get_by_role("button", name="Upload", exact=True).click()
    expect(teacher.get_by_role("status")).to_contain_text("tides.pdf is uploaded.")
    files = teacher.get_by_role("list", name="Course material files")
    expect(files.get_by_text("Ready")).to_be_visible(timeout=60_000)

    student = signed_in_page(browser, app_server, student_email)
    student.goto(f"{app_server.url}/courses/{course_id}")
    expect(student.get_by_role("list", name="Course material")).to_contain_text("tides.pdf")
    student.get_by_role("link", name="Ask the tutor").click()
    expect(student.get_by_role("heading", name="Ask the tutor")).to_be_visible()
    student.get_by_label("Your question").fill("Why does the sea level go up and down twice a day?")
    student.get_by_role("button", name="Ask").click()
    answer = student.get_by_role("article").first
    # The app's language model is the scripted one (tests/e2e/conftest.py): the answer streams.
    expect(answer).to_contain_text("which bulge towards it [1].", timeout=30_000)
    source = answer.get_by_role("list", name="Sources").get_by_role("link").first
    expect(source).to_contain_text(re.compile(r"\[1\] tides\.pdf.*page 2"))
    href = source.get_attribute("href") or ""
    assert re.search(r"/files/[0-9a-f-]{36}#page=2$", href), href
    opened = student.request.get(href.split("#")[0])  # the citation opens the PDF itself
    assert opened.status == 200 and opened.body().startswith(b"%PDF")
    assert opened.headers["x-content-type-options"] == "nosniff"

    # The cited passage marks the sentences that answer.
    expect(answer.locator("mark").first).to_contain_text("two high tides")
    # An answer written in Markdown is shown rendered: bold, code, its line break and its
    # code block, in two blocks (a paragraph and the fence).
    student.get_by_label("Your question").fill(
        f"Why does the sea level go up and down twice a day, {MARKDOWN_QUESTION}?"
    )
    student.get_by_role("button", name="Ask").click()
    formatted = student.get_by_role("article").first
    expect(formatted.get_by_role("strong")).to_have_text("moon's gravity", timeout=30_000)
    expect(formatted.get_by_role("code").first).to_have_text("bulge")
    expect(formatted.get_by_role("paragraph").filter(has_text="oceans")).to_contain_text(
        re.compile(r"oceans,\nwhich bulge"),  # the single line break is kept
        use_inner_text=True,
    )
    expect(formatted.locator("pre")).to_contain_text("two high tides")
    expect(formatted).not_to_contain_text("**")
    # A question about something the material never names: the closest passage is shown as
    # "may not answer", and nothing is written up as an answer.
    student.get_by_label("Your question").fill("How high are the tides in the Bay of Fundy?")
    student.get_by_role("button", name="Ask").click()
    related = student.get_by_role("article").first
    expect(related.get_by_role("heading", name="This may not answer your question")).to_be_visible(
        timeout=30_000
    )
    expect(related.get_by_role("list", name="Closest passages")).to_contain_text("tides.pdf")

"""A teacher writes a flashcard (the same one twice is refused), drafts cloze cards from a
lesson, adds one (listed with its front and back apart) and discards another, and archives a
card, in Chromium, by accessible names: nothing becomes a card without a click."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from learning_app.adapters.postgres import session_scope
from learning_app.services.courses import authoring, lessons
from tests.e2e.conftest import RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e

RIVERS = """A delta is a landform that forms where a river meets a slower body of water.
Heavy rain upstream leads to sudden floods in the valleys below the mountains.
Erosion is defined as the wearing away of land by water, wind or ice."""


def test_a_teacher_writes_drafts_and_archives_flashcards(
    browser: Browser, app_server: RunningApp, unique: str
) -> None:
    email = f"t-{unique}@example.com"
    teacher = account(email, "Tess Teacher", "teacher")
    with session_scope() as session:
        course = authoring.create_course(session, token=teacher, title="Rivers", description="")
        lessons.create_lesson(
            session, token=teacher, course_id=course.id, title="Deltas", body_markdown=RIVERS
        )

    page = signed_in_page(browser, app_server, email)
    page.goto(f"{app_server.url}/teach/courses/{course.id}")
    page.get_by_role("link", name="Flashcards").click()
    expect(page.get_by_role("heading", name="Flashcards", level=1)).to_be_visible()
    expect(page.get_by_text("No cards yet")).to_be_visible()

    page.get_by_label("Front", exact=True).fill("What is a **meander**?")
    page.get_by_label("Back", exact=True).fill("A bend in a river.")
    page.get_by_label("Tags", exact=True).fill("rivers, shapes")
    page.get_by_label("Lesson", exact=True).select_option(label="Deltas")
    page.get_by_role("button", name="Add card", exact=True).click()
    expect(page.get_by_text("The card is added.")).to_be_visible()
    cards = page.get_by_role("list", name="Flashcards").locator("> li")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Tags: rivers, shapes")
    expect(cards.first).to_contain_text("Lesson: Deltas")
    # The same card again (another case) is refused, and the list keeps one.
    page.get_by_label("Front", exact=True).fill("What is a **Meander**?")
    page.get_by_label("Back", exact=True).fill("A bend in a river.")
    page.get_by_role("button", name="Add card", exact=True).click()
    expect(page.get_by_text("The course already has this card.")).to_be_visible()
    expect(cards).to_have_count(1)

    page.get_by_label("Draft from").select_option(label="Lesson: Deltas")
    page.get_by_role("button", name="Draft cards").click()
    drafts = page.get_by_role("list", name="Drafted cards").locator("> li")
    expect(drafts).to_have_count(3, timeout=30_000)
    expect(drafts.first).to_contain_text("A […] is a landform")
    expect(cards).to_have_count(1)  # drafts are only proposals

    page.get_by_role("button", name="Add draft 1 to the cards").click()
    expect(cards).to_have_count(2)
    # Each side under its own label, the back's term and sentence as their own paragraphs.
    added = cards.first
    expect(added.get_by_role("term")).to_have_text(["Front", "Back"])
    expect(added.get_by_role("definition").first).to_have_text(
        "A […] is a landform that forms where a river meets a slower body of water."
    )
    expect(added.get_by_role("definition").last.locator("p")).to_have_text(
        ["delta", "A delta is a landform that forms where a river meets a slower body of water."]
    )
    expect(drafts).to_have_count(2)
    page.get_by_role("button", name="Discard draft 1").click()
    expect(drafts).to_have_count(1)
    expect(cards).to_have_count(2)

    page.get_by_role("button", name="Archive card: What is a meander?").click()
    expect(page.get_by_text("The card is archived")).to_be_visible()
    expect(cards).to_have_count(1)
    # A controlled checkbox (its state comes back from the server): click, then wait for it;
    # `check()` verifies the state at once and fails while the round trip is in flight.
    show_archived = page.get_by_label("Show archived cards (1)")
    show_archived.click()
    expect(show_archived).to_be_checked()
    expect(cards).to_have_count(2)
    expect(page.get_by_role("button", name="Restore card: What is a meander?")).to_be_visible()

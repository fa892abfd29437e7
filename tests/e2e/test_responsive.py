"""Narrow and wide screens: the navbar stays on one line from 1024 px up, folds behind a "Menu"
button on a phone, and no page scrolls sideways at 375 px; the catalogue pages through more
courses than one page holds, with the page in the URL."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.page_kinds import every_page_kind, open_tab
from tests.e2e.people import account

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
# A `goto` reconnects the tab, maybe to the other production worker, which first takes the
# tab's state over from the one that served the last page: on a busy machine the heading of
# the next page has taken longer than `expect`'s 5 s, so it gets what a page load gets.
PAGE_LOAD_MS = 20_000
TEACHER_LINKS = ("Courses", "My courses", "Dashboard", "Teach", "Grading")


def _single_line(page: Page, name: str) -> None:
    """The navbar's link `name` is one line high (a wrapped label is two)."""
    box = (
        page.get_by_role("navigation", name="Main")
        .get_by_role("link", name=name, exact=True)
        .bounding_box()
    )
    assert box is not None and box["height"] < 30, f"{name!r} wraps: {box}"


# The innermost elements that stick out past the right edge, to say what to fix.
_OVERFLOWING = """() => {
    const edge = document.documentElement.clientWidth;
    return [...document.querySelectorAll("body *")]
        .filter(e => e.getBoundingClientRect().right > edge + 1)
        .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > edge + 1))
        .slice(0, 5)
        .map(e => `<${e.tagName.toLowerCase()} class="${e.className}"> ${
            (e.textContent || "").slice(0, 40)} (right edge ${e.getBoundingClientRect().right})`);
}"""


def _no_sideways_scroll(page: Page, name: str) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], (
        f"{name} scrolls sideways: {widths[0]} px in {widths[1]} px; sticking out: "
        + "; ".join(page.evaluate(_OVERFLOWING))
    )


@pytest.mark.parametrize("width", [1024, 1280])
def test_the_navbar_stays_on_one_line_from_1024_px(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str, width: int
) -> None:
    email = f"t-{unique}@example.com"
    account(email, "Theodora Longname-Teacher", "teacher")
    page = open_tab(browser, app_server, email, viewport={"width": width, "height": 800})
    page.goto(f"{app_server.url}/teach")
    expect(page.get_by_role("heading", name="Teaching", level=1)).to_be_visible()

    expect(page.get_by_role("button", name="Menu", exact=True)).to_be_hidden()
    brand = page.get_by_role("link", name="Learning App").bounding_box()
    assert brand is not None and brand["height"] < 40, f"the brand wraps: {brand}"
    tops = set()
    for name in TEACHER_LINKS:
        _single_line(page, name)
        box = page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)
        tops.add(round(box.bounding_box()["y"]))  # type: ignore[index]
    assert len(tops) == 1, f"the links sit on several rows: {tops}"
    header = page.get_by_role("banner").bounding_box()
    assert header is not None and header["height"] < 70, f"the navbar wraps: {header}"
    _no_sideways_scroll(page, f"/teach at {width} px")


def test_a_phone_opens_the_navigation_with_the_menu_button_from_the_keyboard(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    email = f"s-{unique}@example.com"
    account(email, "Ada Student", "student")
    page = open_tab(browser, app_server, email, viewport=PHONE)
    page.goto(f"{app_server.url}/dashboard")
    expect(page.get_by_role("heading", name="My progress", level=1)).to_be_visible()

    menu = page.get_by_role("button", name="Menu", exact=True)
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My courses")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Account menu"))).to_be_visible()
    _no_sideways_scroll(page, "the open menu")

    page.keyboard.press("Space")  # still focused: closes again
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()

    # Escape closes it from inside the panel and gives focus back to the Menu button.
    page.keyboard.press("Enter")
    page.get_by_role("searchbox", name="Search").focus()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()

    menu.click()
    nav.get_by_role("link", name="My courses").click()
    expect(page).to_have_url(re.compile(r"/my-courses$"))
    expect(page.get_by_role("heading", name="My courses", level=1)).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")  # following a link closes it


def test_no_page_scrolls_sideways_on_a_375_px_phone(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    world = every_page_kind(unique)
    url = app_server.url

    visitor = open_tab(browser, app_server, viewport=PHONE)
    for path, heading in [
        ("/", "Courses"),
        ("/sign-in", "Sign in"),
        (f"/courses/{world.course_id}", "Python"),
        ("/search?q=loops", "Search"),
        (world.share_path, "Loops"),
    ]:
        visitor.goto(url + path)
        heading_shown = visitor.get_by_role("heading", name=re.compile(heading), level=1)
        expect(heading_shown).to_be_visible(timeout=PAGE_LOAD_MS)
        _no_sideways_scroll(visitor, path)

    student = open_tab(browser, app_server, world.student_email, viewport=PHONE)
    for path, heading in [
        (f"/courses/{world.course_id}/lessons/{world.lesson_id}", "Loops"),
        (f"/courses/{world.course_id}/ask", "Ask the tutor"),
        (f"/attempts/{world.open_attempt_id}", "Python check"),
        (f"/attempts/{world.submitted_attempt_id}/result", "Python check"),
        ("/dashboard", "My progress"),
    ]:
        student.goto(url + path)
        heading_shown = student.get_by_role("heading", name=re.compile(heading), level=1)
        expect(heading_shown).to_be_visible(timeout=PAGE_LOAD_MS)
        if path.startswith("/attempts/") and not path.endswith("/result"):
            # The exam's questions are on screen, not only in the page.
            expect(student.get_by_role("group", name="Question 5", exact=True)).to_be_visible()
        _no_sideways_scroll(student, path)

    teacher = open_tab(browser, app_server, world.teacher_email, viewport=PHONE)
    course = f"/teach/courses/{world.course_id}"
    for path, heading in [
        ("/teach", "Teaching"),
        (course, "Python"),
        (f"{course}/dashboard", "Python"),
        (f"{course}/exams", "Questions"),
    ]:
        teacher.goto(url + path)
        heading_shown = teacher.get_by_role("heading", name=re.compile(heading), level=1)
        expect(heading_shown).to_be_visible(timeout=PAGE_LOAD_MS)
        teacher.wait_for_load_state("networkidle")
        _no_sideways_scroll(teacher, path)


def _published_courses(teacher: str, count: int) -> list[str]:
    """`count` published courses, titles numbered so their catalogue order is known (newest
    first: the last created comes first)."""
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.courses import authoring

    titles = []
    tag = uuid.uuid4().hex[:4]
    for number in range(count):
        with session_scope() as session:
            course = authoring.create_course(
                session, token=teacher, title=f"Course {number:02d} {tag}", description=""
            )
            authoring.publish_course(session, token=teacher, course_id=course.id)
        titles.append(course.title)
    return titles


def test_the_catalogue_pages_through_more_courses_than_a_page_holds(
    app_server: RunningApp, page: Page, clean_db: str, unique: str
) -> None:
    from learning_app.services.courses.catalog import CATALOGUE_PAGE_SIZE

    teacher = account(f"t-{unique}@example.com", "Tess Teacher", "teacher")
    titles = _published_courses(teacher, CATALOGUE_PAGE_SIZE + 2)
    cards = page.get_by_role("list", name="Published courses").get_by_role("listitem")

    page.goto(app_server.url)
    expect(cards).to_have_count(CATALOGUE_PAGE_SIZE)
    expect(page.get_by_role("heading", name=titles[-1])).to_be_visible()  # the newest first
    pages = page.get_by_role("navigation", name="Catalogue pages")
    expect(pages.get_by_role("link", name="Previous page")).to_have_count(0)
    pages.get_by_role("link", name="Next page").click()

    expect(page).to_have_url(re.compile(r"/\?page=2$"))
    expect(cards).to_have_count(2)
    expect(page.get_by_role("heading", name=titles[0])).to_be_visible()  # the oldest last
    expect(pages.get_by_text("Page 2")).to_be_visible()
    expect(pages.get_by_role("link", name="Next page")).to_have_count(0)

    page.reload()  # the page is in the URL, so a link to it opens it
    expect(cards).to_have_count(2)
    pages.get_by_role("link", name="Previous page").click()
    expect(page).to_have_url(re.compile(r"/\?page=1$"))
    expect(cards).to_have_count(CATALOGUE_PAGE_SIZE)

    page.goto(f"{app_server.url}/?page=banana")  # a mangled link opens the first page
    expect(cards).to_have_count(CATALOGUE_PAGE_SIZE)

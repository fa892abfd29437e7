"""A teacher writes and publishes a course in Chromium; a student enrols, reads and completes it.

The lesson carries a `<script>` and a code block: the script must arrive as inert text, the code
block highlighted.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.people import PASSWORD, account, signed_in_page

pytestmark = pytest.mark.e2e

LESSON_BODY = """# Printing

Say hello <script>window.__pwned = true</script> to everyone.

```python
print("hello")
```
"""


def _write_course(page: Page, app: RunningApp, title: str) -> str:
    """Create, fill and publish a course with one lesson; returns the course editor's URL."""
    page.goto(f"{app.url}/teach")
    expect(page.get_by_role("heading", name="Teaching", level=1)).to_be_visible()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Description", exact=True).fill("Learn to **print** things.")
    page.get_by_role("button", name="Create course").click()
    expect(page).to_have_url(re.compile(r"/teach/courses/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    editor_url = page.url

    page.get_by_label("New lesson title", exact=True).fill("Hello output")
    page.get_by_role("button", name="New lesson").click()
    expect(page).to_have_url(re.compile(r"/lessons/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", name="Hello output", level=1)).to_be_visible()
    page.get_by_label("Lesson text (Markdown)", exact=True).fill(LESSON_BODY)
    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("pre.highlight")).to_contain_text('print("hello")')
    expect(preview).to_contain_text("<script>window.__pwned = true</script>")
    page.get_by_role("button", name="Save lesson").click()
    expect(page.get_by_role("status")).to_contain_text("The lesson is saved.")
    page.get_by_role("button", name="Publish lesson").click()
    expect(page.get_by_role("status")).to_contain_text("The lesson is published.")

    page.goto(editor_url)
    lessons = page.get_by_role("list", name="Lessons in course order")
    expect(lessons.get_by_role("listitem")).to_have_count(1)
    expect(lessons.get_by_role("listitem").first).to_contain_text("Published")
    page.get_by_role("button", name="Publish course").click()
    expect(page.get_by_role("status")).to_contain_text("The course is published")
    return editor_url


def test_a_teacher_publishes_a_lesson_and_a_student_completes_it(
    app_server: RunningApp, clean_db: str, browser: Browser, unique: str
) -> None:
    teacher_email, student_email = f"teacher-{unique}@example.com", f"ada-{unique}@example.com"
    account(teacher_email, "Tess Teacher", "teacher")
    account(student_email, "Ada Student", "student")
    title = f"Printing {unique}"

    teacher = signed_in_page(browser, app_server, teacher_email)
    _write_course(teacher, app_server, title)
    teacher.context.close()

    student = signed_in_page(browser, app_server, student_email)
    student.get_by_role("link", name=title).click()
    # The course is not public: its syllabus shows, its lessons open to enrolled students only.
    expect(student.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(student.get_by_role("link", name="Hello output")).to_have_count(0)
    expect(student.get_by_text("Hello output")).to_be_visible()
    student.get_by_role("button", name="Enrol in this course").click()
    expect(student.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(student.get_by_text("You are enrolled")).to_be_visible()
    expect(student.get_by_role("strong")).to_have_text("print")  # the description's Markdown
    expect(student.get_by_role("link", name="Edit course")).to_have_count(0)

    student.get_by_role("link", name="Hello output").click()
    expect(student.get_by_role("heading", name="Hello output", level=1)).to_be_visible()
    article = student.get_by_role("article")
    expect(article.get_by_role("heading", name="Printing", level=2)).to_be_visible()
    expect(article.locator("pre.highlight")).to_contain_text('print("hello")')
    builtin = article.locator("pre.highlight span.nb")
    expect(builtin).to_have_text("print")
    expect(builtin).to_have_css("color", "rgb(0, 128, 0)")  # assets/markdown.css is loaded
    # The script is shown as text and never runs.
    expect(article).to_contain_text("<script>window.__pwned = true</script>")
    expect(article.locator("script")).to_have_count(0)
    assert student.evaluate("() => window.__pwned") is None

    student.get_by_role("button", name="Mark as complete").click()
    expect(student.get_by_role("status")).to_contain_text("completed every lesson")
    student.get_by_role("link", name=re.compile("Back to the course")).click()
    lesson_item = student.get_by_role("list", name="Lessons").get_by_role("listitem")
    expect(lesson_item).to_contain_text("Hello output")
    expect(lesson_item).to_contain_text("Completed")
    expect(student.get_by_text("1 of 1 lesson complete")).to_be_visible()


def test_a_student_cannot_teach(
    app_server: RunningApp, clean_db: str, browser: Browser, unique: str
) -> None:
    email = f"student-{unique}@example.com"
    account(email, "Only Student", "student")
    page = signed_in_page(browser, app_server, email)
    expect(page.get_by_role("link", name="Teach")).to_have_count(0)
    page.goto(f"{app_server.url}/teach")
    expect(page.get_by_role("heading", name="Only teachers can create courses")).to_be_visible()
    page.goto(f"{app_server.url}/my-courses")
    expect(page.get_by_role("heading", name="No courses yet")).to_be_visible()
    expect(page.get_by_role("link", name="Browse the catalogue")).to_be_visible()


def _course_with_lessons(owner_email: str, title: str, lesson_titles: list[str]) -> str:
    """A draft course with draft lessons, made through the services; returns its id."""
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.accounts import users
    from learning_app.services.courses import authoring, lessons

    with session_scope() as session:
        _, token = users.sign_in_with_password(
            session, email=owner_email, password=PASSWORD, client_ip="198.51.100.9", user_agent="t"
        )
        course_id = authoring.create_course(session, token=token, title=title, description="").id
        for lesson_title in lesson_titles:
            lessons.create_lesson(
                session, token=token, course_id=course_id, title=lesson_title, body_markdown=""
            )
    return course_id


def test_the_course_editor_reorders_shares_and_deletes(
    app_server: RunningApp, clean_db: str, browser: Browser, unique: str
) -> None:
    owner_email, helper_email = f"owner-{unique}@example.com", f"helper-{unique}@example.com"
    account(owner_email, "Olga Owner", "teacher")
    account(helper_email, "Hugo Helper", "teacher")
    title = f"Editing {unique}"
    course_id = _course_with_lessons(owner_email, title, ["First steps", "Second steps"])
    editor_url = f"{app_server.url}/teach/courses/{course_id}"

    owner = signed_in_page(browser, app_server, owner_email)
    owner.goto(editor_url)
    lessons = owner.get_by_role("list", name="Lessons in course order").get_by_role("listitem")
    expect(lessons.nth(0)).to_contain_text("First steps")
    expect(owner.get_by_role("button", name="Move First steps up")).to_be_disabled()
    owner.get_by_role("button", name="Move First steps down").click()
    expect(lessons.nth(0)).to_contain_text("Second steps")
    expect(lessons.nth(1)).to_contain_text("First steps")

    owner.get_by_label("Public: visitors may read it without enrolling").check()
    owner.get_by_role("button", name="Save details").click()
    expect(owner.get_by_role("status")).to_contain_text("The course is saved.")
    owner.get_by_role("button", name="Publish Second steps").click()
    expect(lessons.nth(0)).to_contain_text("Published")
    owner.get_by_role("button", name="Publish course").click()
    expect(owner.get_by_role("status")).to_contain_text("The course is published")

    owner.get_by_label("Co-teacher's email", exact=True).fill(helper_email)
    owner.get_by_role("button", name="Add co-teacher").click()
    teachers = owner.get_by_role("list", name="Teachers of this course")
    expect(teachers).to_contain_text("Hugo Helper")
    expect(owner.get_by_role("link", name="Questions & exams")).to_have_attribute(
        "href", f"/teach/courses/{course_id}/exams"
    )

    # A public course: a visitor reads the published lesson in its new first place, no drafts.
    visitor = browser.new_context().new_page()
    visitor.goto(f"{app_server.url}/courses/{course_id}")
    outline = visitor.get_by_role("list", name="Lessons").get_by_role("listitem")
    expect(outline).to_have_count(1)
    expect(outline).to_contain_text("Second steps")
    expect(visitor.get_by_role("button", name="Sign in to enrol")).to_be_visible()
    visitor.context.close()

    # A co-teacher may edit but not delete: the service's refusal is shown.
    helper = signed_in_page(browser, app_server, helper_email)
    helper.goto(editor_url)
    helper.get_by_role("button", name="Delete course").click()
    helper.get_by_role("alertdialog").get_by_role("button", name="Delete course").click()
    expect(helper.get_by_role("alert")).to_contain_text("Only the course's owner can do that.")
    helper.context.close()

    owner.get_by_role("button", name="Delete course").click()
    owner.get_by_role("alertdialog").get_by_role("button", name="Delete course").click()
    expect(owner).to_have_url(re.compile(r"/teach$"))
    expect(owner.get_by_role("heading", name="No courses yet")).to_be_visible()

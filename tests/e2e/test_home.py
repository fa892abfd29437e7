"""The home page lists the seeded, published course, and shows an empty state without any."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PROD, RunningApp
from tests.e2e.people import account

pytestmark = pytest.mark.e2e


@pytest.fixture
def seeded(clean_db: str, s3_bucket: str) -> None:
    from learning_app.services.demo.seeded import SMALL
    from learning_app.services.demo.world import seed_demo_world

    assert seed_demo_world(SMALL) is not None


def test_home_page_shows_the_seeded_course(
    app_server: RunningApp, seeded: None, page: Page
) -> None:
    from learning_app.services.demo.content_python import TITLE as DEMO_COURSE_TITLE

    page.goto(app_server.url)
    expect(page.get_by_role("heading", name="Courses", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=DEMO_COURSE_TITLE)).to_be_visible()
    expect(page.get_by_role("link", name="Courses")).to_be_visible()


def test_home_page_without_courses_shows_an_empty_state(
    app_server: RunningApp, clean_db: str, page: Page
) -> None:
    page.goto(app_server.url)
    expect(page.get_by_role("heading", name="No courses yet")).to_be_visible()


def test_health_route_reports_every_store(app_server: RunningApp, unique: str) -> None:
    from learning_app.services.accounts.sessions import SESSION_COOKIE

    # Store details are for admins; anyone else (a load balancer) reads the status.
    admin = account(f"admin-{unique}@example.com", "Ada Admin", "admin")
    request = urllib.request.Request(
        f"{app_server.backend_url}/health", headers={"Cookie": f"{SESSION_COOKIE}={admin}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        body = json.load(answer)
    assert body["status"] == "ok"
    assert set(body["stores"]) == {"postgres", "redis", "typesense", "s3"}


def test_responses_carry_the_security_headers(app_server: RunningApp) -> None:
    # In production the page itself comes from the backend; in development Vite serves the
    # pages, so a backend route stands in.
    url = f"{app_server.url}/" if PROD else f"{app_server.backend_url}/ping"
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]


def test_a_course_card_shows_its_description_rendered(
    app_server: RunningApp, clean_db: str, page: Page, unique: str
) -> None:
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.courses import authoring

    token = account(f"t-{unique}@example.com", "Tess Teacher", "teacher")
    with session_scope() as session:
        course = authoring.create_course(
            session,
            token=token,
            title="Python basics",
            description="# About\n\nLearn **loops** and `map`.\n\n- then *functions*",
        )
        authoring.publish_course(session, token=token, course_id=course.id)

    page.goto(app_server.url)
    courses = page.get_by_role("list", name="Published courses")
    expect(courses).to_contain_text("About Learn loops and map. then functions")
    expect(courses.get_by_role("strong")).to_have_text("loops")
    expect(courses.get_by_role("code")).to_have_text("map")
    expect(courses.get_by_role("emphasis")).to_have_text("functions")
    expect(courses).not_to_contain_text("**")
    # A card is one line of text: the description's heading is no heading on the page.
    expect(courses.get_by_role("heading")).to_have_count(1)
    expect(courses).to_contain_text("0 lessons")

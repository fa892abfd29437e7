"""Take the README's screenshots of the student and teacher dashboards on the demo world.

Run from the project root with the project's venv, the local stack up (`make stack-up`):

    .venv/bin/python scripts/readme_screenshots.py
        starts everything itself: a scratch database `learning_app_screenshots` (with its own
        bucket and search prefix) is recreated, migrated and seeded with the full demo world,
        `reflex run` serves it on free ports, and it is stopped at the end (the database stays,
        so you can look around with `DATABASE_NAME=learning_app_screenshots learning-app run`);
        Redis DB 13 unless REDIS_URL is set

    .venv/bin/python scripts/readme_screenshots.py --url http://localhost:3000
        uses an app that is already running on the demo world (`make run`); the course's id is
        read from the database the settings name (the same one `make run` uses)

Writes `assets/readme/student-dashboard.png` (ada@example.com's /dashboard) and
`assets/readme/teacher-dashboard.png` (teacher@example.com's dashboard of Introduction to Python),
full pages at 1280 px wide, in Debian's Chromium (or Playwright's own, where it is missing).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "readme"
SCRATCH = "learning_app_screenshots"
CHROMIUM = Path("/usr/bin/chromium")
# The browser tests' launch arguments (tests/e2e/conftest.py): no sandbox, GPU or phoning home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}
START_TIMEOUT_S = 240
REDIS_DB = 13


def _scratch_environment() -> None:
    """Point every store at the scratch names, Redis at a database of its own unless REDIS_URL
    says otherwise (the seed flushes the analytics buffer it finds there)."""
    from learning_app.settings import get_settings, reset_settings_cache

    os.environ["DATABASE_NAME"] = SCRATCH
    os.environ.pop("DATABASE_URL", None)
    os.environ["S3_BUCKET"] = SCRATCH.replace("_", "-")
    os.environ["SEARCH_PREFIX"] = f"{SCRATCH}_"
    reset_settings_cache()
    port = get_settings().stack_redis_port
    os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:{port}/{REDIS_DB}")
    reset_settings_cache()


def _prepare_world() -> None:
    import psycopg
    from botocore.exceptions import ClientError
    from psycopg import sql

    from learning_app.adapters.s3_store import get_s3
    from learning_app.cli.support import migrate
    from learning_app.services.demo.seeded import FULL
    from learning_app.services.demo.world import seed_demo_world
    from learning_app.services.search.index import default_index, rebuild
    from learning_app.settings import get_settings

    settings = get_settings()
    admin = settings.sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(admin.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        name = sql.Identifier(SCRATCH)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    try:
        get_s3().head_bucket(Bucket=settings.s3_bucket)
    except ClientError:
        get_s3().create_bucket(Bucket=settings.s3_bucket)
    migrate()
    report = seed_demo_world(FULL)
    if report is None:
        raise SystemExit("the scratch database was not empty")
    print(f"seeded the demo world in {report.seconds:.1f} s")
    rebuild(default_index())  # the scratch prefix may hold an earlier run's index
    print("built the search index")


def _wait_for(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - our own app
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {START_TIMEOUT_S} s")


def _python_course_id() -> str:
    from sqlmodel import select

    from learning_app.adapters.postgres import session_scope
    from learning_app.models.content import Course
    from learning_app.services.demo.content_python import COURSE

    with session_scope() as session:
        found = session.exec(select(Course.id).where(Course.slug == COURSE.slug)).first()
    if found is None:
        raise SystemExit("no demo world in this database: run `learning-app seed` first")
    return str(found)


def _sign_in(page: Page, url: str, email: str, password: str) -> None:
    """Through the real form. A click that lands before the page's websocket is connected is
    lost, so the form is sent again if the account menu does not appear."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(f"{url}/sign-in")
    page.wait_for_load_state("networkidle")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    menu = page.get_by_role("button", name=re.compile("Account menu"))
    for _ in range(3):
        page.get_by_role("button", name="Sign in").click()
        try:
            menu.wait_for(timeout=20_000)
            return
        except PlaywrightTimeout:
            continue
    raise SystemExit(f"could not sign in as {email}")


def _shoot(url: str, course_id: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    from learning_app.services.demo.people import ADA, TEACHERS

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        options: dict[str, object] = {"args": CHROMIUM_ARGS}
        if CHROMIUM.exists():
            options["executable_path"] = str(CHROMIUM)
        browser = playwright.chromium.launch(**options)  # type: ignore[arg-type]
        shots = (
            (ADA, "/dashboard", "student-dashboard.png", "My progress"),
            (TEACHERS[0], f"/teach/courses/{course_id}/dashboard", "teacher-dashboard.png", None),
        )
        for person, path, filename, heading in shots:
            context = browser.new_context(viewport=VIEWPORT, color_scheme="light")
            page = context.new_page()
            page.set_default_timeout(60_000)
            _sign_in(page, url, person.email, person.password)
            page.goto(f"{url}{path}")
            title = heading or "Dashboard: Introduction to Python"
            expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
            expect(page.get_by_role("img").first).to_be_visible()
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1500)  # the charts' entry animations
            page.screenshot(path=str(OUT / filename), full_page=True)
            print(f"wrote {(OUT / filename).relative_to(ROOT)}")
            context.close()
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an app already serving the demo world")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.url:
        _shoot(args.url.rstrip("/"), _python_course_id())
        return 0

    _scratch_environment()
    _prepare_world()
    from learning_app.cli.support import reflex_environment
    from learning_app.settings import get_settings
    from learning_app.stack.base import free_port, start_process_group, stop_process_group

    frontend, backend = free_port(), free_port()
    env = reflex_environment(get_settings(), prod=False)
    env["PUBLIC_BASE_URL"] = f"http://localhost:{frontend}"
    env["REFLEX_API_URL"] = f"http://localhost:{backend}"
    reflex = Path(sys.executable).parent / "reflex"
    command = [str(reflex), "run", "--env", "dev", "--frontend-port", str(frontend)]
    command += ["--backend-port", str(backend), "--backend-host", "127.0.0.1"]
    log = ROOT / ".web" / "readme-screenshots.log"
    log.parent.mkdir(exist_ok=True)
    process = start_process_group(command, cwd=ROOT, env=env, log_path=log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        _wait_for(f"http://127.0.0.1:{backend}/ping", deadline)
        _wait_for(f"http://localhost:{frontend}/", deadline)
        _shoot(f"http://localhost:{frontend}", _python_course_id())
    finally:
        stop_process_group(process)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

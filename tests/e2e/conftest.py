"""Browser tests: the real app served by `reflex run` on free ports, driven in Chromium.

`E2E_PROD=1` serves it the production way instead: `reflex run --env prod` builds the frontend
and serves it from the backend on one port, with Reflex's state in Redis and two granian
workers, so consecutive events of one page land on different processes.

The app's language model is a scripted OpenAI-compatible server (`scripted_llm`): OpenAI is the
one outside provider, and its replies must be known for a browser test to check them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

from learning_app.settings import PROJECT_ROOT, Settings, get_settings, reset_settings_cache
from learning_app.stack.processes import free_port_run, start_process_group, stop_process_group
from learning_app.stack.servers import Redis
from tests.integration.private_servers import on_free_ports, restart
from tests.scripted_llm import DRAFTED_QUESTIONS, ScriptedLlm, system_prompt

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
START_TIMEOUT_S = 240
PROD = os.environ.get("E2E_PROD") == "1"
PROD_WORKERS = 2


@dataclass(frozen=True)
class RunningApp:
    url: str
    backend_url: str


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"reflex exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {START_TIMEOUT_S}s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="package")
def app_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    """The browser tests' own Redis (sessions and rate limits, and Reflex's state with
    E2E_PROD), so that a test can stop it and start it again; the shared stack is untouched."""
    data = tmp_path_factory.mktemp("redis")
    server = on_free_ports(lambda port: Redis(Settings(stack_redis_port=port), data))
    restart(server)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("REDIS_URL", server.address)
            reset_settings_cache()
            yield server
    finally:
        reset_settings_cache()
        server.stop(timeout=20)


TUTOR_ANSWER = ["The moon's gravity pulls on the oceans, ", "which bulge towards it [1]."]
# Asked "in markdown": an answer as models write them, with emphasis, code, single line
# breaks and a fence, streamed in pieces that split the Markdown marks.
MARKDOWN_QUESTION = "in markdown"  # lower case: a capitalised word would be a name
TUTOR_MARKDOWN_ANSWER = [
    "The **moon's gra",
    "vity** pulls on the oceans,\nwhich `bulge` towards it [1].\n\n",
    "```\ntwo high tides\n```\n",
]


def _scripted_reply(body: dict[str, object]) -> list[str]:
    if "quiz questions" in system_prompt(body):
        return [json.dumps({"questions": DRAFTED_QUESTIONS})]
    if MARKDOWN_QUESTION in json.dumps(body.get("messages")):
        return TUTOR_MARKDOWN_ANSWER
    return TUTOR_ANSWER


@pytest.fixture(scope="package")
def scripted_llm() -> Iterator[ScriptedLlm]:
    """The app's OpenAI-compatible chat server: drafted questions and tutor answers, scripted."""
    with ScriptedLlm(_scripted_reply) as server:
        yield server


# Package scope: the app (and the job worker inside it) stops when the browser tests end, so
# it never runs jobs that later integration tests enqueue and watch.
@pytest.fixture(scope="package")
def app_server(
    database: str,
    s3_bucket: str,
    app_redis: Redis,
    scripted_llm: ScriptedLlm,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningApp]:
    """`reflex run` in its own process group on free ports; the group is killed at the end."""
    from learning_app.adapters.redis_store import get_redis
    from learning_app.cli.support import reflex_environment

    get_redis().flushdb()  # the test Redis DB: no rate-limit counters left from earlier runs
    # Production serves the frontend from the backend: one port for both.
    # Below the ephemeral range: Reflex binds seconds after the pick.
    frontend = free_port_run(2)
    backend = frontend if PROD else frontend + 1
    log = tmp_path_factory.mktemp("reflex") / "reflex.log"
    env = reflex_environment(get_settings(), prod=PROD, workers=PROD_WORKERS if PROD else None)
    env["PUBLIC_BASE_URL"] = f"http://localhost:{frontend}"
    env["REFLEX_API_URL"] = f"http://localhost:{backend}"
    env["OPENAI_BASE_URL"], env["OPENAI_CHAT_MODEL"] = scripted_llm.url, "scripted"
    command = [
        str(Path(sys.executable).parent / "reflex"),
        "run",
        "--env",
        "prod" if PROD else "dev",
        "--frontend-port",
        str(frontend),
        "--backend-port",
        str(backend),
        "--backend-host",
        "127.0.0.1",
    ]
    process = start_process_group(command, cwd=PROJECT_ROOT, env=env, log_path=log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        _wait_for(f"http://127.0.0.1:{backend}/ping", process, log, deadline)
        _wait_for(f"http://localhost:{frontend}/", process, log, deadline)
        yield RunningApp(f"http://localhost:{frontend}", f"http://127.0.0.1:{backend}")
    finally:
        stop_process_group(process)


# Console messages that are not our components' and say nothing about them. Each entry is a
# regular expression searched in the message text; keep the list short and say why.
CONSOLE_ALLOWED: dict[str, str] = {
    # react-helmet (Reflex's page titles) still uses a legacy lifecycle; React says so once per
    # tab in development builds. Not ours, and gone in production builds.
    r"UNSAFE_componentWillMount.*SideEffect\(NullComponent\)": "react-helmet, via Reflex",
}


class ConsoleWatch:
    """Every console error or warning and every uncaught page error of the browser contexts a
    test opens (through the `page` fixture or `browser.new_context()`), so the test fails at
    teardown when our components complain (React DOM-nesting warnings, failed props...)."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def watch(self, context: BrowserContext) -> BrowserContext:
        context.on("console", self._console)
        context.on("weberror", lambda error: self._record("pageerror", str(error.error), ""))
        return context

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            where = message.location
            self._record(
                message.type, message.text, f"{where.get('url', '')}:{where.get('lineNumber', '')}"
            )

    def _record(self, kind: str, text: str, where: str) -> None:
        if not any(re.search(pattern, text, re.DOTALL) for pattern in CONSOLE_ALLOWED):
            self.problems.append(f"{kind}: {text[:1500]} ({where})")

    def take(self) -> list[str]:
        problems, self.problems = self.problems, []
        return problems


@pytest.fixture(scope="package")
def console_watch() -> ConsoleWatch:
    return ConsoleWatch()


@pytest.fixture(scope="package")
def browser(console_watch: ConsoleWatch) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        options: dict[str, object] = {"args": CHROMIUM_ARGS}
        if DEBIAN_CHROMIUM.exists():
            options["executable_path"] = str(DEBIAN_CHROMIUM)
        chromium = playwright.chromium.launch(**options)
        # Every context a test opens is watched, also those of `people.signed_in_page` and of
        # tests that open a second visitor's context themselves.
        new_context = chromium.new_context
        chromium.new_context = lambda **kw: console_watch.watch(new_context(**kw))  # type: ignore[method-assign]
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def no_console_problems(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails a browser test whose pages logged an error or warning (see `ConsoleWatch`)."""
    if "browser" not in request.fixturenames and "page" not in request.fixturenames:
        yield
        return
    watch: ConsoleWatch = request.getfixturevalue("console_watch")
    watch.take()  # what an earlier test's late messages left behind is not this test's
    yield
    problems = watch.take()
    if problems:
        pytest.fail("the browser console reported:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()

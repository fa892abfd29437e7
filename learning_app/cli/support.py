"""What every `learning-app` command shares: the error it raises for a failure the user can act
on, and the steps that get the stores ready to serve the app.

The command modules import this one and never each other, so the CLI has no import cycle. Heavy
imports (Alembic, the services) stay inside the functions that need them: `learning-app --help`
and the stack commands start without loading the app.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from learning_app.cli.cpu_budget import default_backend_workers
from learning_app.settings import PROJECT_ROOT, Settings, get_settings

# How long a worker keeps a tab's Reflex state in memory after taking its lock (below); less
# than the lock's own expiry (`rxconfig.py`), as Reflex checks when it starts.
OPLOCK_HOLD_S = 15


class CliError(Exception):
    """A failure whose message is the one line the user sees."""


def read_input(path: Path) -> bytes:
    """The bytes of a file named on the command line; CliError saying why they cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CliError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def write_output(path: Path, data: bytes) -> None:
    """Write what a command exports; CliError saying why it cannot be written there."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise CliError(f"{path}: cannot write there ({exc.strerror or exc})") from None


def migrate() -> None:
    """Upgrade the settings' database to the latest revision (plain Alembic, our env.py)."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    command.upgrade(config, "head")


def seed(*, small: bool = False) -> str:
    """Write the demo world into an empty database (`small`: fewer students and days); what
    happened, the time it took and the demo logins, as lines to print."""
    from learning_app.services.demo.people import CLASSMATE_PASSWORD, SHOWN_LOGINS
    from learning_app.services.demo.seeded import FULL, SMALL
    from learning_app.services.demo.world import seed_demo_world

    report = seed_demo_world(SMALL if small else FULL)
    if report is None:
        head = "database already has data; left it alone"
    else:
        links = "".join(f"\n  {what}: {path}" for what, path in report.share_links)
        head = (
            f"seeded the demo world in {report.seconds:.1f} s: {report.people} people,"
            f" {report.courses} courses, {report.events} analytics events"
            f"\nshare links:{links}"
        )
    logins = "\n".join(
        f"  {p.role:<8} {p.email:<22} password: {p.password:<16} {p.shows}" for p in SHOWN_LOGINS
    )
    return (
        f"{head}\ndemo logins:\n{logins}\n  (and more students, first.last@example.com,"
        f" password: {CLASSMATE_PASSWORD})"
    )


def prepare_search_index() -> str:
    """Build the search index from Postgres if it has never been built (`learning-app run`)."""
    from learning_app.adapters.typesense_store import SEARCH_ERRORS
    from learning_app.services.search.documents import KINDS
    from learning_app.services.search.index import alias_target, default_index, rebuild

    index = default_index()
    try:
        if all(alias_target(index, kind) for kind in KINDS.values()):
            return "search index is ready"
        rebuild(index)
    except SEARCH_ERRORS as exc:
        return f"search index not built ({exc}); search answers from Postgres until it is"
    return "built the search index from Postgres"


def update_search_index() -> str:
    """Bring the search index up to date with what this command changed, before it exits (no
    worker may be running to do it later); the line to print. An unreachable index does not
    fail the command: its updates stay queued for the app's job worker."""
    from learning_app.jobs.search import apply_search_updates

    updates = apply_search_updates()
    if not updates.waiting:
        return "search index updated"
    why = (
        f"the search index at {get_settings().typesense_url} is unreachable ({updates.unreachable})"
        if updates.unreachable
        else "some updates did not go through"
    )
    return (
        f"search index not updated yet: {why}; {updates.waiting} update(s) are queued and the"
        " app's job worker (or `learning-app worker`) applies them when it can"
    )


def reflex_environment(
    settings: Settings, *, prod: bool, workers: int | None = None
) -> dict[str, str]:
    """The environment `reflex run` needs here: bun from the venv, no phoning home; in
    production Reflex's state in Redis, which is what lets Reflex run several workers."""
    env = dict(os.environ)
    bun_dir = Path(sys.prefix) / "bun" / "bin"
    if (bun_dir / "bun").exists():
        env["PATH"] = f"{bun_dir}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("REFLEX_CHECK_LATEST_VERSION", "0")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org")
    if prod and settings.redis_url:
        # Reflex's own state lives in Redis so several backend workers share it.
        env.setdefault("REFLEX_REDIS_URL", settings.redis_url)
        # A tab's websocket stays on one worker, so that worker may keep holding the tab's state
        # lock between events and serve them from memory, writing to Redis when the lease ends
        # or another worker asks for it (`bench load`: ordinary p95 393 ms -> 135 ms).
        env.setdefault("REFLEX_OPLOCK_ENABLED", "true")
        # ... for 15 s from taking it, against Reflex's default of half the lock's 10 s: a
        # student's next actions mostly come within that, and each lease that lapses costs a
        # load of the tab's states from Redis, a write back and four lock commands (`bench
        # load`, 320 students, three alternating pairs: p95 2.73x/8.93x/6.65x against
        # 7.62x/16.04x/17.98x, 5% less backend CPU). The lock (`rxconfig.py`) outlives it.
        env.setdefault("REFLEX_OPLOCK_HOLD_TIME", str(OPLOCK_HOLD_S))
        # Reflex's own count of granian workers, but from the CPUs this process may use rather
        # than the host's (`cpu_budget`). An operator's own GRANIAN_WORKERS stays, and
        # `--workers` overrides both.
        if workers:
            env["GRANIAN_WORKERS"] = str(workers)
        else:
            env.setdefault("GRANIAN_WORKERS", str(default_backend_workers()))
    return env


def prepare_stores(
    *, start_stack: bool = True, demo_data: bool = False, load_balancer: bool = False
) -> None:
    """What serving the app needs first: the local stack (in development), the schema, the
    demo data if asked, and the search collections (built after the data); all idempotent."""
    settings = get_settings()
    if not settings.is_production and start_stack:
        from learning_app.stack import launcher

        print(launcher.format_status(launcher.up(settings, load_balancer=load_balancer)))
    migrate()
    if demo_data:
        print(seed())
    print(prepare_search_index())

"""`learning-app`: the local stack, migrations, demo data and the app server.

Every command reads the same settings and calls the same services as the UI.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from learning_app.cli_audit import add_audit_commands
from learning_app.cli_bench import add_bench_commands
from learning_app.cli_errors import CliError
from learning_app.cli_events import add_events_commands
from learning_app.cli_material import add_material_commands
from learning_app.cli_search import add_search_commands, prepare_search_index
from learning_app.services.errors import DomainError
from learning_app.settings import PROJECT_ROOT, Settings, get_settings
from learning_app.stack import StackError


def _database_error_line(exc: OperationalError, settings: Settings) -> str:
    from learning_app.adapters.postgres import redacted_url

    reason = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc) else "no answer"
    return (
        f"cannot reach the database at {redacted_url(settings.sqlalchemy_url)}: {reason}. "
        "Start the local stack (learning-app stack up) or fix DATABASE_URL."
    )


# --- stack -------------------------------------------------------------------------------------


def cmd_stack(args: argparse.Namespace) -> int:
    from learning_app import stack

    settings = get_settings()
    if settings.is_production:
        raise CliError("the local stack is for development; production sets the *_URL settings")
    action: Callable[[Settings], list[stack.ServerStatus]] = {
        "up": stack.up,
        "down": stack.down,
        "status": stack.status,
    }[args.action]
    statuses = action(settings)
    print(stack.format_status(statuses))
    return 0


# --- database ----------------------------------------------------------------------------------


def migrate() -> None:
    """Upgrade the settings' database to the latest revision (plain Alembic, our env.py)."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    command.upgrade(config, "head")


def cmd_migrate(_args: argparse.Namespace) -> int:
    migrate()
    print("database is at the latest schema")
    return 0


def seed() -> str:
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.demo_data import DEMO_LOGINS, seed_demo_data

    with session_scope() as session:
        created = seed_demo_data(session)
    logins = "\n".join(f"  {role:<8} {email}  password: {pw}" for role, email, pw in DEMO_LOGINS)
    head = "seeded demo data" if created else "database already has data; left it alone"
    return f"{head}\ndemo logins:\n{logins}"


def cmd_seed(_args: argparse.Namespace) -> int:
    print(seed())
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    from learning_app.services.health import check_stores

    stores = check_stores()
    if args.json:
        print(json.dumps({s.store: s.as_dict() for s in stores}))
    else:
        for s in stores:
            print(
                f"{s.store:<10} {'ok' if s.ok else 'DOWN':<5} {s.latency_ms:>7.1f} ms  {s.detail}"
            )
    return 0 if all(s.ok for s in stores) else 1


# --- users and models ----------------------------------------------------------------------------


def _read_password() -> str:
    """Prompted without echo on a terminal; otherwise one line from stdin (scripts, tests)."""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\r\n")


def cmd_user_create(args: argparse.Namespace) -> int:
    from learning_app.adapters.postgres import session_scope
    from learning_app.models import UserRole
    from learning_app.services.accounts import create_user

    password = _read_password()
    with session_scope() as session:
        viewer = create_user(
            session,
            email=args.email,
            password=password,
            display_name=args.name or args.email.split("@", 1)[0],
            role=UserRole(args.role),
        )
    print(f"created {viewer.role} {viewer.email} ({viewer.user_id})")
    return 0


def cmd_reembed(_args: argparse.Namespace) -> int:
    from learning_app.adapters.embeddings import get_embedder
    from learning_app.adapters.s3_store import get_s3
    from learning_app.services.ingestion import reembed_everything

    embedder = get_embedder()
    print(f"re-embedding every lesson and document with {embedder.name} ...", flush=True)
    lessons, documents = reembed_everything(embedder, get_s3())
    print(f"done: {lessons} lessons and {documents} documents; {embedder.name} is active")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from learning_app.jobs.runner import run_worker

    queues = [q.strip() for q in args.queues.split(",") if q.strip()] if args.queues else None
    run_worker(queues=queues, concurrency=args.concurrency, wait=not args.once)
    return 0


# --- run ---------------------------------------------------------------------------------------


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
        # Reflex 0.10 starts 2 x cores + 1 granian workers when its state is in Redis (one
        # otherwise); GRANIAN_WORKERS overrides that count.
        if workers:
            env["GRANIAN_WORKERS"] = str(workers)
    return env


def prepare_stores(*, start_stack: bool = True, demo_data: bool = False) -> None:
    """What serving the app needs first: the local stack (in development), the schema, the
    demo data if asked, and the search collections (built after the data); all idempotent."""
    settings = get_settings()
    if not settings.is_production and start_stack:
        from learning_app import stack

        print(stack.format_status(stack.up(settings)))
    migrate()
    if demo_data:
        print(seed())
    print(prepare_search_index())


def cmd_run(args: argparse.Namespace) -> int:
    settings = get_settings()
    prepare_stores(start_stack=not args.no_stack, demo_data=True)
    command = [str(Path(sys.executable).parent / "reflex"), "run", "--env"]
    command += ["prod" if args.prod else "dev", "--backend-host", args.backend_host]
    if args.frontend_port:
        command += ["--frontend-port", str(args.frontend_port)]
    if args.backend_port:
        command += ["--backend-port", str(args.backend_port)]
    url = f"http://localhost:{args.frontend_port}" if args.frontend_port else None
    print(f"serving the app at {url or settings.public_base_url}", flush=True)
    os.chdir(PROJECT_ROOT)
    # Replace this process: Reflex gets the signals directly and no idle parent stays around.
    env = reflex_environment(settings, prod=args.prod, workers=args.workers)
    os.execve(command[0], command, env)  # noqa: S606


# --- entry point -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="learning-app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    stack_cmd = sub.add_parser("stack", help="start, stop or inspect the local stack")
    stack_cmd.add_argument("action", choices=["up", "down", "status"])
    stack_cmd.set_defaults(func=cmd_stack)

    sub.add_parser("migrate", help="upgrade the database to the latest schema").set_defaults(
        func=cmd_migrate
    )
    sub.add_parser("seed", help="write demo data into an empty database").set_defaults(
        func=cmd_seed
    )
    health_cmd = sub.add_parser("health", help="check that every store answers")
    health_cmd.add_argument("--json", action="store_true")
    health_cmd.set_defaults(func=cmd_health)

    sub.add_parser(
        "reembed", help="embed every lesson and document with the configured model"
    ).set_defaults(func=cmd_reembed)

    worker_cmd = sub.add_parser("worker", help="run background jobs (mail, indexing, ...)")
    worker_cmd.add_argument("--concurrency", type=int, default=2)
    worker_cmd.add_argument("--queues", help="comma-separated queues (default: all of ours)")
    worker_cmd.add_argument("--once", action="store_true", help="run queued jobs, then exit")
    worker_cmd.set_defaults(func=cmd_worker)

    run_cmd = sub.add_parser("run", help="start the stack, migrate, seed and serve the app")
    run_cmd.add_argument("--prod", action="store_true", help="serve the built frontend")
    run_cmd.add_argument("--no-stack", action="store_true", help="do not start the local stack")
    run_cmd.add_argument(
        "--workers", type=int, help="backend workers with --prod (default: 2 x cores + 1)"
    )
    run_cmd.add_argument("--frontend-port", type=int)
    run_cmd.add_argument("--backend-port", type=int)
    run_cmd.add_argument(
        "--backend-host", default="127.0.0.1", help="0.0.0.0 to accept other machines"
    )
    run_cmd.set_defaults(func=cmd_run)

    user_cmd = sub.add_parser("user", help="manage accounts").add_subparsers(
        dest="user_command", required=True
    )
    create_cmd = user_cmd.add_parser(
        "create", help="create an account (password from a prompt or one line of stdin)"
    )
    create_cmd.add_argument("email")
    create_cmd.add_argument("--role", required=True, choices=["student", "teacher", "admin"])
    create_cmd.add_argument("--name", help="display name (default: the part before @)")
    create_cmd.set_defaults(func=cmd_user_create)

    add_audit_commands(sub)
    add_search_commands(sub)
    add_events_commands(sub)
    add_material_commands(sub)
    add_bench_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:
        print(f"learning-app: configuration error: {exc.errors()[0]['msg']}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except OperationalError as exc:
        print(f"learning-app: {_database_error_line(exc, settings)}", file=sys.stderr)
    except (CliError, StackError) as exc:
        print(f"learning-app: {exc}", file=sys.stderr)
    except DomainError as exc:
        print(f"learning-app: {exc}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    # `python -m learning_app.cli` loads this file as `__main__`; the command modules raise
    # `learning_app.cli.CliError`, so run that module's `main`, whose handler catches it.
    from learning_app.cli import main as cli_main

    raise SystemExit(cli_main())

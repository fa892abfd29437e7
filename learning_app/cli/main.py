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

from learning_app.cli.audit import add_audit_commands
from learning_app.cli.bench import add_bench_commands
from learning_app.cli.courses import add_course_commands
from learning_app.cli.events import add_events_commands
from learning_app.cli.grades import add_grades_commands
from learning_app.cli.material import add_material_commands
from learning_app.cli.questions import add_questions_commands
from learning_app.cli.search import add_search_commands
from learning_app.cli.support import (
    CliError,
    migrate,
    prepare_stores,
    reflex_environment,
    seed,
    update_search_index,
)
from learning_app.services.errors import DomainError
from learning_app.settings import PROJECT_ROOT, Settings, get_settings, reset_settings_cache
from learning_app.stack.processes import StackError

WORKERS_DEFAULT = "default: 2 x the CPUs this process may use + 1, at most 8"


def _database_error_line(exc: OperationalError, settings: Settings) -> str:
    from learning_app.adapters.postgres import redacted_url

    reason = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc) else "no answer"
    return (
        f"cannot reach the database at {redacted_url(settings.sqlalchemy_url)}: {reason}. "
        "Start the local stack (learning-app stack up) or fix DATABASE_URL."
    )


# --- stack -------------------------------------------------------------------------------------


def cmd_stack(args: argparse.Namespace) -> int:
    from learning_app.stack import launcher
    from learning_app.stack.base import ServerStatus

    settings = get_settings()
    if settings.is_production:
        raise CliError("the local stack is for development; production sets the *_URL settings")
    action: Callable[[Settings], list[ServerStatus]] = {
        "up": lambda settings: launcher.up(settings, load_balancer=args.lb),
        "down": launcher.down,
        "status": launcher.status,
    }[args.action]
    statuses = action(settings)
    print(launcher.format_status(statuses))
    return 0


# --- database ----------------------------------------------------------------------------------


def cmd_migrate(_args: argparse.Namespace) -> int:
    migrate()
    print("database is at the latest schema")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    print(seed(small=args.small))
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
    from learning_app.models.users import UserRole
    from learning_app.services.accounts.users import create_user

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
    from learning_app.services.material.ingestion import reembed_everything

    embedder = get_embedder()
    print(f"re-embedding every lesson and document with {embedder.name} ...", flush=True)
    lessons, documents = reembed_everything(embedder, get_s3())
    print(f"done: {lessons} lessons and {documents} documents; {embedder.name} is active")
    print(update_search_index())
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from learning_app.jobs.runner import run_worker

    queues = [q.strip() for q in args.queues.split(",") if q.strip()] if args.queues else None
    run_worker(queues=queues, concurrency=args.concurrency, wait=not args.once)
    return 0


# --- run ---------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    if args.servers is not None:
        return _run_servers(args)
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
    env.update(
        port_addresses(
            settings,
            prod=args.prod,
            frontend_port=args.frontend_port,
            backend_port=args.backend_port,
        )
    )
    os.execve(command[0], command, env)  # noqa: S606


def port_addresses(
    settings: Settings, *, prod: bool, frontend_port: int | None, backend_port: int | None
) -> dict[str, str]:
    """The addresses `run` derives from its ports, unless the settings (environment or .env)
    name them: the app's origin (what CORS and the websocket accept) from `--frontend-port`,
    and where pages fetch `/files/<id>`: the dev backend's port, or in production the pages'
    own origin, since one port serves both."""
    named = settings.model_fields_set
    moved = {}
    if frontend_port and "public_base_url" not in named:
        moved["PUBLIC_BASE_URL"] = f"http://localhost:{frontend_port}"
    if "backend_url" not in named and (prod or backend_port):
        moved["BACKEND_URL"] = "" if prod else f"http://localhost:{backend_port}"
    return moved


def _run_servers(args: argparse.Namespace) -> int:
    from learning_app.cli.serving import run_servers

    if not args.prod:
        raise CliError("--servers needs --prod: development serves one app with hot reload")
    if not 1 <= args.servers <= 16:
        raise CliError("--servers must be between 1 and 16")
    if args.frontend_port or args.backend_port:
        raise CliError(
            "with --servers the app is at STACK_LB_PORT and its servers on STACK_APP_PORT, +1, ..."
        )
    # The load balancer's configuration lists this many servers.
    os.environ["STACK_LB_SERVERS"] = str(args.servers)
    reset_settings_cache()
    prepare_stores(start_stack=not args.no_stack, demo_data=True, load_balancer=True)
    return run_servers(get_settings(), args.servers, args.workers)


def cmd_serve(args: argparse.Namespace) -> int:
    from learning_app.cli.serving import serve_built_app

    serve_built_app(args.host, args.port, args.workers)


# --- entry point -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="learning-app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    stack_cmd = sub.add_parser("stack", help="start, stop or inspect the local stack")
    stack_cmd.add_argument("action", choices=["up", "down", "status"])
    stack_cmd.add_argument(
        "--lb", action="store_true", help="with up: also the load balancer (HAProxy)"
    )
    stack_cmd.set_defaults(func=cmd_stack)

    sub.add_parser("migrate", help="upgrade the database to the latest schema").set_defaults(
        func=cmd_migrate
    )
    seed_cmd = sub.add_parser("seed", help="write the demo world into an empty database")
    seed_cmd.add_argument(
        "--small", action="store_true", help="fewer students and days of history (for tests)"
    )
    seed_cmd.set_defaults(func=cmd_seed)
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
        "--workers", type=int, help=f"backend workers with --prod ({WORKERS_DEFAULT})"
    )
    run_cmd.add_argument("--frontend-port", type=int)
    run_cmd.add_argument("--backend-port", type=int)
    run_cmd.add_argument(
        "--backend-host", default="127.0.0.1", help="0.0.0.0 to accept other machines"
    )
    run_cmd.add_argument(
        "--servers",
        type=int,
        help="with --prod: this many app servers behind the stack's load balancer (HAProxy)",
    )
    run_cmd.set_defaults(func=cmd_run)

    serve_cmd = sub.add_parser(
        "serve", help="one production app server of the built frontend (run --servers starts them)"
    )
    serve_cmd.add_argument("--port", type=int, required=True)
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--workers", type=int, help=f"backend workers ({WORKERS_DEFAULT})")
    serve_cmd.set_defaults(func=cmd_serve)

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
    add_grades_commands(sub)
    add_questions_commands(sub)
    add_course_commands(sub)
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

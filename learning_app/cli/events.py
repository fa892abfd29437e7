"""`learning-app events flush|export|rollup`: analytics events from the command line."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from learning_app.cli.support import CliError


def cmd_events_flush(_args: argparse.Namespace) -> int:
    from learning_app.services.progress.events import buffered_count, flush_events

    result = flush_events()
    if result.skipped:
        raise CliError("another flush is running; try again in a few seconds")
    print(
        f"flushed {result.received} event(s): {result.stored} stored, {result.rejected} "
        f"unreadable, in {result.batches} batch(es); {buffered_count()} waiting"
    )
    return 0


def cmd_events_export(args: argparse.Namespace) -> int:
    from learning_app.services.progress.event_export import export_events

    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            count = export_events(out, since=args.since, fmt=args.format)
        print(f"exported {count} event(s) to {args.output}", file=sys.stderr)
    else:
        count = export_events(sys.stdout, since=args.since, fmt=args.format)
        print(f"exported {count} event(s)", file=sys.stderr)
    return 0


def cmd_events_rollup(args: argparse.Namespace) -> int:
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.progress.rollups import refresh_teacher_views, rollup_since
    from learning_app.services.progress.user_stats import recompute_all_user_stats

    with session_scope() as session:
        days = rollup_since(session, args.since)
        users = recompute_all_user_stats(session)
        refresh_teacher_views(session)
    print(f"rolled up {days} day(s), recomputed {users} user(s)' stats, refreshed the views")
    return 0


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date like 2026-01-31") from None


def add_events_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    events_cmd = sub.add_parser("events", help="analytics events").add_subparsers(
        dest="events_command", required=True
    )
    events_cmd.add_parser(
        "flush", help="move buffered events from Redis to Postgres now"
    ).set_defaults(func=cmd_events_flush)
    export_cmd = events_cmd.add_parser("export", help="write raw events as NDJSON or CSV")
    export_cmd.add_argument("--since", type=_date, required=True, help="UTC date, e.g. 2026-01-31")
    export_cmd.add_argument("--format", choices=["ndjson", "csv"], default="ndjson")
    export_cmd.add_argument("--output", help="a file (default: standard output)")
    export_cmd.set_defaults(func=cmd_events_export)
    rollup_cmd = events_cmd.add_parser(
        "rollup", help="recompute daily roll-ups since a date, every user's stats, the views"
    )
    rollup_cmd.add_argument("--since", type=_date, required=True, help="UTC date")
    rollup_cmd.set_defaults(func=cmd_events_rollup)

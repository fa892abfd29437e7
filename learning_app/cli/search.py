"""`learning-app reindex`, `search-check` and `search`: the search index from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from learning_app.cli.support import CliError


def _search_unreachable(exc: Exception) -> Exception:
    from learning_app.settings import get_settings

    return CliError(
        f"cannot use the search index at {get_settings().typesense_url}: {exc}. "
        "Start the local stack (learning-app stack up) or fix TYPESENSE_URL."
    )


def cmd_reindex(_args: argparse.Namespace) -> int:
    from learning_app.adapters.typesense_store import SEARCH_ERRORS
    from learning_app.services.search.index import default_index, rebuild

    try:
        rebuilt = rebuild(default_index())
    except SEARCH_ERRORS as exc:
        raise _search_unreachable(exc) from exc
    for done in rebuilt:
        old = f", dropped {done.dropped}" if done.dropped else ""
        print(
            f"{done.kind:<10} {done.documents:>7} documents -> {done.collection}"
            f" (caught up {done.caught_up} change(s) made meanwhile{old})"
        )
    return 0


def cmd_search_check(_args: argparse.Namespace) -> int:
    from learning_app.adapters.postgres import session_scope
    from learning_app.adapters.typesense_store import SEARCH_ERRORS
    from learning_app.services.search.index import check_drift, default_index

    try:
        with session_scope() as session:
            report = check_drift(session, default_index())
    except SEARCH_ERRORS as exc:
        raise _search_unreachable(exc) from exc
    for drift in report:
        state = "in sync" if drift.clean else "DRIFT"
        print(
            f"{drift.kind:<10} {state:<8} postgres {drift.expected:>6}  index {drift.indexed:>6}"
            f"  missing {len(drift.missing)}  stale {len(drift.stale)}  extra {len(drift.extra)}"
            + ("  synonyms differ" if drift.synonyms_differ else "")
        )
        for label, ids in (
            ("missing", drift.missing),
            ("stale", drift.stale),
            ("extra", drift.extra),
        ):
            if ids:
                print(f"  {label}: {', '.join(ids[:10])}" + (" ..." if len(ids) > 10 else ""))
    if all(drift.clean for drift in report):
        return 0
    print("run `learning-app reindex` to rebuild the index from Postgres", file=sys.stderr)
    return 1


def cmd_search(args: argparse.Namespace) -> int:
    from learning_app.adapters.embeddings import get_embedder
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.accounts.viewers import (
        find_account_by_email,
        load_account,
        viewer_of,
    )
    from learning_app.services.search.queries import search_as

    with session_scope() as session:
        viewer = None
        if args.as_email:
            user = find_account_by_email(session, args.as_email.strip())
            account = load_account(session, user.id) if user is not None else None
            if account is None:
                raise CliError(f"no account uses {args.as_email}")
            viewer = viewer_of(*account)
        results = search_as(
            session, viewer, query=args.query, limit=args.limit, embedder=get_embedder()
        )
    if args.json:
        hits = [
            {
                "type": h.type,
                "id": h.id,
                "title": h.title,
                "course": h.course_title,
                "snippet": h.snippet,
            }
            for h in results.hits
        ]
        print(json.dumps({"hits": hits}, ensure_ascii=False))
        return 0
    for notice in results.notices:
        print(f"note: {notice}", file=sys.stderr)
    if not results.hits:
        print("no results" if results.query else "type something to search for")
    for hit in results.hits:
        print(f"{hit.type:<8} {hit.title}  [{hit.course_title}]  {hit.url}")
        if hit.snippet:
            print(f"         {hit.snippet}")
    return 0


def add_search_commands(sub: argparse._SubParsersAction) -> None:
    sub.add_parser(
        "reindex", help="rebuild the search index from Postgres and swap it in (no downtime)"
    ).set_defaults(func=cmd_reindex)
    sub.add_parser(
        "search-check", help="report drift between Postgres and the search index (exit 1)"
    ).set_defaults(func=cmd_search_check)
    search_cmd = sub.add_parser("search", help="search as a visitor, or as an account")
    search_cmd.add_argument("query")
    search_cmd.add_argument("--as", dest="as_email", metavar="EMAIL", help="search as this account")
    search_cmd.add_argument("--json", action="store_true")
    search_cmd.add_argument("--limit", type=int, default=10)
    search_cmd.set_defaults(func=cmd_search)

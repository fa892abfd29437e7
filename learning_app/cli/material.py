"""`learning-app ingest` and `ask`: course material and the tutor from the command line.

The commands act as a real account (`--as EMAIL`, else the first admin) through a session of
their own, so every permission check of the UI applies; they call the same services.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from learning_app.cli.support import CliError, update_search_index, write_output

# Files are streamed into the upload spool in parts, as the browser's chunked upload does.
READ_CHUNK_BYTES = 1024 * 1024
AS_HELP = "act as this teacher or admin account (default: the first admin)"


@contextmanager
def _acting_as(email: str | None) -> Iterator[str]:
    """A session token for the operator's account, signed out when the command ends."""
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.accounts.users import operator_session, sign_out

    with session_scope() as session:
        token = operator_session(session, email)
    try:
        yield token
    finally:
        sign_out(token)


def _course_id(token: str, slug: str, create_title: str | None) -> str:
    """The id of the course `slug` (created first when a title is given and it is missing)."""
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.courses.authoring import course_by_slug, create_course
    from learning_app.services.errors import NotFound

    try:
        with session_scope() as session:
            return course_by_slug(session, token=token, slug=slug).id
    except NotFound:
        if create_title is None:
            raise CliError(
                f"no course {slug!r} that this account may read (--create TITLE makes it)"
            ) from None
    with session_scope() as session:
        course = create_course(session, token=token, title=create_title, description="", slug=slug)
    print(f"created course {course.slug} ({course.id}), a draft", flush=True)
    return course.id


def export_course_file(
    as_email: str | None,
    course_slug: str,
    output: str | None,
    export: Callable[[Any, str, str], tuple[str, bytes]],
) -> int:
    """Run `export(session, token, course_id)` -> (file name, bytes) as the operator for the
    course `course_slug` and write the file to `output` (else its own name); a refusal is
    one line (CliError)."""
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.errors import DomainError

    with _acting_as(as_email) as token:
        course_id = _course_id(token, course_slug, None)
        try:
            with session_scope() as session:
                name, data = export(session, token, course_id)
        except DomainError as exc:
            raise CliError(str(exc)) from None
    path = Path(output or name)
    write_output(path, data)
    print(f"exported to {path} ({len(data):,} bytes)", file=sys.stderr)
    return 0


def _upload(token: str, course_id: str, path: Path) -> tuple[str, bool]:
    """Upload one file through the UI's path; returns (document id, already stored)."""
    from learning_app.adapters.postgres import session_scope
    from learning_app.adapters.s3_store import get_s3
    from learning_app.services.material.documents import upload_document, upload_permit

    with session_scope() as session:  # may this account upload here, and how much?
        spool = upload_permit(session, token=token, course_id=course_id).spool(path.name)
    try:
        with path.open("rb") as source:
            while data := source.read(READ_CHUNK_BYTES):
                spool.write(data)
    except BaseException:
        spool.discard()
        raise
    result = upload_document(token=token, course_id=course_id, spool=spool, s3=get_s3())
    return result.document.id, result.duplicate and result.document.status == "ready"


def cmd_ingest(args: argparse.Namespace) -> int:
    from learning_app.adapters.embeddings import get_embedder
    from learning_app.adapters.postgres import session_scope
    from learning_app.adapters.s3_store import get_s3
    from learning_app.services.errors import DomainError
    from learning_app.services.material.documents import list_documents
    from learning_app.services.material.ingestion import ingest_document

    paths = [Path(raw) for raw in args.paths]
    for path in paths:  # checked before anything is written
        if not path.is_file():
            raise CliError(f"{path}: no such file")
    failures: list[str] = []
    with _acting_as(args.as_email) as token:
        course_id = _course_id(token, args.course, args.create)
        for number, path in enumerate(paths, start=1):
            started = time.perf_counter()
            prefix = f"[{number}/{len(paths)}] {path.name}:"
            try:
                document_id, was_ready = _upload(token, course_id, path)
            except DomainError as exc:
                print(f"{prefix} refused", flush=True)
                failures.append(f"{path}: {exc}")
                continue
            if not was_ready:
                print(f"{prefix} uploaded, ingesting ...", flush=True)
                ingest_document(uuid.UUID(document_id), get_embedder(), get_s3())
            with session_scope() as session:
                views = list_documents(session, token=token, course_id=course_id)
            view = next(v for v in views if v.id == document_id)
            pages = f", {view.page_count} page(s)" if view.page_count else ""
            again = " (already there)" if was_ready else ""
            elapsed = time.perf_counter() - started
            print(f"{prefix} {view.status}{again}{pages} in {elapsed:.1f} s", flush=True)
            if view.status != "ready":
                failures.append(f"{path}: {view.error or view.status}")
    print(update_search_index(), flush=True)
    if failures:
        raise CliError("; ".join(failures))
    print(f"{len(paths)} file(s) ready to ask about in {args.course}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from learning_app.adapters.embeddings import get_embedder
    from learning_app.adapters.llm import chat_model
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.tutor.answering import ask

    with _acting_as(args.as_email) as token:
        course_id = _course_id(token, args.course, None)
        with session_scope() as session:
            context, answer = ask(
                session,
                token=token,
                course_id=course_id,
                question=args.question,
                embedder=get_embedder(),
                chat=chat_model(),
            )
    if args.json:
        citations = [
            {"source": c.source, "text": c.text, "score": c.score} for c in context.citations
        ]
        found = answer.tier == "answered"
        reply = {"found": found, "tier": answer.tier.value, "answer": answer.text}
        print(json.dumps({**reply, "citations": citations}, ensure_ascii=False))
        return 0
    print(answer.text)
    for c in context.citations:
        where = f", page {c.page}" if c.page else (f" - {c.heading}" if c.heading else "")
        print(f"  [{c.number}] {c.source}{where}  (similarity {c.score:.2f})")
    return 0


def add_material_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    ingest_cmd = sub.add_parser(
        "ingest", help="upload files to a course and make them searchable for the tutor"
    )
    ingest_cmd.add_argument("paths", nargs="+", metavar="PATH", help="pdf, docx, md or txt files")
    ingest_cmd.add_argument("--course", required=True, metavar="SLUG")
    ingest_cmd.add_argument(
        "--create", metavar="TITLE", help="create the course (a draft) if no course has the slug"
    )
    ingest_cmd.add_argument("--as", dest="as_email", metavar="EMAIL", help=AS_HELP)
    ingest_cmd.set_defaults(func=cmd_ingest)
    ask_cmd = sub.add_parser("ask", help="ask the tutor a question about a course's material")
    ask_cmd.add_argument("question")
    ask_cmd.add_argument("--course", required=True, metavar="SLUG")
    ask_cmd.add_argument(
        "--as", dest="as_email", metavar="EMAIL", help="ask as this account (default: first admin)"
    )
    ask_cmd.add_argument("--json", action="store_true", help="one JSON object: found, answer, ...")
    ask_cmd.set_defaults(func=cmd_ask)

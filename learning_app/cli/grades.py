"""`learning-app grades export`: a course's gradebook as CSV, from the command line.

The command acts as a real account (`--as EMAIL`, else the first admin) through a session of
its own, so the gradebook's permission check applies as on the page. The CSV is built in
memory first and written only once it is complete: a refusal writes nothing, and an
unwritable `--output` is reported before anything is printed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from learning_app.cli.material import AS_HELP, _acting_as
from learning_app.cli.support import CliError, write_output


def _gradebook_csv(token: str, slug: str, who: str) -> tuple[str, int, int]:
    """The course's CSV, its student count and exam count, as the account `token` sees it."""
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.errors import NotFound, PermissionDenied
    from learning_app.services.exams.gradebook import course_gradebook_by_slug, gradebook_csv

    try:
        with session_scope() as session:
            book = course_gradebook_by_slug(session, token=token, slug=slug)
    except NotFound:
        raise CliError(f"no course {slug!r} that {who} teaches") from None
    except PermissionDenied as exc:
        raise CliError(f"{who} may not read the grades of {slug!r}: {exc}") from None
    return gradebook_csv(book), len(book.students), len(book.exams)


def _check_writable(output: Path) -> None:
    """Refuse an output path that cannot be written, before any work is done."""
    if output.is_dir():
        raise CliError(f"{output}: is a folder; give a file name")
    if not output.parent.is_dir():
        raise CliError(f"{output}: no such folder {str(output.parent)!r}")
    try:
        with output.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise CliError(f"{output}: cannot write there ({exc.strerror or exc})") from None


def cmd_grades_export(args: argparse.Namespace) -> int:
    output = Path(args.output) if args.output else None
    existed = output.exists() if output else False
    if output is not None:
        _check_writable(output)
    try:
        with _acting_as(args.as_email) as token:
            who = args.as_email or "the first admin"
            text, students, exams = _gradebook_csv(token, args.course, who)
    except BaseException:
        if output is not None and not existed:
            output.unlink(missing_ok=True)  # the probe's empty file
        raise
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        print(f"exported {students} student(s) x {exams} exam(s)", file=sys.stderr)
        return 0
    write_output(output, text.encode())
    print(f"exported {students} student(s) x {exams} exam(s) to {output}", file=sys.stderr)
    return 0


def add_grades_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    grades_cmd = sub.add_parser("grades", help="course gradebooks").add_subparsers(
        dest="grades_command", required=True
    )
    export_cmd = grades_cmd.add_parser(
        "export", help="write a course's gradebook (students x exams) as CSV"
    )
    export_cmd.add_argument("--course", required=True, metavar="SLUG")
    export_cmd.add_argument("--output", metavar="FILE", help="a file (default: standard output)")
    export_cmd.add_argument("--as", dest="as_email", metavar="EMAIL", help=AS_HELP)
    export_cmd.set_defaults(func=cmd_grades_export)

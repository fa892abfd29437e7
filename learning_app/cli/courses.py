"""`learning-app course export|import`: a whole course in and out as an IMS Common Cartridge 1.3
package (`.imscc`), through the same services (and checks) as the app.

An import that is refused as a whole (not a cartridge, a hostile zip, malformed manifest, an
account that may not create courses) exits 1 with one line and writes nothing; what a
cartridge holds that this app does not import is listed after the new course's slug.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from learning_app.cli.material import AS_HELP, _acting_as, export_course_file
from learning_app.cli.support import CliError, read_input


def cmd_course_export(args: argparse.Namespace) -> int:
    from learning_app.adapters.s3_store import get_s3
    from learning_app.services.courses.cartridge_export import export_course_cartridge

    return export_course_file(
        args.as_email,
        args.slug,
        args.output,
        lambda session, token, course_id: export_course_cartridge(
            session, token=token, course_id=course_id, s3=get_s3()
        ),
    )


def cmd_course_import(args: argparse.Namespace) -> int:
    from learning_app.adapters.postgres import session_scope
    from learning_app.adapters.s3_store import get_s3
    from learning_app.services.courses.cartridge_import import import_course_cartridge
    from learning_app.services.errors import DomainError

    path = Path(args.file)
    data = read_input(path)
    with _acting_as(args.as_email) as token:
        try:
            with session_scope() as session:
                report = import_course_cartridge(session, token=token, data=data, s3=get_s3())
        except DomainError as exc:
            raise CliError(f"{path}: {exc}") from None
    print(report.course.slug)
    print(
        f"imported a draft course: {report.lessons} lesson(s), {report.files} file(s), "
        f"{report.questions} question(s), {report.exams} exam(s)",
        file=sys.stderr,
    )
    for line in report.skipped:
        print(f"skipped {line}", file=sys.stderr)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def add_course_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = sub.add_parser(
        "course", help="whole courses in and out as IMS Common Cartridge 1.3"
    ).add_subparsers(dest="course_command", required=True)
    exporting = group.add_parser("export", help="write a course as a .imscc cartridge")
    exporting.add_argument("slug", metavar="SLUG")
    exporting.add_argument("--output", metavar="FILE.imscc", help="default: <slug>.imscc")
    exporting.add_argument("--as", dest="as_email", metavar="EMAIL", help=AS_HELP)
    exporting.set_defaults(func=cmd_course_export)
    importing = group.add_parser(
        "import", help="import a .imscc cartridge as a new draft course; prints its slug"
    )
    importing.add_argument("file", metavar="FILE.imscc")
    importing.add_argument("--as", dest="as_email", metavar="EMAIL", help=AS_HELP)
    importing.set_defaults(func=cmd_course_import)

"""`learning-app questions import|export`: a course's question bank in and out of GIFT, Moodle
XML and QTI 1.2 files, through the same service (and checks) as the question bank page.

An import that is refused as a whole (unreadable file, unknown course, an account that does
not teach it) exits 1 with one line and writes nothing; items that cannot be imported are
listed in the report, and the rest are written in one transaction.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from learning_app.cli.material import AS_HELP, _acting_as, _course_id, export_course_file
from learning_app.cli.support import CliError, read_input

FORMAT_CHOICES = ("gift", "moodle-xml", "qti")


def _report_lines(report: object) -> list[str]:
    from learning_app.services.questions.transfer import ImportReport

    assert isinstance(report, ImportReport)
    verb = "would import" if report.dry_run else "imported"
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(report.by_type.items())) or "none"
    lines = [f"{verb} {report.imported} question(s): {kinds}"]
    if report.duplicates:
        lines.append(f"{report.duplicates} already in the bank (left alone)")
    lines += [f"skipped {s.item}: {s.reason}" for s in report.skipped]
    lines += [f"note: {note}" for note in report.notes]
    return lines


def cmd_questions_import(args: argparse.Namespace) -> int:
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.errors import DomainError
    from learning_app.services.questions.transfer import import_question_bank

    path = Path(args.file)
    data = read_input(path)
    with _acting_as(args.as_email) as token:
        course_id = _course_id(token, args.course, None)
        try:
            with session_scope() as session:
                report = import_question_bank(
                    session,
                    token=token,
                    course_id=course_id,
                    data=data,
                    format_name=args.format,
                    filename=path.name,
                    dry_run=args.dry_run,
                )
        except DomainError as exc:
            raise CliError(f"{path}: {exc}") from None
    if args.json:
        print(
            json.dumps(
                {
                    "imported": report.imported,
                    "by_type": report.by_type,
                    "skipped": [{"item": s.item, "reason": s.reason} for s in report.skipped],
                    "duplicates": report.duplicates,
                    "notes": report.notes,
                    "dry_run": report.dry_run,
                }
            )
        )
    else:
        print("\n".join(_report_lines(report)))
    return 0


def cmd_questions_export(args: argparse.Namespace) -> int:
    from learning_app.services.questions.transfer import export_question_bank

    return export_course_file(
        args.as_email,
        args.course,
        args.output,
        lambda session, token, course_id: export_question_bank(
            session, token=token, course_id=course_id, format_name=args.format
        ),
    )


def add_questions_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = sub.add_parser("questions", help="question banks in and out").add_subparsers(
        dest="questions_command", required=True
    )
    importing = group.add_parser(
        "import", help="import a GIFT, Moodle XML or QTI 1.2 file into a course's bank"
    )
    importing.add_argument("file", metavar="FILE")
    importing.add_argument("--course", required=True, metavar="SLUG")
    importing.add_argument(
        "--format", choices=FORMAT_CHOICES, help="default: from the file's name and content"
    )
    importing.add_argument("--dry-run", action="store_true", help="report, write nothing")
    importing.add_argument("--json", action="store_true", help="one JSON line")
    importing.add_argument("--as", dest="as_email", metavar="EMAIL", help=AS_HELP)
    importing.set_defaults(func=cmd_questions_import)
    exporting = group.add_parser("export", help="write a course's bank to a file")
    exporting.add_argument("--course", required=True, metavar="SLUG")
    exporting.add_argument("--format", required=True, choices=FORMAT_CHOICES)
    exporting.add_argument("--output", metavar="FILE", help="default: <slug>-questions.<ext>")
    exporting.add_argument("--as", dest="as_email", metavar="EMAIL", help=AS_HELP)
    exporting.set_defaults(func=cmd_questions_export)

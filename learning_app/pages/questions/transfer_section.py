"""Import… / Export… on `/teach/courses/[course_id]/exams`: a GIFT, Moodle XML or QTI 1.2 file
is uploaded and previewed (how many of each type, every item that cannot be imported and why,
what the format carried that this app does not), then imported in one transaction on "Import";
the bank is exported to any of the three formats.

The uploaded file waits in Redis between the preview and the import (`transfer.stage_bank_file`),
not in this state: every event of a state loads and saves it whole.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from learning_app.components.authoring import QUESTION_TYPES, section_card, select_field
from learning_app.components.forms import form_error, form_notice
from learning_app.components.wording import count_text
from learning_app.pages.questions.bank_state import QuestionBankState
from learning_app.services.errors import DomainError
from learning_app.services.questions import transfer
from learning_app.services.questions.interchange.items import MAX_BANK_BYTES
from learning_app.services.questions.transfer import ImportReport
from learning_app.services.values import count_label
from learning_app.state.auth import AuthState
from learning_app.state.calls import ServiceCalls, call_service, call_with_session, describe_error
from learning_app.state.course_pages import route_arg

UPLOAD_ID = "bank-import-file"
ACCEPT = {
    "text/plain": [".gift", ".txt"],
    "application/xml": [".xml"],
    "application/zip": [".zip"],
}
FORMAT_CHOICES = [("", "Find out from the file")] + [
    (f.name, f.label) for f in transfer.FORMATS.values()
]
# rx.download sends the file over the websocket, whose messages Reflex caps at 1 MB (base64
# makes a file a third bigger): a bigger bank goes through `learning-app questions export`.
MAX_DOWNLOAD_BYTES = 700 * 1024
IDLE_TIMEOUT_S = 60
TYPE_NAMES = dict(QUESTION_TYPES)


async def _discard(staged: str) -> None:
    """Drop a staged file (a Redis call: off the event loop, like every service call)."""
    await call_service(transfer.discard_staged_bank_file, staged)


class BankTransferState(ServiceCalls, AuthState):
    format_choice: str = ""
    export_format: str = "gift"
    uploading: bool = False
    importing: bool = False
    # The preview of the staged file.
    file_name: str = ""
    would_import: int = 0
    by_type: list[str] = []  # "Single choice: 3", in the bank's order and words
    duplicates: int = 0
    skipped: list[str] = []  # "line 12: reason"
    notes: list[str] = []
    _staged: str = ""

    def _clear_preview(self) -> str:
        """Forget the preview; returns the staged file's key for `_discard` to drop."""
        staged, self._staged = self._staged, ""
        self.file_name, self.would_import, self.duplicates = "", 0, 0
        self.by_type, self.skipped, self.notes = [], [], []
        return staged

    def _show(self, report: ImportReport) -> None:
        self.would_import, self.duplicates = report.imported, report.duplicates
        self.by_type = [
            f"{name}: {report.by_type[kind]}"
            for kind, name in TYPE_NAMES.items()
            if report.by_type.get(kind)
        ]
        self.skipped = [f"{s.item}: {s.reason}" for s in report.skipped]
        self.notes = list(report.notes)

    @rx.event
    def set_format_choice(self, value: str) -> None:
        self.format_choice = value if value in transfer.FORMATS else ""

    @rx.event
    def set_export_format(self, value: str) -> None:
        self.export_format = value if value in transfer.FORMATS else "gift"

    @rx.event(background=True)
    async def upload(self, chunks: rx.UploadChunkIterator) -> None:
        """Read one file (refused past MAX_BANK_BYTES, before it is all read), stage it and
        preview what importing it would do."""
        async with self:
            self.uploading, self.error, self.notice = True, "", ""
            previous = self._clear_preview()
            token, course_id, chosen = (
                await self._session_token(),
                route_arg(self, "course_id"),
                self.format_choice or None,
            )
        await _discard(previous)
        data, name, error = bytearray(), "", ""
        try:
            while True:
                try:
                    chunk = await asyncio.wait_for(anext(chunks), IDLE_TIMEOUT_S)
                except StopAsyncIteration:
                    break
                if name and chunk.filename != name:
                    raise DomainError("Import one file at a time.")
                name = chunk.filename
                data += chunk.data
                if len(data) > MAX_BANK_BYTES:
                    raise DomainError(
                        f"A question bank file may be at most {MAX_BANK_BYTES // 2**20} MB."
                    )
            if not name:
                raise DomainError("Choose a file to import.")
            key = await call_service(transfer.stage_bank_file, bytes(data), name)
            report = await call_with_session(
                transfer.import_question_bank,
                token=token,
                course_id=course_id,
                data=bytes(data),
                format_name=chosen,
                filename=name,
                dry_run=True,
            )
        except Exception as exc:
            error = describe_error(exc)
        async with self:
            self.uploading = False
            if error:
                self.error = error
            else:
                self._staged, self.file_name = key, name
                self._show(report)

    @rx.event
    async def confirm_import(self) -> rx.event.EventSpec | None:
        """Import the staged file; once imported, the upload forgets the file it chose."""
        if not self._staged or self.importing:
            return None
        self.importing = True
        try:
            data, name = await call_service(transfer.staged_bank_file, self._staged)
        except Exception as exc:
            self.error, self.importing = describe_error(exc), False
            return None
        report = await self._call(
            transfer.import_question_bank,
            course_id=route_arg(self, "course_id"),
            data=data,
            format_name=self.format_choice or None,
            filename=name,
        )
        self.importing = False
        if report is None:
            return None
        await _discard(self._clear_preview())
        already = "was" if report.duplicates == 1 else "were"
        self.notice = f"Imported {count_label(report.imported, 'question')} from {name}." + (
            f" {report.duplicates} {already} already in the bank." if report.duplicates else ""
        )
        bank = await self.get_state(QuestionBankState)
        await bank._reload()
        return rx.clear_selected_files(UPLOAD_ID)

    @rx.event
    async def cancel_import(self) -> rx.event.EventSpec:
        await _discard(self._clear_preview())
        self.error, self.notice = "", ""
        return rx.clear_selected_files(UPLOAD_ID)

    @rx.event
    async def export(self) -> rx.event.EventSpec | None:
        exported = await self._call(
            transfer.export_question_bank,
            course_id=route_arg(self, "course_id"),
            format_name=self.export_format,
        )
        if exported is None:
            return None
        name, data = exported
        if len(data) > MAX_DOWNLOAD_BYTES:
            self.error = (
                "This bank is too big to download here: use "
                f"`learning-app questions export --format {self.export_format}`."
            )
            return None
        return rx.download(data=data, filename=name)


def _preview() -> rx.Component:
    S = BankTransferState
    return rx.cond(
        S.file_name != "",
        rx.vstack(
            rx.heading("Preview: ", S.file_name, size="3", as_="h3"),
            rx.text(
                count_text(S.would_import, "question"),
                " to import",
                rx.cond(S.by_type.length() > 0, " (" + S.by_type.join(", ") + ")", ""),
                rx.cond(
                    S.duplicates > 0, " · " + S.duplicates.to_string() + " already in the bank", ""
                ),
                role="status",
            ),
            rx.cond(
                S.skipped.length() > 0,
                rx.vstack(
                    rx.text("Cannot be imported:", weight="medium"),
                    rx.el.ul(rx.foreach(S.skipped, lambda line: rx.el.li(line))),
                    spacing="1",
                ),
            ),
            rx.cond(
                S.notes.length() > 0,
                rx.vstack(
                    rx.text("Not carried over:", weight="medium"),
                    rx.el.ul(rx.foreach(S.notes, lambda line: rx.el.li(line))),
                    spacing="1",
                ),
            ),
            rx.hstack(
                rx.cond(
                    S.would_import > 0,
                    rx.button(
                        "Import " + count_text(S.would_import, "question"),
                        on_click=S.confirm_import,
                        loading=S.importing,
                    ),
                    rx.text(
                        "Nothing to import: ",
                        rx.cond(
                            S.duplicates > 0,
                            "the file's questions are already in the bank.",
                            "the file holds no question that can be imported.",
                        ),
                    ),
                ),
                rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.cancel_import),
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
    )


def bank_transfer_section() -> rx.Component:
    S = BankTransferState
    limit_mb = MAX_BANK_BYTES // 2**20
    return section_card(
        "Import and export",
        form_error(S.error),
        form_notice(S.notice),
        rx.el.label(
            rx.text("Question bank file", weight="medium"),
            rx.upload(
                rx.text(
                    f"Drop a GIFT, Moodle XML or QTI 1.2 (.zip or .xml) file here, or click to "
                    f"choose (up to {limit_mb} MB).",
                    size="2",
                ),
                id=UPLOAD_ID,
                accept=ACCEPT,
                multiple=False,
                max_size=MAX_BANK_BYTES,
                no_click=True,
                border="1px dashed var(--gray-a7)",
                padding="1rem",
                width="100%",
                cursor="pointer",
                aria_label="Question bank file",
            ),
            display="grid",
            gap="var(--space-2)",
            width="100%",
        ),
        rx.foreach(rx.selected_files(UPLOAD_ID), lambda name: rx.text(name, size="1")),
        rx.hstack(
            select_field(
                "Format",
                *[rx.el.option(label, value=value) for value, label in FORMAT_CHOICES],
                input_id="bank-import-format",
                value=S.format_choice,
                on_change=S.set_format_choice,
            ),
            rx.button(
                "Preview import",
                loading=S.uploading,
                on_click=S.upload(rx.upload_files_chunk(upload_id=UPLOAD_ID)),  # type: ignore[call-arg]
            ),
            align="end",
            spacing="3",
            wrap="wrap",
        ),
        _preview(),
        rx.separator(size="4"),
        rx.hstack(
            select_field(
                "Export as",
                *[rx.el.option(label, value=value) for value, label in FORMAT_CHOICES[1:]],
                input_id="bank-export-format",
                value=S.export_format,
                on_change=S.set_export_format,
            ),
            rx.button("Export the bank", variant="soft", on_click=S.export),
            align="end",
            spacing="3",
            wrap="wrap",
        ),
    )

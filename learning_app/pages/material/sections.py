"""Course material on the course editor (upload, status, retry, delete) and on the course page
(the list with download links).

Uploads stream in chunks (`rx.upload_files_chunk`) into the service's `UploadSpool`, which
refuses a file the moment it passes the size limit; the browser's own limit is only a hint.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from learning_app.adapters.s3_store import get_s3
from learning_app.components.courses import confirm_button
from learning_app.components.forms import form_error, form_notice
from learning_app.services.material import documents
from learning_app.services.material.documents import DocumentView, UploadSpool
from learning_app.settings import get_settings
from learning_app.state.auth import AuthState
from learning_app.state.calls import ServiceCalls, call_service, describe_error
from learning_app.state.course_pages import route_arg

UPLOAD_ID = "course-material"
POLL_INTERVAL_S = 2.0
POLL_LIMIT = 300  # about ten minutes of watching a big file being ingested
ACCEPT = {
    "application/pdf": [".pdf"],
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [".docx"],
    "text/markdown": [".md", ".markdown"],
    "text/plain": [".txt"],
    "image/png": [".png"],
    "image/jpeg": [".jpg", ".jpeg"],
    "image/gif": [".gif"],
    "image/webp": [".webp"],
}
STATUS_COLOURS = {"queued": "gray", "processing": "blue", "ready": "green", "failed": "red"}


class MaterialState(ServiceCalls, AuthState):
    material: list[DocumentView] = []
    upload_percent: int = 0
    uploading: bool = False
    watching: bool = False

    async def _reload(self) -> bool:
        """Fetch the list; True while some file is still queued or processing."""
        try:
            self.material = await self._fetch(
                documents.list_documents, course_id=route_arg(self, "course_id")
            )
        except Exception:
            self.material = []  # the page itself reports why the course cannot be shown
        return any(d.status in ("queued", "processing") for d in self.material)

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        self.error, self.notice, self.upload_percent = "", "", 0
        return MaterialState.watch if await self._reload() else None

    @rx.event(background=True)
    async def watch(self) -> None:
        """Refresh the statuses every 2 s until every file is ready or failed."""
        async with self:
            if self.watching:
                return
            self.watching = True
        try:
            for _ in range(POLL_LIMIT):
                await asyncio.sleep(POLL_INTERVAL_S)
                async with self:
                    if not await self._reload():
                        return
        finally:
            async with self:
                self.watching = False

    @rx.event
    def show_progress(self, progress: dict) -> None:
        self.upload_percent = int(float(progress.get("progress", 0)) * 100)

    @rx.event(background=True)
    async def upload(self, chunks: rx.UploadChunkIterator) -> rx.event.EventSpec | None:
        async with self:
            self.uploading, self.error, self.notice = True, "", ""
            token, course_id = self.session_token, route_arg(self, "course_id")
        notices: list[str] = []
        spool: UploadSpool | None = None
        try:
            async for chunk in chunks:
                if spool is None or spool.filename != documents.clean_filename(chunk.filename):
                    if spool is not None:
                        notices.append(await self._store(token, course_id, spool))
                    spool = UploadSpool(chunk.filename)
                spool.write(chunk.data)
            if spool is not None:
                notices.append(await self._store(token, course_id, spool))
        except Exception as exc:
            if spool is not None:
                spool.discard()
            async with self:
                self.error = describe_error(exc)
        async with self:
            self.uploading = False
            self.notice = " ".join(notices)
            await self._reload()
        return [rx.clear_selected_files(UPLOAD_ID), MaterialState.watch]  # type: ignore[return-value]

    async def _store(self, token: str, course_id: str, spool: UploadSpool) -> str:
        result = await call_service(
            documents.upload_document, token=token, course_id=course_id, spool=spool, s3=get_s3()
        )
        name = result.document.filename
        return f"{name} was already uploaded." if result.duplicate else f"{name} is uploaded."

    @rx.event
    async def retry(self, document_id: str) -> rx.event.EventSpec | None:
        await self._call(documents.retry_document, document_id=document_id)
        return await self._changed("Queued again.")

    @rx.event
    async def delete(self, document_id: str) -> rx.event.EventSpec | None:
        await self._call(documents.delete_document, document_id=document_id)
        return await self._changed("The file is deleted.")

    async def _changed(self, notice: str) -> rx.event.EventSpec | None:
        """After a retry or delete: unless it failed, say so and show the list as it now is."""
        if self.error:
            return None
        self.notice = notice
        return MaterialState.watch if await self._reload() else None

    @rx.event
    async def download(self, document_id: str) -> rx.event.EventSpec | None:
        url = await self._call(documents.download_url, document_id=document_id, s3=get_s3())
        return rx.redirect(url, is_external=True) if url is not None else None


def _status(document: DocumentView) -> rx.Component:
    return rx.match(
        document.status,
        *[
            (name, rx.badge(name.title(), color_scheme=colour, variant="soft"))  # type: ignore[arg-type]
            for name, colour in STATUS_COLOURS.items()
        ],
        rx.badge(document.status),
    )


def _teacher_row(document: DocumentView) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(document.filename, weight="medium"),
            rx.text(document.size_label, size="1", color_scheme="gray"),
            _status(document),
            rx.spacer(),
            rx.button(
                "Download",
                size="1",
                variant="soft",
                aria_label="Download " + document.filename,
                on_click=MaterialState.download(document.id),
            ),
            rx.cond(
                document.status == "failed",
                rx.button(
                    "Retry",
                    size="1",
                    aria_label="Retry " + document.filename,
                    on_click=MaterialState.retry(document.id),
                ),
            ),
            confirm_button(
                "Delete",
                title="Delete this file?",
                description="Students can no longer read it, and the tutor stops using it.",
                confirm_label="Delete file",
                aria_label="Delete " + document.filename,
                on_confirm=MaterialState.delete(document.id),
            ),
            align="center",
            spacing="2",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(document.error != "", rx.text(document.error, size="1", color_scheme="red")),
        rx.cond(document.is_image, _picture_snippet(document)),
        padding_y="0.4rem",
        border_bottom="1px solid var(--gray-a4)",
    )


def _picture_snippet(document: DocumentView) -> rx.Component:
    """The Markdown that shows this picture in a lesson, ready to copy."""
    snippet = "![" + document.filename + "](/files/" + document.id + ")"
    return rx.hstack(
        rx.code(snippet, size="1"),
        rx.button(
            "Copy Markdown",
            size="1",
            variant="ghost",
            aria_label="Copy the Markdown for " + document.filename,
            on_click=[rx.set_clipboard(snippet), rx.toast("Copied: paste it into a lesson")],
        ),
        align="center",
        spacing="2",
    )


def _uploader() -> rx.Component:
    limit_mb = get_settings().upload_max_bytes // (1024 * 1024)
    return rx.vstack(
        rx.text("Material files", weight="medium"),
        rx.upload(
            rx.text(
                f"Drop PDF, Word (.docx), Markdown or text files, or pictures for lessons "
                f"(PNG, JPEG, GIF, WebP) here, or click to choose (up to {limit_mb} MB each).",
                size="2",
            ),
            id=UPLOAD_ID,
            accept=ACCEPT,
            multiple=True,
            max_size=get_settings().upload_max_bytes,
            border="1px dashed var(--gray-a7)",
            padding="1rem",
            width="100%",
            aria_label="Material files",
        ),
        rx.foreach(rx.selected_files(UPLOAD_ID), lambda name: rx.text(name, size="1")),
        rx.button(
            "Upload",
            loading=MaterialState.uploading,
            on_click=MaterialState.upload(
                rx.upload_files_chunk(  # type: ignore[call-arg]
                    upload_id=UPLOAD_ID, on_upload_progress=MaterialState.show_progress
                )
            ),
        ),
        rx.cond(
            MaterialState.uploading,
            rx.progress(value=MaterialState.upload_percent, aria_label="Upload progress"),
        ),
        spacing="2",
        width="100%",
    )


def material_editor_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Course material", size="4", as_="h2"),
            rx.text(
                "Students can download these files, and the tutor answers from them.",
                color_scheme="gray",
                size="2",
            ),
            form_error(MaterialState.error),
            form_notice(MaterialState.notice),
            _uploader(),
            rx.el.ul(
                rx.foreach(MaterialState.material, _teacher_row),
                aria_label="Course material files",
                width="100%",
                list_style_type="none",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def material_reader_section() -> rx.Component:
    return rx.cond(
        MaterialState.material.length() > 0,
        rx.vstack(
            rx.heading("Material", size="5", as_="h2"),
            form_error(MaterialState.error),
            rx.el.ul(
                rx.foreach(
                    MaterialState.material,
                    lambda d: rx.el.li(
                        rx.button(
                            d.filename,
                            variant="ghost",
                            aria_label="Download " + d.filename,
                            on_click=MaterialState.download(d.id),
                        ),
                        rx.text(" " + d.size_label, as_="span", size="1", color_scheme="gray"),
                    ),
                ),
                aria_label="Course material",
                list_style_type="none",
            ),
            width="100%",
        ),
    )

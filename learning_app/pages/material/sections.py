"""Course material on the course editor (upload, status, retry, delete) and on the course page
(the list with download links).

Uploads stream in chunks (`rx.upload_files_chunk`) into the service's `UploadSpool`, which
refuses a file the moment it passes the size limit or the uploader's quota; the browser's own
limit is only a hint.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from learning_app.adapters.s3_store import get_s3
from learning_app.components.courses import confirm_button
from learning_app.components.forms import form_error, form_notice
from learning_app.services.errors import DomainError
from learning_app.services.material import documents
from learning_app.services.material.documents import DocumentView
from learning_app.services.material.spool import UploadSpool, clean_filename
from learning_app.settings import get_settings
from learning_app.state.auth import AuthState
from learning_app.state.calls import ServiceCalls, call_service, call_with_session, describe_error
from learning_app.state.course_pages import route_arg

UPLOAD_ID = "course-material"
POLL_INTERVAL_S = 2.0
POLL_LIMIT = 300  # about ten minutes of watching a big file being ingested
UPLOAD_IDLE_TIMEOUT_S = 60.0
INTERRUPTED = "The upload was interrupted before it finished: nothing more was saved. Try again."
STALLED = "The upload stopped arriving for a minute, so it was given up. Try again."
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
        """Spool each file as it arrives, then store it.

        May this tab upload here, and how much? is asked before a byte is read: a refused upload
        returns at once, never spooled, and Reflex answers its POST with 400. Whatever ends an
        upload (an error, the client going away, which cancels this task, or a connection gone
        quiet) removes the spool and ends `uploading` with a message.
        """
        async with self:
            self.uploading, self.error, self.notice = True, "", ""
            token, course_id = await self._session_token(), route_arg(self, "course_id")
        notices: list[str] = []
        error = INTERRUPTED  # unless the upload gets to the end: cancellation skips `except`
        spool: UploadSpool | None = None
        try:
            permit = await call_with_session(
                documents.upload_permit, token=token, course_id=course_id
            )
            while (chunk := await _next_chunk(chunks)) is not None:
                if spool is None or spool.filename != clean_filename(chunk.filename):
                    if spool is not None:
                        finished, spool = spool, None  # upload_document removes it from here
                        notices.append(await self._store(token, permit.course_id, finished))
                        # The next file is a new upload: asked again, with the room now left.
                        permit = await call_with_session(
                            documents.upload_permit, token=token, course_id=course_id
                        )
                    spool = permit.spool(chunk.filename)
                spool.write(chunk.data)
            if spool is not None:
                finished, spool = spool, None
                notices.append(await self._store(token, permit.course_id, finished))
            error = ""
        except Exception as exc:
            error = describe_error(exc)
        finally:
            if spool is not None:
                spool.discard()
            async with self:
                self.uploading, self.upload_percent = False, 0
                self.notice, self.error = " ".join(notices), error
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
        url = await self._call(documents.download_url, document_id=document_id)
        return rx.redirect(url, is_external=True) if url is not None else None


async def _next_chunk(chunks: rx.UploadChunkIterator) -> rx.UploadChunk | None:
    """The next chunk of an upload, None at its end. A connection that died without closing (a
    lost network, a laptop lid) sends nothing more and no disconnect either: after
    UPLOAD_IDLE_TIMEOUT_S of silence the upload is given up."""
    try:
        return await asyncio.wait_for(anext(chunks), UPLOAD_IDLE_TIMEOUT_S)
    except StopAsyncIteration:
        return None
    except TimeoutError as exc:
        raise DomainError(STALLED) from exc


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
        # The label wraps the drop zone so that the zone's hidden file input has a name (Reflex
        # gives no way to set the input's own attributes); the native label click opens the
        # file chooser, so the zone's own click handler is off (two choosers otherwise).
        rx.el.label(
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
                no_click=True,
                border="1px dashed var(--gray-a7)",
                padding="1rem",
                width="100%",
                cursor="pointer",
                aria_label="Material files",
            ),
            display="grid",
            gap="var(--space-2)",
            width="100%",
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

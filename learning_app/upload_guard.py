"""`POST /_upload` accepts only the app's upload handlers.

Reflex's upload route takes the event handler to run from the `Reflex-Event-Handler` header. A
name it does not know gets 400, but the name of a real handler that takes no files (any public
event of any state) made it fail while dispatching, with a 500. This check sits in front of the
route and refuses every name but the app's upload handlers with 400, before Reflex reads a byte
of the body. Whether the caller may upload there is for the handler's service to decide.

Plain ASGI, like the security headers, so that a streamed upload passes through unbuffered.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

UPLOAD_PATH = "/_upload"  # Reflex's `Endpoint.UPLOAD`; this app sets no backend path prefix
HANDLER_HEADER = b"reflex-event-handler"
NOT_AN_UPLOAD = "This address only takes file uploads."


class UploadHandlerGuard:
    """Refuses `POST /_upload` naming anything but one of `handlers` (full event names)."""

    def __init__(self, app: ASGIApp, handlers: Iterable[str]) -> None:
        self.app = app
        self.handlers = frozenset(handlers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].rstrip("/") == UPLOAD_PATH
        ):
            named = dict(scope["headers"]).get(HANDLER_HEADER, b"").decode("latin-1")
            if named not in self.handlers:
                await JSONResponse({"detail": NOT_AN_UPLOAD}, status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)

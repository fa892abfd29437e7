"""What the browser is told when an event handler raises something nothing caught: a generic
message and a short reference, never the exception's type or text, which can name tables,
files, settings or user data. The log gets the traceback under the same reference.

Reflex's own handler showed `TypeError: <message>` in development and a generic line only
when Reflex itself runs in production mode; this one is the same in every mode, so no setting
can make a production server show the details. Errors services expect never get here:
`ServiceCalls` turns them into the page's own message (`state/calls.py`).
"""

from __future__ import annotations

import logging
import secrets

import reflex as rx
from reflex.event import EventSpec

log = logging.getLogger(__name__)

UNEXPECTED_MESSAGE = "Something went wrong on our side. Please try again."


def backend_exception_handler(exception: Exception) -> EventSpec:
    """`rx.App(backend_exception_handler=...)`: log the details, toast a generic message."""
    reference = secrets.token_hex(4)
    log.error("unexpected error in an event handler (reference %s)", reference, exc_info=exception)
    return rx.toast(
        UNEXPECTED_MESSAGE,
        level="error",
        fallback_to_alert=True,
        description=f"If it happens again, quote reference {reference}.",
        position="top-center",
    )

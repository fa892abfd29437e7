"""Issue 15, finding 7: an error toast showed the exception's type and message (Reflex's own
handler does in development). The app's handler shows neither, in any mode, and logs both."""

from __future__ import annotations

import re

import pytest
from reflex.utils.format import format_event


def test_an_unexpected_error_toast_shows_neither_type_nor_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from learning_app import learning_app
    from learning_app.state.unexpected_errors import UNEXPECTED_MESSAGE

    handler = learning_app.app.backend_exception_handler
    try:
        raise KeyError("SELECT password_hash FROM app_user -- /srv/secret.env")
    except KeyError as exc:
        with caplog.at_level("ERROR"):
            shown = format_event(handler(exc))  # type: ignore[arg-type]

    assert UNEXPECTED_MESSAGE in shown
    assert not re.search("KeyError|password_hash|secret", shown)
    reference = re.search(r"quote reference ([0-9a-f]{8})", shown)
    assert reference is not None
    assert f"reference {reference[1]}" in caplog.text
    assert "KeyError" in caplog.text and "password_hash" in caplog.text  # the log has it all

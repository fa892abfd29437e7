"""The exam countdown's first paint, rendered on the server: the same text
assets/exam_timer.js writes as it ticks on."""

from __future__ import annotations

import pytest

from learning_app.pages.attempts.take_state import countdown_text


@pytest.mark.parametrize(
    ("ms_left", "shown"),
    [
        (593_999, "09:53"),  # whole seconds left, as the browser's script counts them
        (600_000, "10:00"),
        (59_001, "00:59"),
        (999, "00:00"),
        (0, "00:00"),
        (-1, "00:00"),
        (3_600_000, "1:00:00"),
        (5_025_000, "1:23:45"),
    ],
)
def test_countdown_text(ms_left: int, shown: str) -> None:
    assert countdown_text(ms_left) == shown

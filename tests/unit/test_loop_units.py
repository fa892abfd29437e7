"""How long a process's brief units stay off the event loop after one overran
(`adapters/loop_units.py`)."""

from __future__ import annotations

import time

import pytest

from learning_app.adapters import loop_units
from learning_app.adapters.loop_units import LONGEST_PAUSE_S, PAUSE_S, LoopUnits


def _pause_ends(place: LoopUnits, after: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """Move the clock `after` seconds past the end of the current pause."""
    now = place._paused_until + after
    monkeypatch.setattr(loop_units.time, "monotonic", lambda: now)


def test_a_store_still_slow_after_a_pause_doubles_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    place = LoopUnits()
    assert not place.paused()
    started = time.monotonic()
    place.pause("a lock")
    assert place.paused() and place._paused_until == pytest.approx(started + PAUSE_S, abs=1)
    lengths = []
    for _ in range(8):
        _pause_ends(place, 1.0, monkeypatch)  # overran again a second after the pause ended
        before = time.monotonic()
        place.pause("still slow")
        lengths.append(place._paused_until - before)
    assert lengths[:3] == [2 * PAUSE_S, 4 * PAUSE_S, 8 * PAUSE_S]
    assert max(lengths) == LONGEST_PAUSE_S


def test_a_quiet_spell_starts_the_pauses_over(monkeypatch: pytest.MonkeyPatch) -> None:
    place = LoopUnits()
    place.pause("a lock")
    _pause_ends(place, 1.0, monkeypatch)
    place.pause("still slow")
    _pause_ends(place, 4 * PAUSE_S, monkeypatch)  # quiet for longer than the last pause
    before = time.monotonic()
    place.pause("slow again, later")
    assert place._paused_until - before == PAUSE_S

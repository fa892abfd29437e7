"""The load bench's figures put the load's tail beside the one-student tail: `p95_ratio` can
be no lower than the mix's own spread, and `p95_inflation` is what the load added to it."""

from __future__ import annotations

from dataclasses import dataclass

from learning_app.bench.load_figures import LocustRun, Sample, figures


@dataclass(frozen=True)
class Shape:
    users: int = 10
    spawn_rate: float = 10.0
    servers: int = 1
    spike_students: int = 0


def _samples(kind: str, times: list[float]) -> list[Sample]:
    return [(kind, ms, "", 1000.0 + n, "") for n, ms in enumerate(times)]


def test_the_baseline_s_own_tail_and_the_load_s_inflation_of_it() -> None:
    # Alone: 18 quick answers and two slow searches, which make the one-student p95.
    alone = _samples("answer", [5.0] * 18) + _samples("search", [20.0, 20.0])
    # Under load everything takes twice as long; sign-ins are not ordinary actions.
    loaded = _samples("answer", [10.0] * 18) + _samples("search", [40.0, 40.0])
    loaded += _samples("sign_in", [900.0])
    result = figures(
        Shape(), LocustRun(alone, []), LocustRun(loaded, []), LocustRun([], []), [], {}, 0
    )
    assert result["baseline_p50_ms"] == 5.0 and result["baseline_actions"] == 20
    assert result["baseline_p95_ms"] == 20.0 and result["baseline_p95_ratio"] == 4.0
    # The load doubled the tail: 8x the one-student p50, but only 2x its p95.
    assert result["p95_ms"] == 40.0 and result["p95_ratio"] == 8.0
    assert result["p95_inflation"] == 2.0


def test_an_empty_baseline_gives_zero_ratios_not_an_error() -> None:
    loaded = _samples("answer", [10.0] * 5)
    empty = LocustRun([], [])
    result = figures(Shape(), empty, LocustRun(loaded, []), empty, [], {}, 0)
    assert result["baseline_p95_ratio"] == 0.0 and result["p95_inflation"] == 0.0
    assert result["baseline_deltas_per_action"] == 0.0


def test_deltas_per_action_averages_the_ordinary_actions_of_the_baseline() -> None:
    # A page open brings four deltas and an answer two; signing in and the tutor are left out.
    deltas = [("open_lesson", 4), ("answer", 2), ("answer", 2), ("sign_in", 9)]
    deltas += [("ask_tutor", 7)]
    alone = LocustRun(_samples("answer", [5.0] * 3), [], deltas=deltas)
    result = figures(Shape(), alone, LocustRun([], []), LocustRun([], []), [], {}, 0)
    assert result["baseline_deltas_per_action"] == 2.67

"""`bench load` spreads each of Locust's batches of arrivals over the batch's interval."""

from __future__ import annotations

import pytest

from learning_app.bench.load_locust import arrival_spread_s


@pytest.mark.parametrize(
    ("spawn_rate", "spread_s"),
    [(50.0, 1.0), (10.0, 1.0), (12.5, 0.96), (0.5, 2.0), (1.0, 1.0)],
)
def test_each_arrival_waits_up_to_its_batch_interval(spawn_rate: float, spread_s: float) -> None:
    # Locust starts floor(rate) users (at least one) every floor(rate) / rate seconds.
    assert arrival_spread_s(spawn_rate, "spread") == pytest.approx(spread_s)


def test_burst_keeps_locusts_batches() -> None:
    assert arrival_spread_s(50.0, "burst") == 0.0

"""Small statistics shared by the benchmarks."""

from __future__ import annotations


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `values` (`fraction` 0.95 for p95); 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def p50_p95(name: str, times_ms: list[float], digits: int = 1) -> dict[str, float]:
    """`<name>_p50_ms` and `<name>_p95_ms` of these times, to `digits` decimals."""
    return {
        f"{name}_p50_ms": round(percentile(times_ms, 0.5), digits),
        f"{name}_p95_ms": round(percentile(times_ms, 0.95), digits),
    }

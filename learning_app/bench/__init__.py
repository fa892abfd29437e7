"""Benchmarks run by `learning-app bench ...`: they print figures, tests never assert timings."""

"""How many CPUs this process may really use, and so how many backend workers to start.

Reflex 0.10 starts 2 x `os.cpu_count()` + 1 backend workers (at most 8) when its state is in
Redis. `os.cpu_count()` counts the host's CPUs, not the ones this process may use: in a
container limited to 2 CPUs on a 32-core host that is 8 workers, each with its own event loop,
database pool, job worker and hashing processes, sharing 2 CPUs (and the container's memory).
The same formula on the CPUs this process may use (its affinity, bounded by its cgroup's
quota) gives 5 there, as on a 2-core machine, where 5 workers were measured against 2 with
`bench load` (the README's "Workers per server").
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
# Reflex's own ceiling (reflex.utils.processes.MAX_BACKEND_WORKERS).
MAX_WORKERS = 8


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def cgroup_cpu_limit(root: Path = CGROUP_ROOT) -> float | None:
    """The CPU quota of the cgroup mounted at `root` in CPUs (2.5 for `docker run
    --cpus=2.5`), or None when there is none: cgroup v2's `cpu.max` ("max 100000" or "250000
    100000"), else cgroup v1's `cpu.cfs_quota_us` (-1 when unlimited) over `cpu.cfs_period_us`.
    In a container that mount is the container's own cgroup; a quota set on a service's cgroup
    deeper in the host's hierarchy (systemd's `CPUQuota=`) is not read, and counts as none."""
    if (v2 := _read(root / "cpu.max")) is not None:
        quota, _, period = v2.partition(" ")
        if quota == "max":
            return None
        return _ratio(quota, period or "100000")
    quota = _read(root / "cpu" / "cpu.cfs_quota_us")
    period = _read(root / "cpu" / "cpu.cfs_period_us")
    if quota is None or period is None or quota.startswith("-"):
        return None
    return _ratio(quota, period)


def _ratio(quota: str, period: str) -> float | None:
    try:
        cpus = int(quota) / int(period)
    except (ValueError, ZeroDivisionError):
        return None  # unreadable: as if unlimited, the scheduler's CPUs still bound the count
    return cpus if cpus > 0 else None


def usable_cpus(root: Path = CGROUP_ROOT) -> int:
    """The CPUs this process may be scheduled on (its affinity), bounded by its cgroup's
    quota rounded up: 1 at least."""
    try:
        scheduled = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        scheduled = os.cpu_count() or 1
    limit = cgroup_cpu_limit(root)
    if limit is not None:
        scheduled = min(scheduled, math.ceil(limit))
    return max(1, scheduled)


def default_backend_workers(root: Path = CGROUP_ROOT) -> int:
    """Reflex's 2 x CPUs + 1, at most MAX_WORKERS, counting only the usable CPUs."""
    return min(2 * usable_cpus(root) + 1, MAX_WORKERS)

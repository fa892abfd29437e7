"""The backend's default worker count: Reflex's formula on the CPUs the process may use."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from learning_app.cli import cpu_budget
from learning_app.cli.cpu_budget import cgroup_cpu_limit, default_backend_workers, usable_cpus
from learning_app.cli.support import reflex_environment
from learning_app.settings import Settings


def cgroup_v2(tmp_path: Path, cpu_max: str) -> Path:
    (tmp_path / "cpu.max").write_text(cpu_max + "\n")
    return tmp_path


def cgroup_v1(tmp_path: Path, quota: str, period: str = "100000") -> Path:
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text(quota + "\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text(period + "\n")
    return tmp_path


@pytest.mark.parametrize(
    ("cpu_max", "limit"),
    [("max 100000", None), ("200000 100000", 2.0), ("250000 100000", 2.5), ("50000 100000", 0.5)],
)
def test_cgroup_v2_quota(tmp_path: Path, cpu_max: str, limit: float | None) -> None:
    assert cgroup_cpu_limit(cgroup_v2(tmp_path, cpu_max)) == limit


@pytest.mark.parametrize(("quota", "limit"), [("-1", None), ("300000", 3.0), ("150000", 1.5)])
def test_cgroup_v1_quota(tmp_path: Path, quota: str, limit: float | None) -> None:
    assert cgroup_cpu_limit(cgroup_v1(tmp_path, quota)) == limit


@pytest.mark.parametrize("cpu_max", ["", "lots 100000", "100000 0", "0 100000"])
def test_an_unreadable_quota_counts_as_none(tmp_path: Path, cpu_max: str) -> None:
    assert cgroup_cpu_limit(cgroup_v2(tmp_path, cpu_max)) is None


def test_no_cgroup_files_means_no_quota(tmp_path: Path) -> None:
    assert cgroup_cpu_limit(tmp_path) is None


def test_the_quota_bounds_the_scheduled_cpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(32)))
    assert usable_cpus(tmp_path) == 32
    assert usable_cpus(cgroup_v2(tmp_path, "250000 100000")) == 3  # 2.5 CPUs: 3 may run
    assert default_backend_workers(tmp_path) == 7


def test_at_least_one_and_at_most_the_ceiling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(64)))
    assert default_backend_workers(tmp_path) == cpu_budget.MAX_WORKERS
    limited = cgroup_v2(tmp_path, "10000 100000")
    assert (usable_cpus(limited), default_backend_workers(limited)) == (1, 3)


def test_a_two_cpu_container_on_a_big_host_gets_what_two_cores_get(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(32)))
    assert default_backend_workers(cgroup_v2(tmp_path, "200000 100000")) == 5
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    assert default_backend_workers(tmp_path) == 5


def test_production_sets_the_worker_count_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRANIAN_WORKERS", raising=False)
    monkeypatch.setattr("learning_app.cli.support.default_backend_workers", lambda: 3)
    settings = Settings(_env_file=None, redis_url="redis://127.0.0.1:6379/0")
    assert reflex_environment(settings, prod=True)["GRANIAN_WORKERS"] == "3"
    assert reflex_environment(settings, prod=True, workers=5)["GRANIAN_WORKERS"] == "5"
    # Without Redis, Reflex runs one worker and is left to choose.
    no_redis = settings.model_copy(update={"redis_url": ""})
    assert "GRANIAN_WORKERS" not in reflex_environment(no_redis, prod=True)
    monkeypatch.setenv("GRANIAN_WORKERS", "4")  # the operator's own setting stays
    assert reflex_environment(settings, prod=True)["GRANIAN_WORKERS"] == "4"

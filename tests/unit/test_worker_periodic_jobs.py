"""Which periodic jobs a standalone worker defers: only those of the queues it serves."""

from __future__ import annotations

from learning_app.jobs.runner import QUEUES, _deferring_only, job_app
from learning_app.jobs.search import DRIFT_CHECK_TASK


def _periodic_tasks(queues: list[str]) -> set[str]:
    app = _deferring_only(job_app, queues)
    return {periodic.task.name for periodic in app.periodic_registry.periodic_tasks.values()}


def test_a_worker_defers_the_periodic_jobs_of_its_own_queues_only() -> None:
    assert DRIFT_CHECK_TASK in _periodic_tasks(QUEUES)
    assert _periodic_tasks(["search"]) == {DRIFT_CHECK_TASK}
    assert _periodic_tasks(["mail"]) == set()  # the tests' mail worker defers nothing
    assert _periodic_tasks([]) == set()  # nor does a run once


def test_the_workers_app_runs_every_task() -> None:
    assert set(_deferring_only(job_app, []).tasks) == set(job_app.tasks)

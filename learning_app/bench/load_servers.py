"""The app servers `learning-app bench load` drives: production backends on free loopback
ports, behind a private HAProxy when there are several, and the CPU time they spend."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from learning_app.settings import PROJECT_ROOT, get_settings
from learning_app.stack.processes import (
    free_port_run,
    start_process_group,
    stop_process_group,
    wait_until_pinged,
)

BACKEND_START_TIMEOUT_S = 180.0


@dataclass
class AppServers:
    """The app's backends as in production, on loopback; `port` is where students connect:
    the only server, or the load balancer in front of several."""

    port: int
    processes: list[subprocess.Popen]
    names: list[str]  # as the load balancer calls them (X-App-Server)

    def kill(self, index: int) -> None:
        """Kill one server outright (SIGKILL to its process group), as a crash would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.processes[index].pid, signal.SIGKILL)


@contextmanager
def running_servers(env: dict[str, str], count: int, workdir: Path) -> Iterator[AppServers]:
    """`count` backends (`reflex run --env prod --backend-only`, `env` from
    `reflex_environment`), behind HAProxy when there are several."""
    from learning_app.stack.load_balancer import LoadBalancer

    first = free_port_run(count)
    processes: list[subprocess.Popen] = []
    balancer: LoadBalancer | None = None
    try:
        for i in range(count):
            command = [str(Path(sys.executable).parent / "reflex"), "run", "--env", "prod"]
            command += ["--backend-only", "--backend-host", "127.0.0.1"]
            command += ["--backend-port", str(first + i)]
            log = workdir / f"backend{i + 1}.log"
            processes.append(start_process_group(command, cwd=PROJECT_ROOT, env=env, log_path=log))
        for i, process in enumerate(processes):
            log = workdir / f"backend{i + 1}.log"
            wait_until_pinged(first + i, process, "the backend", log, BACKEND_START_TIMEOUT_S)
        if count == 1:
            yield AppServers(first, processes, [""])
            return
        settings = get_settings().model_copy(
            update={
                "stack_lb_port": free_port_run(1),
                "stack_app_port": first,
                "stack_lb_servers": count,
            }
        )
        balancer = LoadBalancer(settings, workdir)
        balancer.ensure_up(time.monotonic() + 30)
        names = [name for name, _ in balancer.servers]
        while set(balancer.server_states().values()) != {"UP"}:  # its checks pass every second
            time.sleep(0.2)
        yield AppServers(balancer.port, processes, names)
    finally:
        if balancer is not None:
            balancer.stop(timeout=10)
        for process in processes:
            stop_process_group(process)


def cpu_seconds(process_groups: Collection[int], parents: Collection[int] = ()) -> float:
    """CPU time (user + system) so far of the live processes in `process_groups`, and of
    `parents` and their children, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        pid, parent, group = int(entry.name), int(fields[1]), int(fields[2])
        if group in process_groups or pid in parents or parent in parents:
            total += int(fields[11]) + int(fields[12])
    return total / tick


# The backends count as settled once a whole window has cost them at most this share of one
# core: idle, two workers and their job workers' polling take ~1-2% here.
SETTLED_CORES = 0.05
SETTLE_WINDOW_S = 1.0


def settle_backends(
    process_groups: Collection[int], *, before: str, timeout_s: float = 30.0
) -> tuple[float, float]:
    """Wait until the backends have been quiet for a whole `SETTLE_WINDOW_S`: what a phase
    left them (its tabs closing, each tab's states written to Redis as its lease ends) is
    done before the next phase, `before`, is measured. Prints and returns the seconds waited
    and the CPU seconds the backends spent meanwhile. Bounded: past `timeout_s` it goes on."""
    started = time.monotonic()
    first = last = cpu_seconds(process_groups)
    while time.monotonic() - started < timeout_s:
        time.sleep(SETTLE_WINDOW_S)
        now, previous = cpu_seconds(process_groups), last
        last = now
        if now - previous <= SETTLED_CORES * SETTLE_WINDOW_S:
            break
    waited, spent = time.monotonic() - started, last - first
    print(f"before {before} the backends settled in {waited:.1f} s ({spent:.2f} s of CPU)")
    return waited, spent


def machine_busy_seconds() -> float:
    """Busy CPU seconds of the whole machine so far, summed over its cores, from /proc/stat:
    what everything on it (Locust and the stack included) has cost."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


def stack_postmaster() -> set[int]:
    """The local stack's Postgres server (every backend is its child, in a session of its
    own); empty when Postgres is managed elsewhere."""
    from learning_app.stack.postgres import Postgres

    settings = get_settings()
    pid = Postgres(settings, Path(settings.stack_dir).expanduser().resolve()).running_pid()
    return {pid} if pid else set()

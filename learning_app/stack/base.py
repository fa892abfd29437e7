"""What every server of the local stack shares: its folder, pidfile, ports and status.

A server belongs to the stack when its pidfile names a live process whose command line (or
working directory) points into the server's own folder. Only such processes are ever signalled:
other programs on the machine, even ones listening on our ports, are left alone.
"""

from __future__ import annotations

import contextlib
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from learning_app.settings import Settings
from learning_app.stack.processes import (
    HAS_PROC,
    StackError,
    log_tail,
    pid_alive,
    port_in_use,
    process_args,
    terminate,
)

MIN_PORT, MAX_PORT = 1024, 65535
ALREADY_RUNNING_GRACE = 15.0  # seconds a running server gets to answer


@dataclass(frozen=True)
class ServerStatus:
    """One row of `learning-app stack status`."""

    name: str
    running: bool
    pid: int | None
    address: str
    detail: str = ""


@dataclass(frozen=True)
class Port:
    """A TCP port a server binds, and the setting (env var) that decides it."""

    number: int
    env_var: str
    role: str = ""  # empty for the main port; e.g. "peering" for a derived one


class Server(ABC):
    """One server of the stack, living in `<stack_dir>/<key>/`."""

    name: ClassVar[str]  # shown to the user, e.g. "PostgreSQL"
    key: ClassVar[str]  # folder name under the stack dir
    port_env: ClassVar[str]  # the setting (as an env var) that holds the main port

    def __init__(self, settings: Settings, root: Path) -> None:
        self.settings = settings
        self.dir = root / self.key
        self.port = int(getattr(settings, self.port_env.lower()))
        self._started_pid: int | None = None

    # --- what each server defines -------------------------------------------------------------

    @property
    @abstractmethod
    def pidfile(self) -> Path: ...

    @property
    @abstractmethod
    def log(self) -> Path: ...

    @property
    @abstractmethod
    def address(self) -> str: ...

    @abstractmethod
    def markers(self) -> tuple[str, ...]:
        """Arguments that the server's command line must contain for the pid to be ours."""

    @abstractmethod
    def start(self, deadline: float) -> int | None:
        """Launch the server (without waiting for readiness); returns its pid if known."""

    @abstractmethod
    def check(self) -> str | None:
        """One real request: None when the server answers, else what went wrong."""

    def after_ready(self) -> None:
        """Create what the app expects to exist (database, bucket); must be idempotent."""
        return None

    def ports(self) -> list[Port]:
        return [Port(self.port, self.port_env)]

    def stop_pid(self, pid: int, timeout: float) -> None:
        terminate(pid, timeout)

    def owns(self, pid: int) -> bool:
        args = process_args(pid)
        if args is None:
            return not HAS_PROC  # without /proc the pidfile is all we have
        return all(any(a == m or a.endswith("=" + m) for a in args) for m in self.markers())

    # --- shared behaviour ---------------------------------------------------------------------

    def read_pid(self) -> int | None:
        try:
            first = self.pidfile.read_text().split("\n", 1)[0].strip()
        except OSError:
            return None
        return int(first) if first.isdigit() and int(first) > 0 else None

    def running_pid(self) -> int | None:
        """The pid of our live server, or None (a stale pidfile counts as not running)."""
        pid = self.read_pid()
        if pid is not None and pid_alive(pid) and self.owns(pid):
            return pid
        return None

    def clean_stale(self) -> None:
        if self.pidfile.exists() and self.running_pid() is None:
            self.pidfile.unlink(missing_ok=True)

    def safe_check(self) -> str | None:
        try:
            return self.check()
        except Exception as exc:  # a probe reports, it never raises
            return f"{type(exc).__name__}: {exc}".strip()

    def validate_ports(self) -> None:
        for port in self.ports():
            if not MIN_PORT <= port.number <= MAX_PORT:
                role = f" ({port.role})" if port.role else ""
                raise StackError(
                    f"{port.env_var}={self.port} puts the {self.name} port{role} at "
                    f"{port.number}, outside {MIN_PORT}-{MAX_PORT}; set {port.env_var} "
                    "to another port"
                )

    def port_conflicts(self) -> list[str]:
        lines = []
        for port in self.ports():
            if port_in_use(port.number):
                role = f" ({port.role})" if port.role else ""
                lines.append(
                    f"port {port.number} for {self.name}{role} is already in use by another "
                    f"process; set {port.env_var} to a free port"
                )
        return lines

    def ensure_up(self, deadline: float) -> ServerStatus:
        """Start the server unless it already runs, then wait until it answers."""
        began = time.monotonic()
        pid = self.running_pid()
        if pid is not None:
            # It may still be starting (a parallel `up`), but a running server that keeps
            # refusing (e.g. changed credentials) should fail fast, not after the full timeout.
            self.wait_ready(min(deadline, began + ALREADY_RUNNING_GRACE))
            self._prepare()
            return ServerStatus(self.name, True, pid, self.address, "already running")
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            self._started_pid = self.start(deadline)
        except OSError as exc:  # a missing or non-executable binary, an unwritable folder
            raise StackError(f"{self.name} could not be started: {exc}") from exc
        try:
            self.wait_ready(deadline)
            self._prepare()
        except BaseException:
            # A half-started server is worse than none: the next `up` starts from scratch.
            with contextlib.suppress(Exception):
                self.stop(timeout=5.0)
            raise
        took = time.monotonic() - began
        return ServerStatus(
            self.name, True, self.running_pid(), self.address, f"started in {took:.1f} s"
        )

    def _prepare(self) -> None:
        try:
            self.after_ready()
        except StackError:
            raise
        except Exception as exc:
            raise StackError(f"{self.name} answers, but preparing it failed: {exc}") from exc

    def wait_ready(self, deadline: float) -> None:
        budget = max(0.0, deadline - time.monotonic())
        while True:
            problem = self.safe_check()
            if problem is None:
                return
            pid = self._started_pid or self.read_pid()
            if pid is not None and not pid_alive(pid):
                tail = log_tail(self.log)
                raise StackError(
                    f"{self.name} exited while starting; see {self.log}"
                    + (f" (last lines: {tail})" if tail else "")
                )
            if time.monotonic() > deadline:
                raise StackError(
                    f"{self.name} did not become ready within {budget:.0f} s "
                    f"(last check: {problem}); see {self.log}"
                )
            time.sleep(0.1)

    def stop(self, timeout: float) -> ServerStatus:
        pid = self.running_pid()
        if pid is None:
            self.clean_stale()
            return ServerStatus(self.name, False, None, self.address, "not running")
        self.stop_pid(pid, timeout)
        # Servers that write their own pidfile remove it on a clean exit; ours we remove.
        self.pidfile.unlink(missing_ok=True)
        return ServerStatus(self.name, False, None, self.address, f"stopped (was pid {pid})")

    def status(self) -> ServerStatus:
        pid = self.running_pid()
        if pid is None:
            stale = self.read_pid()
            detail = f"stale pidfile (pid {stale})" if stale is not None else "stopped"
            return ServerStatus(self.name, False, None, self.address, detail)
        problem = self.safe_check()
        detail = "ready" if problem is None else f"not answering: {problem}"
        return ServerStatus(self.name, True, pid, self.address, detail)

"""Process plumbing shared by every server of the local stack: pidfiles, ports, signals.

A server belongs to the stack when its pidfile names a live process whose command line (or
working directory) points into the server's own folder. Only such processes are ever signalled:
other programs on the machine, even ones listening on our ports, are left alone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from learning_app.settings import Settings

HOST = "127.0.0.1"
MIN_PORT, MAX_PORT = 1024, 65535
ALREADY_RUNNING_GRACE = 15.0  # seconds a running server gets to answer
HAS_PROC = Path("/proc/self/cmdline").exists()


class StackError(Exception):
    """A failure of the local stack; the message is what the user reads."""


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


# Popen handles of the servers this process spawned. A child that exits stays a zombie until it
# is waited for, and a zombie still "exists" for kill(pid, 0): polling the handle reaps it.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}
_CHILDREN_LOCK = threading.Lock()


def pid_alive(pid: int) -> bool:
    with _CHILDREN_LOCK:
        child = _CHILDREN.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by another user (e.g. PostgreSQL's service user)
    if not HAS_PROC:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def process_args(pid: int) -> list[str] | None:
    """The command line of a process, or None when it cannot be read (gone, or no /proc)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def process_cwd(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return None


def port_in_use(port: int, host: str = HOST) -> bool:
    """True when something already binds the port (a listener, or a socket merely bound)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR so that connections of a server that just stopped (TIME_WAIT) do not
        # count as a conflict; a live listener still makes bind() fail.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def free_port(host: str = HOST) -> int:
    """A port nothing listens on right now, chosen by the kernel (other processes share the
    machine, so fixed ports are never assumed free)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start_process_group(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str], log_path: Path
) -> subprocess.Popen:
    """Start `command` in a process group of its own, its output in `log_path`; stop it, and
    whatever it starts, with `stop_process_group`."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_process_group(process: subprocess.Popen, timeout: float = 20.0) -> None:
    """Stop a process started with `start_new_session=True` and everything it started (its own
    process group), and nothing else: SIGTERM, then SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_until_pinged(
    port: int, process: subprocess.Popen, what: str, log: Path, timeout_s: float
) -> None:
    """Wait until the app server `process` answers `GET /ping` on `port`; StackError naming
    `what` and its log if it exits first or stays silent for `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(f"{what} exited while starting; see {log}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/ping", timeout=2):
                return
        except OSError:  # URLError is one: refused, reset, timed out
            time.sleep(0.5)
    raise StackError(f"{what} did not answer within {timeout_s:.0f} s; see {log}")


def wait_gone(pid: int, timeout: float) -> bool:
    with _CHILDREN_LOCK:
        child = _CHILDREN.get(pid)
    if child is not None:
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        with _CHILDREN_LOCK:
            _CHILDREN.pop(pid, None)
        return True
    end = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def terminate(pid: int, timeout: float, first: signal.Signals = signal.SIGTERM) -> None:
    """Ask a process to stop, then kill it if it is still there after `timeout` seconds."""
    try:
        os.kill(pid, first)
    except ProcessLookupError:
        return
    except PermissionError as exc:
        raise StackError(f"not allowed to stop process {pid} (another user's?)") from exc
    if wait_gone(pid, timeout):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    if not wait_gone(pid, 5.0):
        raise StackError(f"process {pid} did not exit even after SIGKILL")


def spawn(args: Sequence[str], log: Path, cwd: Path, env: Mapping[str, str] | None = None) -> int:
    """Start a long-running server detached from our terminal; returns its pid.

    Its own session keeps Ctrl-C in the calling shell from reaching it: servers outlive the
    `stack up` command that started them.
    """
    with log.open("ab") as out:
        child = subprocess.Popen(
            list(args),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
    with _CHILDREN_LOCK:
        _CHILDREN[child.pid] = child
    return child.pid


def write_pidfile(path: Path, pid: int) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{pid}\n")
    tmp.replace(path)


def log_tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(kept[-lines:])


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

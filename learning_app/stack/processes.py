"""Process plumbing of the local stack and the app servers: pids, ports, process groups.

Only processes this module spawned, or that a server's pidfile names and whose command line
points into its folder (`base.Server`), are ever signalled.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

HOST = "127.0.0.1"
HAS_PROC = Path("/proc/self/cmdline").exists()


class StackError(Exception):
    """A failure of the local stack; the message is what the user reads."""


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


def below_ephemeral_ports() -> range:
    """Ports the kernel never hands out as a client's source port. A server that binds later
    than its port was chosen (a restart, or a process that takes seconds to start) must still
    find it free, which a kernel pick from the ephemeral range cannot promise: an outgoing
    connection once took a Typesense peering port, and once a load-balanced app port."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    return range(10000, max(11000, low - 20))


def free_port_run(count: int) -> int:
    """The first of `count` consecutive loopback ports free right now, below the ephemeral
    range (`below_ephemeral_ports`)."""
    candidates = below_ephemeral_ports()
    for _ in range(500):
        first = random.choice(candidates)  # noqa: S311 - a port, not a secret
        if not any(port_in_use(first + i) for i in range(count)):
            return first
    raise RuntimeError(f"no {count} consecutive free ports found")


def free_port(host: str = HOST) -> int:
    """A port nothing listens on right now, chosen by the kernel (other processes share the
    machine, so fixed ports are never assumed free). Only for an address where nothing should
    listen; a server that binds it later takes `free_port_run` instead."""
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


@contextlib.contextmanager
def sigterm_unwinds() -> Iterator[None]:
    """While inside, SIGTERM (`timeout`, a CI runner, `kill`) exits like Ctrl-C does: through
    every `finally` on the way out, so the process groups this process started are stopped
    instead of outliving it. Python's default for SIGTERM skips them."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread
        return

    def exit_now(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, exit_now)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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

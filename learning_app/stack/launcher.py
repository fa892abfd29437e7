"""`up`, `down` and `status` of the whole local stack, each server handled in its own thread."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from learning_app.settings import Settings
from learning_app.stack.base import Server, ServerStatus
from learning_app.stack.load_balancer import LoadBalancer
from learning_app.stack.postgres import Postgres
from learning_app.stack.processes import StackError
from learning_app.stack.seaweed import SeaweedS3
from learning_app.stack.servers import MailSink, Redis, Typesense

UP_TIMEOUT = 90.0  # the first start assembles the Typesense binary and runs initdb
DOWN_TIMEOUT = 15.0


def build_servers(settings: Settings, *, load_balancer: bool = False) -> list[Server]:
    """The stack's servers, the load balancer only when asked (or `STACK_LB`)."""
    root = Path(settings.stack_dir).expanduser().resolve()
    servers: list[Server] = [
        cls(settings, root) for cls in (Postgres, Redis, Typesense, SeaweedS3, MailSink)
    ]
    if load_balancer or settings.stack_lb:
        servers.append(LoadBalancer(settings, root))
    return servers


def _with_balancer_if_there(settings: Settings) -> list[Server]:
    """For `down` and `status`: the load balancer too if it has a pidfile. A plain `up`
    leaves a running one alone (and its server list with it)."""
    root = Path(settings.stack_dir).expanduser().resolve()
    return build_servers(settings, load_balancer=LoadBalancer(settings, root).pidfile.exists())


def up(
    settings: Settings, timeout: float = UP_TIMEOUT, *, load_balancer: bool = False
) -> list[ServerStatus]:
    """Start every server that is not running yet and wait until each answers a real request.

    Servers already running (live pidfile, answering) are left alone. If any port a server
    needs is held by another process, nothing is started and StackError names the port.
    """
    servers = build_servers(settings, load_balancer=load_balancer)
    _check_port_layout(servers)
    conflicts: list[str] = []
    for server in servers:
        if server.running_pid() is None:
            server.clean_stale()
            conflicts += server.port_conflicts()
    if conflicts:
        raise StackError("\n".join(conflicts))
    Path(settings.stack_dir).mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    return _run_all(servers, lambda server: server.ensure_up(deadline))


def down(settings: Settings, timeout: float = DOWN_TIMEOUT) -> list[ServerStatus]:
    """Stop every server of the stack by its pidfile (data is kept)."""
    return _run_all(_with_balancer_if_there(settings), lambda server: server.stop(timeout))


def status(settings: Settings) -> list[ServerStatus]:
    """What runs, under which pid, where; running servers get one real request each."""
    return _run_all(_with_balancer_if_there(settings), lambda server: server.status())


def format_status(statuses: list[ServerStatus]) -> str:
    """A small table: server, state, pid, address, detail."""
    header = ("SERVER", "STATE", "PID", "ADDRESS", "DETAIL")
    rows = [
        (s.name, "running" if s.running else "stopped", str(s.pid or "-"), s.address, s.detail)
        for s in statuses
    ]
    table = [header, *rows]
    # The last column (detail) is free text: pad the others only.
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    lines = [
        "  ".join([*(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)), row[-1]])
        for row in table
    ]
    return "\n".join(line.rstrip() for line in lines)


def _check_port_layout(servers: list[Server]) -> None:
    """Every port valid, and no two servers on the same one (derived ports included)."""
    owners: dict[int, tuple[Server, str]] = {}
    for server in servers:
        server.validate_ports()
        for port in server.ports():
            if port.number in owners:
                other, other_env = owners[port.number]
                raise StackError(
                    f"port {port.number} is needed by both {other.name} ({other_env}) and "
                    f"{server.name} ({port.env_var}); set one of them to another port"
                )
            owners[port.number] = (server, port.env_var)


def _run_all(servers: list[Server], action: Callable[[Server], ServerStatus]) -> list[ServerStatus]:
    """Run `action` on every server in parallel; one StackError listing every failure."""
    with ThreadPoolExecutor(max_workers=len(servers), thread_name_prefix="stack") as pool:
        futures = [pool.submit(action, server) for server in servers]
    results: list[ServerStatus] = []
    failures: list[StackError] = []
    for future in futures:
        exc = future.exception()
        if exc is None:
            results.append(future.result())
        elif isinstance(exc, StackError):
            failures.append(exc)
        else:
            raise exc  # a bug, not a user-facing condition: keep the traceback
    if failures:
        raise StackError("\n".join(str(f) for f in failures))
    return results

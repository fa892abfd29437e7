"""The local stack's load balancer: HAProxy (Debian's package) in front of several app servers.

Started only when asked (`learning-app stack up --lb`, `STACK_LB=true`, or
`learning-app run --prod --servers N`). Its configuration is generated from the settings:
it listens on `STACK_LB_PORT` and balances across `STACK_LB_SERVERS` app servers on
`STACK_APP_PORT`, `STACK_APP_PORT + 1`, ... (each a `learning-app serve`).

- Websockets are proxied (HAProxy switches the connection to a tunnel on the upgrade), and a
  connection stays on the server that accepted it for its whole life.
- A cookie keeps a browser's later requests (its next websocket, its uploads) on the same
  server, so that server keeps serving the tab's Reflex state from memory.
- `/ping` is checked every second: a server that stops answering is out within about 2 s,
  and connections meant for it, the cookie's included, go to a live one (`option redispatch`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import resource
import shutil
import socket
import subprocess
from pathlib import Path

from learning_app.stack.base import Server, ServerStatus
from learning_app.stack.processes import HOST, StackError, spawn, write_pidfile

# A reconnecting tab is sent elsewhere after this many refused connections to a dead server.
CONNECT_RETRIES = 2
HEALTH_PATH = "/_lb/health"


def max_connections() -> int:
    """As many connections as the file limit allows (two descriptors each: the client's and the
    server's), at most 20,000."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = 1_000_000 if hard == resource.RLIM_INFINITY else hard
    return max(256, min(20_000, (limit - 100) // 2))


def haproxy_config(port: int, servers: list[tuple[str, int]], stats_socket: Path) -> str:
    """HAProxy's configuration: one frontend on `port`, one backend of `servers`."""
    lines = [
        "global",
        f"    maxconn {max_connections()}",
        f"    stats socket {stats_socket} mode 600 level admin",
        "",
        "defaults",
        "    mode http",
        "    timeout connect 2s",
        "    timeout client 75s",  # above Engine.IO's 25 s ping interval
        "    timeout server 75s",
        "    timeout tunnel 1h",  # an upgraded websocket
        "    timeout http-request 10s",
        f"    retries {CONNECT_RETRIES}",
        "    option redispatch",
        "",
        "frontend app",
        f"    bind {HOST}:{port}",
        f"    monitor-uri {HEALTH_PATH}",
        "    default_backend app_servers",
        "",
        "backend app_servers",
        # Websockets are long-lived: the server with fewer open connections takes the next.
        "    balance leastconn",
        "    cookie app_server insert indirect nocache httponly attr SameSite=Lax",
        "    option httpchk GET /ping",
        "    http-check expect status 200",
        "    default-server inter 1s fastinter 500ms fall 2 rise 2",
        # Which server answered, for the load test and for debugging (no internal address).
        "    http-response set-header X-App-Server %[srv_name]",
    ]
    lines += [
        f"    server {name} {HOST}:{server_port} check cookie {name}"
        for name, server_port in servers
    ]
    return "\n".join(lines) + "\n"


class LoadBalancer(Server):
    name = "Load balancer"
    key = "haproxy"
    port_env = "STACK_LB_PORT"

    @property
    def pidfile(self) -> Path:
        return self.dir / "haproxy.pid"

    @property
    def log(self) -> Path:
        return self.dir / "haproxy.log"

    @property
    def config_path(self) -> Path:
        return self.dir / "haproxy.cfg"

    @property
    def stats_socket(self) -> Path:
        return self.dir / "haproxy.sock"

    @property
    def address(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def servers(self) -> list[tuple[str, int]]:
        """(name, port) of each app server behind it."""
        first = self.settings.stack_app_port
        return [(f"app{i + 1}", first + i) for i in range(self.settings.stack_lb_servers)]

    def markers(self) -> tuple[str, ...]:
        return (str(self.config_path),)

    @staticmethod
    def binary() -> str:
        # Debian puts it in /usr/sbin, which a non-root PATH often lacks.
        found = shutil.which("haproxy", path="/usr/local/sbin:/usr/sbin:/sbin") or shutil.which(
            "haproxy"
        )
        if found is None:
            raise StackError("Load balancer: haproxy is not installed; `apt-get install haproxy`")
        return found

    def start(self, deadline: float) -> int | None:
        binary = self.binary()
        self.config_path.write_text(haproxy_config(self.port, self.servers, self.stats_socket))
        checked = subprocess.run(
            [binary, "-c", "-q", "-f", str(self.config_path)],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        if checked.returncode != 0:
            reason = (checked.stderr or checked.stdout).strip()
            raise StackError(f"Load balancer: HAProxy refused {self.config_path}: {reason}")
        # Foreground (no `daemon`): the pid we spawn is HAProxy's own.
        pid = spawn([binary, "-f", str(self.config_path)], self.log, self.dir)
        write_pidfile(self.pidfile, pid)
        return pid

    def ensure_up(self, deadline: float) -> ServerStatus:
        """As for every server, except that a running balancer whose configuration is not
        the one these settings generate (another server count, other ports) is restarted."""
        wanted = haproxy_config(self.port, self.servers, self.stats_socket)
        if self.running_pid() is not None and self._written_config() != wanted:
            self.stop(timeout=10)
        return super().ensure_up(deadline)

    def _written_config(self) -> str:
        try:
            return self.config_path.read_text()
        except OSError:
            return ""

    def check(self) -> str | None:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
        try:
            conn.request("GET", HEALTH_PATH)
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
        return None if response.status == 200 else f"{HEALTH_PATH} answered {response.status}"

    def status(self) -> ServerStatus:
        status = super().status()
        if status.running:
            with contextlib.suppress(OSError):
                states = self.server_states()
                servers = ", ".join(f"{name} {state}" for name, state in states.items())
                status = dataclasses.replace(status, detail=f"{status.detail}; {servers}")
        return status

    def server_states(self) -> dict[str, str]:
        """Each app server's state as HAProxy sees it ("UP", "DOWN", ...), from its socket."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(str(self.stats_socket))
            sock.sendall(b"show stat\n")
            raw = b""
            while chunk := sock.recv(65536):
                raw += chunk
        states = {}
        for line in raw.decode().splitlines():
            fields = line.split(",")
            if len(fields) > 17 and fields[0] == "app_servers" and fields[1] not in ("BACKEND",):
                states[fields[1]] = fields[17]
        return states

"""The stack's load balancer (HAProxy): generated configuration, health checks, the server
cookie, and a server that dies taken out of rotation. Two tiny HTTP servers stand in for the
app servers (the whole app behind it is `test_bench_load`'s failover test)."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from learning_app.settings import Settings
from learning_app.stack.load_balancer import HEALTH_PATH, LoadBalancer, haproxy_config
from learning_app.stack.processes import HOST, free_port_run
from tests.integration.private_servers import on_free_ports, restart


class _Named(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = self.server.label.encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        return None


def _app_server(port: int, label: str) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((HOST, port), _Named)
    server.label = label  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _get(port: int, path: str, cookie: str = "") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def _wait_for_states(balancer: LoadBalancer, wanted: dict[str, str]) -> None:
    deadline = time.monotonic() + 30
    while balancer.server_states() != wanted:
        assert time.monotonic() < deadline, balancer.server_states()
        time.sleep(0.2)


@pytest.fixture
def balancer(tmp_path: Path) -> Iterator[LoadBalancer]:
    # Below the ephemeral range: the servers bind well after the pick, and a port the kernel
    # hands out could by then be an outgoing connection's (CI once lost app2's port that way).
    first_app_port = free_port_run(2)
    server = on_free_ports(
        lambda port: LoadBalancer(
            Settings(stack_lb_port=port, stack_app_port=first_app_port, stack_lb_servers=2),
            tmp_path,
        )
    )
    restart(server)
    try:
        yield server
    finally:
        server.stop(timeout=10)


def test_the_configuration_proxies_websockets_and_checks_every_server() -> None:
    config = haproxy_config(8080, [("app1", 8001), ("app2", 8002)], Path("/tmp/lb.sock"))
    assert f"bind {HOST}:8080" in config and f"monitor-uri {HEALTH_PATH}" in config
    assert "timeout tunnel 1h" in config and "option redispatch" in config
    assert f"server app1 {HOST}:8001 check cookie app1" in config
    assert f"server app2 {HOST}:8002 check cookie app2" in config


def test_it_balances_keeps_a_browser_on_its_server_and_drops_a_dead_one(
    balancer: LoadBalancer,
) -> None:
    assert _get(balancer.port, HEALTH_PATH).status == 200
    (_, port1), (_, port2) = balancer.servers
    # Before any server runs, both are down and a request gets HAProxy's 503.
    _wait_for_states(balancer, {"app1": "DOWN", "app2": "DOWN"})
    assert _get(balancer.port, "/").status == 503
    servers = [_app_server(port1, "one"), _app_server(port2, "two")]
    try:
        _wait_for_states(balancer, {"app1": "UP", "app2": "UP"})
        assert "app1 UP" in balancer.status().detail
        first = _get(balancer.port, "/")
        chosen = first.getheader("X-App-Server")
        cookie = (first.getheader("Set-Cookie") or "").split(";")[0]
        assert chosen in ("app1", "app2") and cookie == f"app_server={chosen}"
        # The cookie keeps the browser on its server.
        for _ in range(5):
            assert _get(balancer.port, "/", cookie).getheader("X-App-Server") == chosen
        # Its server dies: the next request, cookie and all, goes to the other one.
        dead = 0 if chosen == "app1" else 1
        servers[dead].shutdown()
        servers[dead].server_close()
        other = "app2" if chosen == "app1" else "app1"
        assert _get(balancer.port, "/", cookie).getheader("X-App-Server") == other
        _wait_for_states(balancer, {chosen: "DOWN", other: "UP"})
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()

"""Security headers: on the backend's own routes and on whatever Reflex mounts inside its app
(Reflex's routes, and the built frontend in production), HSTS only over https; and the session
cookie's flags follow the public address."""

from __future__ import annotations

import asyncio

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from learning_app.health_api import build_http_api
from learning_app.security_headers import SecurityHeadersMiddleware, security_headers
from learning_app.settings import Settings

EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}


def _page(_request: object) -> PlainTextResponse:
    return PlainTextResponse("<html>page</html>", media_type="text/html")


def _own_header(_request: object) -> PlainTextResponse:
    return PlainTextResponse("x", headers={"X-Frame-Options": "SAMEORIGIN"})


@pytest.fixture
def client() -> TestClient:
    """The backend's HTTP app with a stand-in for what Reflex mounts into it at "" (the same
    `mount` call Reflex's `App.__call__` makes for an `api_transformer` Starlette)."""
    api = build_http_api()
    reflex_inside = Starlette(routes=[Route("/", _page), Route("/own", _own_header)])
    api.mount("", reflex_inside)
    return TestClient(api)


@pytest.mark.parametrize("path", ["/", "/missing-page"])
def test_mounted_pages_get_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    for name, value in EXPECTED.items():
        assert headers[name] == value
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "camera=()" in headers["permissions-policy"]


def test_a_header_a_route_sets_itself_is_kept(client: TestClient) -> None:
    headers = client.get("/own").headers
    assert headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert headers["x-content-type-options"] == "nosniff"


def test_hsts_only_when_the_public_address_is_https() -> None:
    plain = security_headers(Settings(_env_file=None, public_base_url="http://localhost:3000"))
    tls = security_headers(Settings(_env_file=None, public_base_url="https://learn.example.com"))
    assert "Strict-Transport-Security" not in plain
    assert tls["Strict-Transport-Security"].startswith("max-age=31536000")


def test_websockets_pass_through_untouched() -> None:
    seen: list[str] = []

    async def inner(scope: dict, receive: object, send: object) -> None:
        seen.append(scope["type"])

    middleware = SecurityHeadersMiddleware(inner, {"X-Frame-Options": "DENY"})  # type: ignore[arg-type]
    asyncio.run(middleware({"type": "websocket"}, None, None))  # type: ignore[arg-type]
    assert seen == ["websocket"]


@pytest.mark.parametrize(
    ("url", "secure"), [("https://learn.example.com", True), ("http://localhost:3000", False)]
)
def test_the_session_cookie_is_secure_exactly_over_https(url: str, secure: bool) -> None:
    assert Settings(_env_file=None, public_base_url=url).served_over_https is secure


def test_no_state_keeps_a_var_in_browser_storage() -> None:
    """The session cookie is set by the server's responses, HttpOnly, not by Reflex from
    JavaScript; and while any state held a cookie or local-storage var, Reflex sent an
    `update_vars_internal` event before every page change."""
    from reflex.state import State

    import learning_app.learning_app  # noqa: F401 - registers every page state

    def tree(state: type[State]) -> list[type[State]]:
        return [state, *(s for sub in state.get_substates() for s in tree(sub))]

    kept = [
        f"{state.get_full_name()}.{name}"
        for state in tree(State)
        for name in state.get_fields()
        if state._is_client_storage(name)
    ]
    assert kept == []

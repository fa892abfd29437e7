"""Issue 15, finding 7, over raw HTTP and websockets against the running backend: CORS and the
websocket answer the app's own origin only, and `POST /_upload` naming an event that takes no
upload is a clean 400 (it was a 500)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
import websocket

from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e

FOREIGN = "https://evil.example"


def _answer(request: urllib.request.Request) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, {k.lower(): v for k, v in refused.headers.items()}, refused.read()


def _websocket_opens(app: RunningApp, origin: str) -> bool:
    url = app.backend_url.replace("http://", "ws://") + "/_event/?EIO=4&transport=websocket"
    try:
        ws = websocket.create_connection(url, origin=origin, timeout=10)
    except websocket.WebSocketBadStatusException:
        return False
    try:
        return str(ws.recv()).startswith("0{")  # the Engine.IO opening packet
    finally:
        ws.close()


def test_only_the_apps_own_origin_may_call_the_backend_or_open_its_websocket(
    app_server: RunningApp,
) -> None:
    ping = f"{app_server.backend_url}/ping"
    _, headers, _ = _answer(urllib.request.Request(ping, headers={"Origin": FOREIGN}))
    assert "access-control-allow-origin" not in headers
    preflight = urllib.request.Request(
        f"{app_server.backend_url}/_upload",
        method="OPTIONS",
        headers={"Origin": FOREIGN, "Access-Control-Request-Method": "POST"},
    )
    status, headers, _ = _answer(preflight)
    assert status == 400 and "access-control-allow-origin" not in headers
    assert not _websocket_opens(app_server, FOREIGN)

    _, headers, _ = _answer(urllib.request.Request(ping, headers={"Origin": app_server.url}))
    assert headers["access-control-allow-origin"] == app_server.url
    assert headers["access-control-allow-credentials"] == "true"
    assert _websocket_opens(app_server, app_server.url)


def test_an_upload_naming_an_event_that_takes_no_files_is_a_clean_400(
    app_server: RunningApp,
) -> None:
    from reflex.utils.format import format_event_handler

    from learning_app.pages.courses.course import CourseState
    from learning_app.pages.sharing.shared_page import SharedPageState

    body = (
        b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.md"\r\n'
        b"Content-Type: text/markdown\r\n\r\n# A\r\n--b--\r\n"
    )
    for handler in (CourseState.load, SharedPageState.load):
        request = urllib.request.Request(
            f"{app_server.backend_url}/_upload",
            data=body,
            method="POST",
            headers={
                "Content-Type": "multipart/form-data; boundary=b",
                "Reflex-Client-Token": str(uuid.uuid4()),
                "Reflex-Event-Handler": format_event_handler(handler),
            },
        )
        status, headers, answer = _answer(request)
        assert status == 400, answer
        assert json.loads(answer) == {"detail": "This address only takes file uploads."}
        assert headers["x-content-type-options"] == "nosniff"

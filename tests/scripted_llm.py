"""A stand-in for OpenAI's chat API on loopback: it streams scripted replies as server-sent
events, as OpenAI does, and keeps every request it was sent.

OpenAI is the one outside provider, so tests may script it; the wire path itself is also tested
against a real local model server (tests/integration/tutor/test_llm_wire.py).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from learning_app.settings import reset_settings_cache

BROKEN_MODEL = "broken"  # a request for this model gets HTTP 500
# Questions as a model drafts them (see services/question_generation.py), all usable.
DRAFTED_QUESTIONS: list[dict[str, Any]] = [
    {
        "type": "single_choice",
        "prompt": "What pulls on the oceans?",
        "options": [{"text": "The moon", "correct": True}, {"text": "The wind", "correct": False}],
        "explanation": "The moon's gravity pulls on the oceans.",
    },
    {"type": "true_false", "prompt": "Most coasts see two high tides a day.", "answer": True},
]

# The streamed pieces of the answer; a dict is sent as an event of its own (an error, say).
Reply = Callable[[dict[str, Any]], list[str] | list[str | dict[str, Any]]]


class ScriptedLlm:
    """`reply(request body)` gives the pieces of the streamed answer."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.requests: list[dict[str, Any]] = []
        # Port 0: the kernel picks a free port as it binds, so nothing can take it first.
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> ScriptedLlm:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        llm = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                llm.requests.append(
                    {"path": self.path, "auth": self.headers["authorization"], **body}
                )
                if body.get("model") == BROKEN_MODEL:
                    self.send_response(500)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()
                for piece in llm.reply(body):
                    chunk = (
                        piece
                        if isinstance(piece, dict)
                        else {  # a dict: an event as is
                            "id": "x",
                            "object": "chat.completion.chunk",
                            "created": 0,
                            "model": body.get("model", ""),
                            "choices": [
                                {"index": 0, "delta": {"content": piece}, "finish_reason": None}
                            ],
                        }
                    )
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def system_prompt(body: dict[str, Any]) -> str:
    messages = body.get("messages") or [{}]
    return str(messages[0].get("content", ""))


@contextlib.contextmanager
def scripted_chat(monkeypatch: pytest.MonkeyPatch, reply: Reply) -> Iterator[ScriptedLlm]:
    """The app's chat model is a scripted server for the block (settings read afresh)."""
    with ScriptedLlm(reply) as server:
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_CHAT_MODEL", "scripted")
        reset_settings_cache()
        try:
            yield server
        finally:
            reset_settings_cache()

"""`bench load --chat-stand-in N`: a stand-in for OpenAI's chat API on loopback that streams
each tutor answer at N tokens a second, as OpenAI does, for next to no CPU of its own.

Without a chat model the tutor answers extractively, in one piece; with OpenAI it streams
an answer token by token, and what the app does per streamed piece (a thread hop, rendering
the answer so far, a state update sent to the browser) is then part of every ask. A real
local model would spend the machine's cores on inference, which OpenAI spends elsewhere, so
the bench streams instead: the answer is the first passages' own sentences, each cited, so
the tutor's checks (no refusal, nothing named that no passage names) let it through.

`ChatServer` is the server itself, whatever it answers; the tests script it
(`tests/scripted_llm.py`).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "stand-in"
# About what "at most five sentences" comes to.
ANSWER_WORDS = 120
_PASSAGE = re.compile(r"^\[(\d+)\] \([^\n]*\)\n(.+?)(?=\n\n\[\d+\] \(|\n\nQuestion: )", re.M | re.S)


@dataclass(frozen=True)
class ChatRequest:
    path: str
    authorization: str
    body: dict[str, Any]


# The streamed pieces of the answer (a dict is sent as an event of its own: an error, say),
# or None for an HTTP 500.
Answer = Callable[[ChatRequest], list[str] | list[str | dict[str, Any]] | None]


class ChatServer:
    """An OpenAI-compatible `/chat/completions` on loopback that streams what `answer` gives,
    `pause_s` between pieces; a context manager. `url` is its base URL (`OPENAI_BASE_URL`)."""

    def __init__(self, answer: Answer, pause_s: float = 0.0) -> None:
        self.answer, self.pause_s = answer, pause_s
        self.answers = 0
        # Port 0: the kernel picks a free port as it binds, so nothing can take it first.
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                request = ChatRequest(self.path, self.headers["authorization"] or "", body)
                pieces = server.answer(request)
                if pieces is None:
                    self.send_response(500)
                    self.end_headers()
                    return
                server.answers += 1
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()
                for piece in pieces:
                    event = piece if isinstance(piece, dict) else _chunk(piece, body)
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                    time.sleep(server.pause_s)
                self.wfile.write(b"data: [DONE]\n\n")

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def _chunk(piece: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "stand-in",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": body.get("model", ""),
        "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
    }


def stand_in_answer(request: ChatRequest) -> list[str]:
    """The streamed pieces (a word each) of an answer made of the passages' own words."""
    messages = request.body.get("messages") or []
    asked = str(messages[-1].get("content", "")) if messages else ""
    words: list[str] = []
    for number, text in _PASSAGE.findall(asked):
        sentence = " ".join(text.split()[: max(0, ANSWER_WORDS - len(words))])
        if sentence:
            words += f"{sentence} [{number}]\n".split(" ")
        if len(words) >= ANSWER_WORDS:
            break
    return [word + " " for word in words] or ["The passages say nothing more. "]


def chat_stand_in(tokens_per_s: float) -> ChatServer:
    """The bench's stand-in: `stand_in_answer` at `tokens_per_s`."""
    return ChatServer(stand_in_answer, pause_s=1.0 / tokens_per_s)

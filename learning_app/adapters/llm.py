"""Chat completions from OpenAI or any OpenAI-compatible server (`OPENAI_BASE_URL`).

With neither `OPENAI_API_KEY` nor `OPENAI_BASE_URL` set there is no chat model, and
`chat_model()` is None: the tutor then answers extractively. Errors and timeouts surface as
`ChatError`, so callers can fall back instead of failing.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from learning_app.settings import get_settings

log = logging.getLogger(__name__)

# Local OpenAI-compatible servers ignore the key, but the client insists on one.
NO_KEY = "not-needed"


class ChatError(Exception):
    """The chat model did not answer (timeout, refused, unreachable). The message is safe to
    show: the provider's own words (which may echo a request or part of a key) are logged."""


# One client per process and settings. Making one builds its TLS context and connection pool
# (~30 ms of CPU, more than ten ordinary page actions), and every tutor answer and, with
# OpenAI's embeddings, every search made its own; a kept client also keeps its connections
# to the API open between calls. The client is safe to share between threads.
_client: tuple[tuple[object, ...], Any] | None = None
_client_lock = threading.Lock()


def openai_client() -> Any:
    import openai

    global _client
    settings = get_settings()
    made_for = (
        os.getpid(),  # a forked worker makes its own (a connection pool is not fork-safe)
        settings.openai_api_key or NO_KEY,
        settings.openai_base_url,
        settings.openai_timeout_seconds,
    )
    with _client_lock:
        if _client is None or _client[0] != made_for:
            client = openai.OpenAI(
                api_key=settings.openai_api_key or NO_KEY,
                base_url=settings.openai_base_url,
                timeout=settings.openai_timeout_seconds,
                max_retries=0,  # the tutor falls back at once rather than keep a student waiting
            )
            _client = (made_for, client)
        return _client[1]


def _streamed_pieces(response: httpx.Response) -> Iterator[str]:
    """The text of each event of an OpenAI chat stream (server-sent events, `data: {json}`
    lines until `data: [DONE]`), read as plain JSON: the SDK's parser built a model object
    per token, which cost 5 times as much CPU for the whole answer."""
    for line in response.iter_lines():
        if not line.startswith("data:"):
            continue  # blank lines between events, comments, `event:` names
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            return
        event = json.loads(data)
        if "error" in event:  # a failure reported inside the stream
            log.warning("chat stream failed: %s", event["error"])
            raise ChatError("the language model failed")
        choices = event.get("choices") or []
        if choices and (content := (choices[0].get("delta") or {}).get("content")):
            yield content


@dataclass(frozen=True)
class ChatModel:
    """One configured chat model; `stream` yields the answer's text as it is generated."""

    model: str
    client: Any

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int = 400) -> Iterator[str]:
        """The answer's text in pieces. Servers that ignore `stream` (cyllama 0.2 answers
        with one JSON completion) are read whole and yield one piece."""
        import openai

        try:
            raw = self.client.chat.completions.with_raw_response.create(
                model=self.model,
                messages=messages,
                stream=True,
                temperature=0.1,
                max_tokens=max_tokens,
            )
            response = raw.http_response
            try:
                if raw.headers.get("content-type", "").startswith("application/json"):
                    body = json.loads(response.read())
                    yield body["choices"][0]["message"]["content"] or ""
                    return
                yield from _streamed_pieces(response)
            finally:
                response.close()
        except (openai.APITimeoutError, httpx.TimeoutException) as exc:
            raise ChatError("the language model took too long to answer") from exc
        except (openai.OpenAIError, httpx.HTTPError) as exc:
            log.warning("chat completion failed: %s", exc)
            raise ChatError("the language model failed") from exc
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise ChatError("the language model sent an answer we could not read") from exc


def chat_model() -> ChatModel | None:
    settings = get_settings()
    if not settings.chat_configured:
        return None
    return ChatModel(model=settings.openai_chat_model, client=openai_client())

"""Chat completions from OpenAI or any OpenAI-compatible server (`OPENAI_BASE_URL`).

With neither `OPENAI_API_KEY` nor `OPENAI_BASE_URL` set there is no chat model, and
`chat_model()` is None: the tutor then answers extractively. Errors and timeouts surface as
`ChatError`, so callers can fall back instead of failing.
"""

from __future__ import annotations

import json
import logging
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


def openai_client() -> Any:
    import openai

    settings = get_settings()
    return openai.OpenAI(
        api_key=settings.openai_api_key or NO_KEY,
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout_seconds,
        max_retries=0,  # the tutor falls back at once rather than keep a student waiting
    )


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
            if raw.headers.get("content-type", "").startswith("application/json"):
                body = json.loads(raw.http_response.read())
                yield body["choices"][0]["message"]["content"] or ""
                return
            for chunk in raw.parse():
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except openai.APITimeoutError as exc:
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

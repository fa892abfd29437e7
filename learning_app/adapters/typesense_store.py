"""The Typesense search client."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

import typesense

from learning_app.settings import get_settings, required


@functools.cache
def _client_for(url: str, api_key: str) -> typesense.Client:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return typesense.Client(
        {
            "nodes": [{"host": parts.hostname, "port": str(port), "protocol": parts.scheme}],
            "api_key": api_key,
            "connection_timeout_seconds": 3,
            "num_retries": 1,
            # A refused connection is retried after this pause; search falls back to Postgres
            # when Typesense is down, and the default second would be added to every search.
            "retry_interval_seconds": 0.1,
        }
    )


def get_typesense() -> typesense.Client:
    settings = get_settings()
    url = required(settings.typesense_url, "TYPESENSE_URL")
    return _client_for(url, settings.typesense_api_key)

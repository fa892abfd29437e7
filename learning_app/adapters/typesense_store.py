"""The Typesense search client.

Services see it through `SearchClient`, the part of the client's tree they walk
(`client.collections[name].documents.import_(...)`), and never import typesense: its errors
reach them under the names below.

Searches (`multi_search`, on every results page) go over kept-alive `http.client`
connections, one per thread; the rest (index writes, aliases, health) through the official
client. Its transport, httpx, cost a search ~0.6 ms more CPU than `http.client` for the same
request (~0.9 against ~0.3 ms) and the search service ~1.5 ms more time at the median (6.5
against 5.1 ms, one student, the load bench's world and queries).
"""

from __future__ import annotations

import functools
import http.client
import json
import threading
from dataclasses import dataclass
from typing import Any, Protocol, cast
from urllib.parse import urlencode, urlsplit

import httpx
import typesense

from learning_app.settings import get_settings, required

SearchError = typesense.exceptions.TypesenseClientError  # the base of the client's own errors
SearchObjectNotFound = typesense.exceptions.ObjectNotFound
SearchRequestRefused = typesense.exceptions.ObjectUnprocessable  # HTTP 422


class SearchUnreachable(SearchError):
    """Typesense could not be reached, or its connection broke during the request."""


# Any failure to reach or use Typesense (the client's errors, its HTTP transport's): search
# falls back to Postgres, jobs retry.
SEARCH_ERRORS: tuple[type[Exception], ...] = (SearchError, httpx.HTTPError)


class Deletable(Protocol):
    def delete(self) -> object: ...


class SearchAlias(Deletable, Protocol):
    def retrieve(self) -> dict[str, Any]: ...


class SearchAliases(Protocol):
    def __getitem__(self, name: str) -> SearchAlias: ...
    def upsert(self, name: str, mapping: dict[str, Any]) -> object: ...


class SearchDocuments(Protocol):
    def __getitem__(self, document_id: str) -> Deletable: ...
    def import_(
        self, documents: list[dict[str, Any]], import_parameters: dict[str, Any]
    ) -> list[dict[str, Any]]: ...
    def export(self, export_parameters: dict[str, Any]) -> str: ...  # JSON lines


class SearchSynonyms(Protocol):
    def __getitem__(self, synonym_id: str) -> Deletable: ...
    def retrieve(self) -> dict[str, Any]: ...
    def upsert(self, synonym_id: str, schema: dict[str, Any]) -> object: ...


class SearchCollection(Deletable, Protocol):
    @property
    def documents(self) -> SearchDocuments: ...
    @property
    def synonyms(self) -> SearchSynonyms: ...


class SearchCollections(Protocol):
    def __getitem__(self, name: str) -> SearchCollection: ...
    def create(self, schema: dict[str, Any]) -> object: ...


class SearchMultiSearch(Protocol):
    def perform(
        self, search_queries: dict[str, Any], common_params: dict[str, Any]
    ) -> dict[str, Any]: ...


class SearchOperations(Protocol):
    def is_healthy(self) -> bool: ...


class SearchClient(Protocol):
    """The Typesense calls the app makes, with the plain dicts it builds and reads."""

    @property
    def aliases(self) -> SearchAliases: ...
    @property
    def collections(self) -> SearchCollections: ...
    @property
    def multi_search(self) -> SearchMultiSearch: ...
    @property
    def operations(self) -> SearchOperations: ...


TIMEOUT_S = 3  # connecting, and each read or write of a request


class KeptAliveMultiSearch:
    """`multi_search.perform` over one kept-alive HTTP connection per thread.

    A connection the server closed while it sat idle (Typesense restarted, say) fails on its
    next request before the server has read it: that request is sent once more on a new
    connection, which is safe, as a search changes nothing. A new connection that fails
    raises `SearchUnreachable` at once: search falls back to Postgres rather than wait.
    """

    def __init__(self, url: str, api_key: str) -> None:
        parts = urlsplit(url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (443 if self._https else 80)
        self._headers = {"X-TYPESENSE-API-KEY": api_key, "Content-Type": "application/json"}
        self._local = threading.local()

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        """This thread's connection, and whether it is new."""
        kept = getattr(self._local, "connection", None)
        if kept is not None:
            return kept, False
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        self._local.connection = kind(self._host, self._port, timeout=TIMEOUT_S)
        return self._local.connection, True

    def _drop_connection(self) -> None:
        self._local.connection.close()
        self._local.connection = None

    def perform(
        self, search_queries: dict[str, Any], common_params: dict[str, Any]
    ) -> dict[str, Any]:
        path = "/multi_search" + (f"?{urlencode(common_params)}" if common_params else "")
        body = json.dumps(search_queries).encode()
        while True:
            connection, new = self._connection()
            try:
                connection.request("POST", path, body, self._headers)
                response = connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                if new or isinstance(exc, TimeoutError):  # a slow server, not a closed one
                    raise SearchUnreachable(0, f"Typesense: {exc!r}") from exc
                continue
            if response.will_close:
                self._drop_connection()
            if response.status != 200:
                raise _error_for(response.status, payload)
            try:
                return cast(dict[str, Any], json.loads(payload))
            except ValueError as exc:
                raise SearchError(response.status, "Typesense answered without JSON") from exc


def _error_for(status: int, payload: bytes) -> SearchError:
    try:
        message = str(json.loads(payload).get("message", ""))
    except ValueError:
        message = payload[:200].decode(errors="replace")
    kinds: dict[int, type[SearchError]] = {404: SearchObjectNotFound, 422: SearchRequestRefused}
    return kinds.get(status, SearchError)(status, message)


@dataclass(frozen=True)
class _Client:
    """The official client, with searches sent by `KeptAliveMultiSearch`."""

    official: typesense.Client
    multi_search: KeptAliveMultiSearch

    @property
    def aliases(self) -> SearchAliases:
        return cast(SearchAliases, self.official.aliases)

    @property
    def collections(self) -> SearchCollections:
        return cast(SearchCollections, self.official.collections)

    @property
    def operations(self) -> SearchOperations:
        return cast(SearchOperations, self.official.operations)


@functools.cache
def _client_for(url: str, api_key: str) -> _Client:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    official = typesense.Client(
        {
            "nodes": [{"host": parts.hostname, "port": str(port), "protocol": parts.scheme}],
            "api_key": api_key,
            "connection_timeout_seconds": TIMEOUT_S,
            "num_retries": 1,
            # A refused connection is retried after this pause; the jobs that write the index
            # retry on their own, and the default second would be added to each of their tries.
            "retry_interval_seconds": 0.1,
        }
    )
    return _Client(official, KeptAliveMultiSearch(url, api_key))


def get_typesense() -> SearchClient:
    settings = get_settings()
    url = required(settings.typesense_url, "TYPESENSE_URL")
    # A cast, not a check: the client types its arguments and answers as TypedDicts, stricter
    # than the dicts the app builds (the server validates them) and reads.
    return cast(SearchClient, _client_for(url, settings.typesense_api_key))

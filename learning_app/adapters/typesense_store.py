"""The Typesense search client.

Services see it through `SearchClient`, the part of the client's tree they walk
(`client.collections[name].documents.import_(...)`), and never import typesense: its errors
reach them under the names below.

Searches (`multi_search`, on every results page) go over kept-alive `http.client`
connections, one per search in flight, sent first and read when the caller is ready for the answer;
the rest (index writes, aliases, health) through the official client. Its transport, httpx,
cost a search ~0.6 ms more CPU than `http.client` for the same request (~0.9 against ~0.3
ms), and the search service ~1 ms more at the median (README, "Search").
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
from dataclasses import dataclass
from select import select
from typing import Any, Protocol, cast
from urllib.parse import urlencode, urlsplit

import httpx
import typesense

from learning_app.adapters.awaited import wait_until_readable
from learning_app.adapters.kept_clients import KeptClients
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


class SearchAnswer(Protocol):
    """A search sent and not read yet (`KeptAliveMultiSearch.start`)."""

    def ready(self) -> bool: ...
    def answer(self) -> dict[str, Any]: ...


class SearchMultiSearch(Protocol):
    def start(self, search_queries: dict[str, Any]) -> SearchAnswer: ...
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
# Typesense closes a connection left idle for somewhere between 30 and 65 s (measured): one
# idle longer than this is replaced before it is used, rather than failing its next search.
IDLE_LIMIT_S = 20.0


class KeptAliveMultiSearch:
    """`multi_search` over kept-alive HTTP connections, each used by one search at a time.

    `start` sends a search and returns at once, so the caller can do other work (search's
    vector leg) while Typesense answers, with no thread of its own for the wait: the answer
    waits in the socket until `PendingSearch.answer` reads it. The search holds its connection
    until then, and gives it back for the next search only once its answer is read: two
    searches in flight on one thread (brief units interleaved on the event loop, each waiting
    on Postgres) never share one.

    A connection the server closed while it sat idle (Typesense restarted, say) fails on its
    next request: that request is sent once more on a new connection, which is safe, as a
    search changes nothing. A new connection that fails raises `SearchUnreachable` at once:
    search falls back to Postgres rather than wait.
    """

    def __init__(self, url: str, api_key: str) -> None:
        parts = urlsplit(url)
        self.scheme = parts.scheme
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (443 if self.scheme == "https" else 80)
        self.headers = {"X-TYPESENSE-API-KEY": api_key, "Content-Type": "application/json"}
        # Connections free for the next search: (connection, last used, process), the most
        # recently used last, so under load the few in use stay warm.
        self._idle: list[tuple[http.client.HTTPConnection, float, int]] = []
        self._lock = threading.Lock()

    def connection(self) -> tuple[http.client.HTTPConnection, bool]:
        """A connection for one search, the caller's until it gives it back (`release`), and
        whether it is new. One that a forked process inherited is never used: its socket is
        the parent's too, and their answers would mix."""
        now, pid = time.monotonic(), os.getpid()
        with self._lock:
            # The least recently used go first: one idle too long is closed, not kept.
            while self._idle and now - self._idle[0][1] >= IDLE_LIMIT_S:
                stale, _, owner = self._idle.pop(0)
                if owner == pid:  # the parent's are left open for the parent
                    stale.close()
            while self._idle:
                kept, _, owner = self._idle.pop()
                if owner == pid:
                    return kept, False
        kind = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return kind(self.host, self.port, timeout=TIMEOUT_S), True

    def release(self, connection: http.client.HTTPConnection) -> None:
        """Give back a connection whose answer has been read, for the next search."""
        with self._lock:
            self._idle.append((connection, time.monotonic(), os.getpid()))

    def drop(self, connection: http.client.HTTPConnection) -> None:
        """Close `connection` rather than give it back."""
        connection.close()

    def close(self) -> None:
        """Close this process's idle connections (one in a search's hands is its own)."""
        pid = os.getpid()
        with self._lock:
            idle, self._idle = self._idle, []
        for connection, _, owner in idle:
            if owner == pid:
                connection.close()

    def start(
        self, search_queries: dict[str, Any], common_params: dict[str, Any] | None = None
    ) -> PendingSearch:
        query = f"?{urlencode(common_params)}" if common_params else ""
        return PendingSearch(self, "/multi_search" + query, json.dumps(search_queries).encode())

    def perform(
        self, search_queries: dict[str, Any], common_params: dict[str, Any]
    ) -> dict[str, Any]:
        return self.start(search_queries, common_params).answer()


class PendingSearch:
    """A search sent on a connection of its own and not yet read. One never read keeps its
    connection out of use, so its answer spoils no other search."""

    def __init__(self, sender: KeptAliveMultiSearch, path: str, body: bytes) -> None:
        self._sender, self._path, self._body = sender, path, body
        self._connection, self._new = sender.connection()
        self._failure: Exception | None = None
        try:
            self._connection.request("POST", path, body, sender.headers)
        except (OSError, http.client.HTTPException) as exc:
            self._fail(exc)

    def _fail(self, exc: Exception) -> None:
        self._failure = exc
        self._sender.drop(self._connection)

    def ready(self) -> bool:
        """Whether reading the answer now would not wait (it has come, or sending failed)."""
        sock = self._connection.sock
        return self._failure is not None or sock is None or bool(select([sock], [], [], 0)[0])

    def answer(self) -> dict[str, Any]:
        """The answer, waited for on the event loop inside `awaited.run_awaited` (a brief
        unit), in the calling thread elsewhere."""
        if self._failure is None:
            try:
                if self._connection.sock is not None:
                    wait_until_readable(self._connection.sock, TIMEOUT_S)
                response = self._connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self._fail(exc)
            else:
                if response.will_close:
                    self._sender.drop(self._connection)
                else:
                    self._sender.release(self._connection)
                return _answer_of(response.status, payload)
        if self._new or isinstance(self._failure, TimeoutError):  # a slow server, not a closed one
            raise SearchUnreachable(0, f"Typesense: {self._failure!r}") from self._failure
        return PendingSearch(self._sender, self._path, self._body).answer()


def _answer_of(status: int, payload: bytes) -> dict[str, Any]:
    if status != 200:
        raise _error_for(status, payload)
    try:
        return cast(dict[str, Any], json.loads(payload))
    except ValueError as exc:
        raise SearchError(status, "Typesense answered without JSON") from exc


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

    def close(self) -> None:
        """Close the official client's connections and the searches' idle ones."""
        self.official.api_call.close()
        self.multi_search.close()


def _new_client(url: str, api_key: str) -> _Client:
    search = KeptAliveMultiSearch(url, api_key)
    official = typesense.Client(
        {
            "nodes": [{"host": search.host, "port": str(search.port), "protocol": search.scheme}],
            "api_key": api_key,
            "connection_timeout_seconds": TIMEOUT_S,
            "num_retries": 1,
            # A refused connection is retried after this pause; the jobs that write the index
            # retry on their own, and the default second would be added to each of their tries.
            "retry_interval_seconds": 0.1,
        }
    )
    return _Client(official, search)


_clients: KeptClients[_Client] = KeptClients(_new_client, _Client.close)


def close_search_clients() -> None:
    """Close the clients' kept connections (a process that stops); used again, new clients
    are made."""
    _clients.close_all()


def get_typesense() -> SearchClient:
    settings = get_settings()
    url = required(settings.typesense_url, "TYPESENSE_URL")
    # A cast, not a check: the client types its arguments and answers as TypedDicts, stricter
    # than the dicts the app builds (the server validates them) and reads.
    return cast(SearchClient, _clients.get(url, settings.typesense_api_key))

"""The Typesense search client.

Services see it through `SearchClient`, the part of the client's tree they walk
(`client.collections[name].documents.import_(...)`), and never import typesense: its errors
reach them under the names below.
"""

from __future__ import annotations

import functools
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

import httpx
import typesense

from learning_app.settings import get_settings, required

SearchError = typesense.exceptions.TypesenseClientError  # the base of the client's own errors
SearchObjectNotFound = typesense.exceptions.ObjectNotFound
SearchRequestRefused = typesense.exceptions.ObjectUnprocessable  # HTTP 422

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


def get_typesense() -> SearchClient:
    settings = get_settings()
    url = required(settings.typesense_url, "TYPESENSE_URL")
    # A cast, not a check: the client types its arguments and answers as TypedDicts, stricter
    # than the dicts the app builds (the server validates them) and reads.
    return cast(SearchClient, _client_for(url, settings.typesense_api_key))

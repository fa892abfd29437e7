"""The store ports: the real clients have what each port names, and "unreachable" becomes
ServiceUnavailable.

No server is contacted: building the clients and walking the Typesense client's tree is local.
"""

from __future__ import annotations

import pytest
from typing_extensions import get_protocol_members

from learning_app.adapters import redis_store, s3_store, typesense_store
from learning_app.adapters.redis_store import KeyValuePipeline, KeyValueStore, StoredScript
from learning_app.adapters.s3_store import ObjectStore
from learning_app.adapters.typesense_store import (
    Deletable,
    SearchAlias,
    SearchAliases,
    SearchClient,
    SearchCollection,
    SearchCollections,
    SearchDocuments,
    SearchMultiSearch,
    SearchOperations,
    SearchSynonyms,
)
from learning_app.services.errors import ServiceUnavailable, unavailable_on


def _missing(client: object, port: type) -> set[str]:
    return {name for name in get_protocol_members(port) if not hasattr(client, name)}


def test_the_redis_client_has_every_command_of_its_port() -> None:
    client = redis_store.get_redis()
    assert _missing(client, KeyValueStore) == set()
    assert _missing(client.pipeline(transaction=True), KeyValuePipeline) == set()
    assert _missing(client.register_script("return 1"), StoredScript) == set()


def test_the_s3_client_has_every_call_of_its_port() -> None:
    assert _missing(s3_store.get_s3(), ObjectStore) == set()


def test_the_typesense_client_has_every_part_of_its_port() -> None:
    client = typesense_store.get_typesense()
    collection = client.collections["c"]
    parts: list[tuple[object, type]] = [
        (client, SearchClient),
        (client.aliases, SearchAliases),
        (client.aliases["a"], SearchAlias),
        (client.collections, SearchCollections),
        (collection, SearchCollection),
        (collection.documents, SearchDocuments),
        (collection.documents["1"], Deletable),
        (collection.synonyms, SearchSynonyms),
        (collection.synonyms["s"], Deletable),
        (client.multi_search, SearchMultiSearch),
        (client.operations, SearchOperations),
    ]
    missing = {port.__name__: _missing(part, port) for part, port in parts}
    assert not any(missing.values()), missing


def test_unreachable_store_errors_become_service_unavailable() -> None:
    with pytest.raises(ServiceUnavailable) as caught, unavailable_on(redis_store.REDIS_UNREACHABLE):
        raise redis_store.REDIS_UNREACHABLE[0]("Connection refused")
    assert str(caught.value) == ServiceUnavailable.default_message
    assert isinstance(caught.value.__cause__, redis_store.REDIS_UNREACHABLE[0])


def test_other_errors_pass_through_the_guard() -> None:
    with pytest.raises(KeyError), unavailable_on(redis_store.REDIS_UNREACHABLE):
        raise KeyError("not a store outage")

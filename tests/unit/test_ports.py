"""The store ports: the real clients have what each port names, and "unreachable" becomes
ServiceUnavailable.

No server is contacted: building the clients is local.
"""

from __future__ import annotations

import pytest
from typing_extensions import get_protocol_members

from learning_app.adapters import redis_store, s3_store
from learning_app.adapters.redis_store import KeyValuePipeline, KeyValueStore, StoredScript
from learning_app.adapters.s3_store import ObjectStore
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


def test_unreachable_store_errors_become_service_unavailable() -> None:
    with pytest.raises(ServiceUnavailable) as caught, unavailable_on(redis_store.REDIS_UNREACHABLE):
        raise redis_store.REDIS_UNREACHABLE[0]("Connection refused")
    assert str(caught.value) == ServiceUnavailable.default_message
    assert isinstance(caught.value.__cause__, redis_store.REDIS_UNREACHABLE[0])


def test_other_errors_pass_through_the_guard() -> None:
    with pytest.raises(KeyError), unavailable_on(redis_store.REDIS_UNREACHABLE):
        raise KeyError("not a store outage")

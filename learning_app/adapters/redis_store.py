"""The app's Redis: sessions, one-time tokens, rate limits, event buffers.

Services see it through `KeyValueStore`, the commands they use, and never import redis: what
"Redis is unreachable" means to them is `REDIS_UNREACHABLE`. A unit of work about to run on an
app worker's event loop (`adapters/loop_units.py`) sends its round trips to Redis through
`AsyncKeyValueStore` before and after the unit instead, so the loop serves other tabs while
Redis answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from typing import Any, Protocol, cast

import redis
import redis.asyncio
import redis.utils

from learning_app.adapters.kept_clients import KeptClients
from learning_app.adapters.per_loop import PerLoop
from learning_app.settings import get_settings, required

# Connection refused or dropped, or no answer in time: the callers turn these into "try later".
REDIS_UNREACHABLE: tuple[type[Exception], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


class StoredScript(Protocol):
    """A Lua script registered once and run by its hash (EVALSHA); returns what the script does."""

    def __call__(
        self, keys: Sequence[str] | None = None, args: Sequence[str | int] | None = None
    ) -> Any: ...


class KeyValuePipeline(Protocol):
    """Commands queued and sent together; `execute` returns their answers in order."""

    def hset(self, name: str, *, mapping: dict[str, str]) -> object: ...
    def expire(self, name: str, time: int) -> object: ...
    def sadd(self, name: str, *values: str) -> object: ...
    def srem(self, name: str, *values: str) -> object: ...
    def delete(self, *names: str) -> object: ...
    def execute(self) -> list[Any]: ...


class KeyValueStore(Protocol):
    """The Redis commands the app uses, with the answers of a client that decodes to `str`."""

    def ping(self) -> bool: ...
    def get(self, name: str) -> str | None: ...
    def set(self, name: str, value: str, ex: int | None = None) -> bool | None: ...
    def getdel(self, name: str) -> str | None: ...
    def delete(self, *names: str) -> int: ...
    def hget(self, name: str, key: str) -> str | None: ...
    def smembers(self, name: str) -> AbstractSet[str]: ...
    def lpush(self, name: str, *values: str) -> int: ...
    def lrange(self, name: str, start: int, end: int) -> list[str]: ...
    def llen(self, name: str) -> int: ...
    def eval(self, script: str, numkeys: int, *keys_and_args: str | int) -> Any: ...
    def pipeline(self, transaction: bool = True) -> KeyValuePipeline: ...
    def register_script(self, script: str) -> StoredScript: ...
    def __hash__(self) -> int: ...  # services cache their registered scripts per client


class AsyncStoredScript(Protocol):
    """`StoredScript`, awaited."""

    async def __call__(
        self, keys: Sequence[str] | None = None, args: Sequence[str | int] | None = None
    ) -> Any: ...


class AsyncKeyValueStore(Protocol):
    """The commands sent from an event loop without blocking it, answers decoded to `str`."""

    async def get(self, name: str) -> str | None: ...
    async def set(self, name: str, value: str, ex: int | None = None) -> bool | None: ...
    async def delete(self, *names: str) -> int: ...
    async def lpush(self, name: str, *values: str) -> int: ...
    def register_script(self, script: str) -> AsyncStoredScript: ...


def _read_library_version_once() -> None:
    """Make redis-py read its own version once per process, not once per connection.

    Each connection it opens names the client to Redis (`CLIENT SETINFO`), and redis-py 7
    looks its version up in the installed packages' metadata every time: a walk of `sys.path`
    whose file system calls each give up the GIL. On an app worker under load that was ~0.5
    ms a connection, and 40-150 ms of its event loop when hundreds of tabs closed at once and
    Reflex's state client (which the app does not create) opened connections for them. The
    version cannot change while the process runs.
    """
    version = redis.utils.get_lib_version()
    redis.utils.get_lib_version = lambda: version


_read_library_version_once()


_CLIENT_OPTIONS: dict[str, Any] = {
    "decode_responses": True,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "health_check_interval": 30,
}


def _new_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, **_CLIENT_OPTIONS)


_clients: KeptClients[redis.Redis] = KeptClients(_new_client, redis.Redis.close)


# An asyncio client's connections belong to the loop that opened them: one client per loop
# and URL (an app worker has one loop).
_async_clients: PerLoop[dict[str, redis.asyncio.Redis]] = PerLoop(dict)


def get_redis() -> KeyValueStore:
    # A cast, not a check: redis-py annotates every answer as "value or awaitable" for its sync
    # and asyncio clients alike, and only `decode_responses=True` above makes the values `str`.
    return cast(KeyValueStore, _clients.get(required(get_settings().redis_url, "REDIS_URL")))


def get_async_redis() -> AsyncKeyValueStore:
    """The app's Redis for the running event loop."""
    url = required(get_settings().redis_url, "REDIS_URL")
    clients = _async_clients.get()
    client = clients.get(url)
    if client is None:
        client = clients[url] = redis.asyncio.Redis.from_url(url, **_CLIENT_OPTIONS)
    return cast(AsyncKeyValueStore, client)


def close_redis_clients() -> None:
    """Close the blocking clients' connections (a process that stops); used again, new
    clients are made."""
    _clients.close_all()


async def close_async_redis() -> None:
    """Close the running loop's clients, before a loop that used them ends
    (`closing.close_loop_connections`)."""
    for client in (_async_clients.pop() or {}).values():
        await client.aclose()

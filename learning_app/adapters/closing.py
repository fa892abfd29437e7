"""What an app worker closes when it stops: its connections to the stores, each ended the way
its protocol ends one (Postgres's Terminate message, Redis's and Typesense's sockets shut),
instead of being left to the kernel when the process exits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from learning_app.adapters.postgres import dispose_awaited_engines, dispose_engines
from learning_app.adapters.redis_store import close_async_redis
from learning_app.adapters.typesense_store import close_search_clients


async def close_connections() -> None:
    """Close this process's connections: the running loop's own (Redis, awaited Postgres),
    then the threads' pools. A store used after this opens new ones."""
    await close_async_redis()
    await dispose_awaited_engines()
    close_search_clients()
    dispose_engines()


@asynccontextmanager
async def connections_closed_at_exit() -> AsyncIterator[None]:
    """An app lifespan step: on the way out, `close_connections`. Registered before the
    others, it runs after them (the in-app job worker stops first)."""
    try:
        yield
    finally:
        await close_connections()

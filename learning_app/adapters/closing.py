"""What an app worker closes when it stops: its connections to the stores, each ended the way
its protocol ends one (Postgres's Terminate message; Redis's, Typesense's and S3's sockets
shut), instead of being left to the kernel when the process exits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from learning_app.adapters.postgres import dispose_awaited_engines, dispose_engines
from learning_app.adapters.redis_store import close_async_redis, close_redis_clients
from learning_app.adapters.s3_store import close_s3_clients
from learning_app.adapters.typesense_store import close_search_clients


async def close_loop_connections() -> None:
    """Close the running loop's own connections (its Redis client, its awaited Postgres
    engines), which only that loop can close: before it ends."""
    await close_async_redis()
    await dispose_awaited_engines()


async def close_connections() -> None:
    """Close this process's connections: the running loop's own, then the kept clients and
    the threads' pools. A store used after this opens new ones."""
    await close_loop_connections()
    close_redis_clients()
    close_search_clients()
    close_s3_clients()
    dispose_engines()


@asynccontextmanager
async def connections_closed_at_exit() -> AsyncIterator[None]:
    """An app lifespan step: on the way out, `close_connections`. Registered before the
    others, it runs after them (the in-app job worker stops first)."""
    try:
        yield
    finally:
        await close_connections()

"""Blocking code whose waits are awaited on the event loop.

A brief unit of work runs on the event loop (`adapters/loop_units.py`) inside `run_awaited`:
a greenlet that hands each wait on a store to the loop and resumes when it is over, so the
loop serves other events meanwhile. The hand-over is SQLAlchemy's greenlet bridge, the one
its asyncio extension runs on: a session on `postgres.get_awaited_engine` awaits its
statements that way, and `wait_until_readable` lets other adapters (a search's answer from
Typesense) do the same. Outside `run_awaited` they block as usual.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.util.concurrency import await_, greenlet_spawn, in_greenlet

T = TypeVar("T")


async def run_awaited(call: Callable[[], T]) -> T:
    """`call()` on the running loop, its waits on stores awaited there. Everything else it
    does holds the loop, as any code on it would."""
    return await greenlet_spawn(call)


def wait_until_readable(sock: socket.socket, timeout_s: float) -> None:
    """Inside `run_awaited`, wait on the loop until `sock` has something to read, raising
    TimeoutError after `timeout_s`; elsewhere return at once (the read that follows waits)."""
    if in_greenlet():
        await_(_readable(sock, timeout_s))


async def _readable(sock: socket.socket, timeout_s: float) -> None:
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    fileno = sock.fileno()
    loop.add_reader(fileno, lambda: ready.done() or ready.set_result(None))
    try:
        await asyncio.wait_for(ready, timeout_s)
    finally:
        loop.remove_reader(fileno)

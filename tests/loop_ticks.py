"""How often a 10 ms timer fires on the running event loop while something runs: about once
per 10 ms when the loop is free, never while something holds it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class LoopTicks:
    def __init__(self) -> None:
        self.count = 0


@contextlib.asynccontextmanager
async def loop_ticks() -> AsyncIterator[LoopTicks]:
    ticks = LoopTicks()

    async def tick() -> None:
        while True:
            await asyncio.sleep(0.01)
            ticks.count += 1

    ticking = asyncio.create_task(tick())
    await asyncio.sleep(0)  # started before the body runs
    try:
        yield ticks
    finally:
        ticking.cancel()

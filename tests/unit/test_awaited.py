"""Blocking code whose waits are awaited on the event loop (`adapters/awaited.py`)."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest

from learning_app.adapters.awaited import run_awaited, wait_until_readable
from tests.loop_ticks import loop_ticks


def _ticking_while(timeout_s: float) -> tuple[int, BaseException | None]:
    """Wait on a socket that becomes readable after 0.2 s, with a ticker on the same loop;
    how often the ticker ticked meanwhile, and what the wait raised."""

    async def scenario() -> tuple[int, BaseException | None]:
        reader, writer = socket.socketpair()
        asyncio.get_running_loop().call_later(0.2, writer.send, b"x")
        failure: BaseException | None = None
        try:
            async with loop_ticks() as ticks:
                await run_awaited(lambda: wait_until_readable(reader, timeout_s))
        except TimeoutError as exc:
            failure = exc
        finally:
            reader.close()
            writer.close()
        return ticks.count, failure

    return asyncio.run(scenario())


def test_inside_run_awaited_the_loop_serves_others_while_a_socket_is_waited_for() -> None:
    ticks, failure = _ticking_while(timeout_s=3)
    assert failure is None and ticks >= 5  # ~20 in the 0.2 s


def test_a_socket_that_stays_silent_past_the_timeout_raises_timeout_error() -> None:
    _, failure = _ticking_while(timeout_s=0.05)
    assert isinstance(failure, TimeoutError)


def test_outside_run_awaited_it_returns_at_once() -> None:
    reader, writer = socket.socketpair()
    with reader, writer:
        wait_until_readable(reader, 0.01)  # nothing to read, and no loop to wait on


def test_run_awaited_returns_the_result_and_raises_the_error_of_its_call() -> None:
    assert asyncio.run(run_awaited(threading.get_ident)) == threading.get_ident()
    with pytest.raises(ZeroDivisionError):
        asyncio.run(run_awaited(lambda: 1 / 0))

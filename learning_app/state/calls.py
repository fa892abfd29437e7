"""How states call services: off the event loop, so a slow query never stalls other users."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlmodel import Session

from learning_app.adapters.postgres import session_scope

P = ParamSpec("P")
T = TypeVar("T")

UNAVAILABLE_MESSAGE = "This part of the app is unavailable right now. Please try again in a moment."


async def call_service(func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a blocking service function in a worker thread and return its result."""
    return await asyncio.to_thread(func, *args, **kwargs)


async def call_with_session(
    func: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run `func(session, ...)` in one transaction, in a worker thread."""

    def unit_of_work() -> T:
        with session_scope() as session:
            return func(session, *args, **kwargs)

    return await asyncio.to_thread(unit_of_work)

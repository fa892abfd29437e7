"""A tab's state tree, let go once Reflex has written it back to Redis.

Reflex keeps a tab's states as a tree whose links run both ways: each state holds its
substates, and each substate its `parent_state`. When a worker's lease on a tab ends (or an
event runs without one), Reflex writes the tree back to Redis and drops it, and a tree that
refers to itself is garbage only the cyclic collector frees. A worker under load dropped
~200 trees between two full collections, ~45,000 objects, and each full collection stopped
every tab on that worker for 50-160 ms (README, "Twenty-fifth session").

`release_written_trees` cuts the downward links of each tree Reflex has just written, so
reference counting frees it as soon as Reflex lets go of it. The upward links stay: a state
still held elsewhere (a background task's proxy between its `async with self` blocks) keeps
its own vars and its parents, and a sibling it asks for comes from Redis, as a state not in
the tree always does (`BaseState.get_state`).
"""

from __future__ import annotations

import functools
from typing import Any

from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.shared import SharedStateBaseInternal
from reflex.state import BaseState


def cut_substate_links(root: BaseState) -> None:
    """Empty the `substates` of every state in the tree under `root`, except under shared
    states (`rx.SharedState`, none in this app), which Reflex links into several tabs' trees:
    the tab's tree lets go of them, and they keep their own links."""
    stack = [root]
    while stack:
        state = stack.pop()
        if isinstance(state, SharedStateBaseInternal):
            continue
        stack.extend(state.substates.values())
        state.substates.clear()


def release_written_trees() -> None:
    """Once per process: every tree Reflex's Redis state manager writes is let go after it."""
    if getattr(StateManagerRedis.set_state, "releases_written_trees", False):
        return
    write = StateManagerRedis.set_state

    @functools.wraps(write)
    async def set_state(self: StateManagerRedis, token: Any, state: Any, **kwargs: Any) -> None:
        await write(self, token, state, **kwargs)
        # Every caller in Reflex drops the whole tree after writing it: the lease's flush,
        # and an event that ran without a lease.
        if isinstance(state, BaseState) and state.parent_state is None:
            cut_substate_links(state)

    set_state.releases_written_trees = True  # type: ignore[attr-defined]
    StateManagerRedis.set_state = set_state  # type: ignore[method-assign]

"""Cutting a written-back state tree's links (`state/written_trees.py`), without a store: every
state lets go of its substates, and a shared state, which Reflex links into several tabs'
trees, keeps its own."""

from __future__ import annotations

from reflex.istate.shared import SharedStateBaseInternal
from reflex.state import BaseState, State

import learning_app.learning_app  # noqa: F401 - registers the page states under AuthState
from learning_app.state.written_trees import cut_substate_links


def _states(root: BaseState) -> list[BaseState]:
    found, stack = [], [root]
    while stack:
        state = stack.pop()
        found.append(state)
        stack.extend(state.substates.values())
    return found


def test_every_state_lets_go_of_its_substates_and_keeps_its_parent() -> None:
    root = State(_reflex_internal_init=True)
    states = _states(root)
    assert len(states) > 40  # a new tab's whole tree
    shared = next(s for s in states if isinstance(s, SharedStateBaseInternal))
    linked = object()
    shared.substates["linked elsewhere"] = linked  # type: ignore[assignment]
    cut_substate_links(root)
    for state in states:
        if state is shared:
            assert shared.substates == {"linked elsewhere": linked}
        else:
            assert state.substates == {}
        assert state is root or state.parent_state is not None

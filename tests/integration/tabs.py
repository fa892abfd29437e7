"""A page state as one browser tab holds it, for tests that drive states the way Reflex does."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from reflex.istate.data import PageData
from reflex.state import BaseState, State
from reflex_base.utils.format import json_dumps

import learning_app.learning_app  # noqa: F401 - registers the page states under AuthState
from learning_app.state.auth import AuthState

S = TypeVar("S", bound=BaseState)


def tab_state(cls: type[S], token: str, **route_args: str) -> S:
    """`cls` in a fresh browser tab signed in with `token`, on a page whose dynamic route
    segments (`[attempt_id]`, ...) hold `route_args`."""
    root = State(_reflex_internal_init=True)
    set_session_cookie(root, token)
    auth = root.substates[AuthState.get_name()]
    assert isinstance(auth, AuthState)
    state = auth.substates[cls.get_name()]
    assert isinstance(state, cls)
    state.rx_router_page = PageData(params=route_args)
    return state


def set_session_cookie(root: State, token: str) -> None:
    """The tab's session, as its websocket's handshake would carry it in the cookie."""
    auth = root.substates[AuthState.get_name()]
    assert isinstance(auth, AuthState)
    auth._set_session_token(token)


def session_cookie(state: BaseState) -> str:
    """The session the tab acts for ("" once signed out)."""
    auth = state._get_root_state().substates[AuthState.get_name()]
    assert isinstance(auth, AuthState)
    return auth._token


def sent_to_browser(state: BaseState) -> dict[str, Any]:
    """The state's own vars, serialised as Reflex sends them over the websocket."""
    own = state.dict(include_computed=False)[state.get_full_name()]
    return json.loads(json_dumps(own))

"""The session cookie is HttpOnly: the server's own responses set and clear it, from a one-time
code the signing-in event hands off (`cookie_handoff`), and a tab reads it from the cookie its
websocket connected with. Attacked as a browser would be: posts from other sites, replayed and
forged codes, a `next` that leaves the site."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from reflex.istate.data import HeaderData, SessionData
from reflex.state import State
from reflex_base.utils.format import json_dumps
from starlette.testclient import TestClient

import learning_app.learning_app  # noqa: F401 - registers the page states under AuthState
from learning_app.adapters.redis_store import get_redis
from learning_app.health_api import SIGN_IN_EXPIRED, build_http_api
from learning_app.services.accounts import cookie_handoff, sessions
from learning_app.services.accounts.sessions import SESSION_COOKIE
from learning_app.settings import get_settings
from learning_app.state.auth import AuthState

OWN_PAGE = {"Origin": get_settings().allowed_origins[0]}
SITE = get_settings().public_base_url.rstrip("/")


def _post(path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> object:
    client = TestClient(build_http_api())
    return client.post(
        path, data=fields, headers=OWN_PAGE if headers is None else headers, follow_redirects=False
    )


def _cookie_flags(set_cookie: str) -> set[str]:
    return {part.strip().lower() for part in set_cookie.split(";")[1:]}


def test_a_handed_off_code_sets_an_httponly_cookie_once(student: str) -> None:
    code = cookie_handoff.hand_off(student)
    answer = _post("/session/start", {"code": code})
    assert answer.status_code == 204
    set_cookie = answer.headers["set-cookie"]
    assert set_cookie.startswith(f"{SESSION_COOKIE}={student};")
    assert {"httponly", "samesite=lax", "path=/", f"max-age={sessions.SESSION_TTL_SECONDS}"} <= (
        _cookie_flags(set_cookie)
    )
    assert "secure" not in _cookie_flags(set_cookie)  # the dev address is plain http
    assert answer.headers["cache-control"] == "no-store"

    replayed = _post("/session/start", {"code": code})
    assert (replayed.status_code, replayed.text) == (400, SIGN_IN_EXPIRED)
    assert "set-cookie" not in replayed.headers


@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": "https://evil.example"}, {"Origin": "null"}, {"Referer": f"{SITE}/"}],
    ids=["no origin", "another site", "opaque origin", "a referer alone"],
)
def test_only_the_apps_own_pages_may_set_or_clear_the_cookie(
    student: str, headers: dict[str, str]
) -> None:
    code = cookie_handoff.hand_off(student)
    for path in ("/session/start", "/session/end"):
        refused = _post(path, {"code": code}, headers)
        assert refused.status_code == 403
        assert "set-cookie" not in refused.headers
    # A refused post did not use the code up.
    assert _post("/session/start", {"code": code}).headers["set-cookie"]


def test_the_code_lives_a_minute_and_redis_keeps_only_its_hash(student: str) -> None:
    code = cookie_handoff.hand_off(student)
    key = f"session_handoff:{sessions.token_hash(code)}"
    assert 0 < get_redis().ttl(key) <= 60
    assert not [k for k in get_redis().keys("*") if code in str(k)]


def test_a_forged_code_or_one_for_an_ended_session_signs_no_one_in(student: str) -> None:
    code = cookie_handoff.hand_off(student)
    sessions.end_session(student)
    for fields in (
        {"code": code},
        {"code": "A" * 43},
        {"code": student},  # the session id itself is no code
        {"code": "not a code at all"},
        {},
    ):
        answer = _post("/session/start", fields)
        assert answer.status_code == 400
        assert "set-cookie" not in answer.headers


def test_signing_out_clears_the_cookie() -> None:
    answer = _post("/session/end", {})
    assert answer.status_code == 204
    set_cookie = answer.headers["set-cookie"]
    assert set_cookie.startswith(f'{SESSION_COOKIE}="";')
    assert {"httponly", "samesite=lax", "path=/", "max-age=0"} <= _cookie_flags(set_cookie)


def test_the_cookie_header_yields_only_a_well_formed_session_id(student: str) -> None:
    read = cookie_handoff.token_in_cookie_header
    assert read(f"theme=dark; {SESSION_COOKIE}={student}; other=1") == student
    assert read(f'{SESSION_COOKIE}="{student}"') == student
    assert read("") == read(f"{SESSION_COOKIE}=") == ""
    assert read(f"{SESSION_COOKIE}=../../etc; x=1") == ""
    assert read(f"x{SESSION_COOKIE}={student}") == ""


def _tab_on(connection: str, cookie: str, root: State | None = None) -> AuthState:
    """The tab's AuthState as an event on websocket `connection`, whose handshake sent the
    `Cookie` header `cookie`, finds it."""
    root = root or State(_reflex_internal_init=True)
    tab = root.substates[AuthState.get_name()]
    assert isinstance(tab, AuthState)
    tab.rx_router_session = SessionData(session_id=connection)
    tab.rx_router_headers = HeaderData(cookie=cookie)
    return tab


def test_a_tab_reads_its_session_from_each_connections_cookie(student: str, teacher: str) -> None:
    tab = _tab_on("socket-1", f"{SESSION_COOKIE}={student}")
    assert asyncio.run(tab._session_token()) == student

    # Signing out on this connection holds, whatever its handshake carried.
    asyncio.run(tab._forget_session())
    assert asyncio.run(tab._session_token()) == ""

    # A new connection (a reload, a reconnect, another server) reads its own handshake.
    root = tab._get_root_state()
    tab = _tab_on("socket-2", f"{SESSION_COOKIE}={teacher}", root)
    assert asyncio.run(tab._session_token()) == teacher
    tab = _tab_on("socket-3", "", root)
    assert asyncio.run(tab._session_token()) == ""
    assert asyncio.run(tab._recently_signed_in()) is False


def test_a_lost_tab_state_keeps_the_session_its_connection_signed_in_to(
    student: str, teacher: str
) -> None:
    """A visitor signs in on a socket that connected before the cookie existed. When Reflex
    loses the tab's state while the socket stays open (it expires after an hour without an
    event), the fresh state on that connection still acts for the session; no other
    connection does, and after signing out neither does this one."""
    from learning_app.pages.accounts.sign_in import SignInState

    connection, other = f"socket-{uuid.uuid4().hex}", f"socket-{uuid.uuid4().hex}"
    tab = _tab_on(connection, "")
    asyncio.run(tab._start_session(student, SignInState.cookie_set))

    lost = _tab_on(connection, "")  # a fresh state: nothing of the one that signed in
    assert asyncio.run(lost._session_token()) == student
    assert asyncio.run(lost._recently_signed_in()) is True
    assert asyncio.run(_tab_on(other, "")._session_token()) == ""
    # A handshake's own cookie comes first (the page was loaded signed in).
    assert asyncio.run(_tab_on(connection, f"{SESSION_COOKIE}={teacher}")._session_token()) == (
        teacher
    )

    asyncio.run(lost._forget_session())
    assert asyncio.run(_tab_on(connection, "")._session_token()) == ""


def test_no_session_id_reaches_the_browser_in_the_state(student: str) -> None:
    tab = _tab_on("socket-1", f"{SESSION_COOKIE}={student}")
    asyncio.run(tab._recently_signed_in())
    assert tab.viewer_name == "Ada"
    assert student not in json_dumps(tab._get_root_state().dict())


def test_a_sign_in_whose_cookie_post_failed_ends_its_session(student: str) -> None:
    tab = _tab_on("socket-1", "")
    tab._set_session_token(student)
    assert asyncio.run(tab._cookie_set(False, "/courses")) is None
    assert asyncio.run(tab._session_token()) == ""
    assert sessions.resolve_session(student) is None  # no session only this tab knew is left


def test_a_kept_cookie_leads_on_to_the_page_asked_for(student: str) -> None:
    tab = _tab_on("socket-1", "")
    tab._set_session_token(student)
    go_on = asyncio.run(tab._cookie_set(True, "/courses"))
    assert go_on is not None and "/courses" in str(go_on.args)
    assert asyncio.run(tab._session_token()) == student


def test_signing_out_ends_the_session_and_has_the_page_clear_the_cookie(student: str) -> None:
    from learning_app.pages.courses.my_courses import MyCoursesState
    from tests.integration.tabs import session_cookie, tab_state

    tab = tab_state(MyCoursesState, student)
    events = asyncio.run(tab.sign_out())
    assert "/session/end" in str(events[0]) and "'/'" in str(events[1])
    assert session_cookie(tab) == ""
    assert sessions.resolve_session(student) is None


def test_signing_out_everywhere_also_has_the_page_clear_the_cookie(student: str) -> None:
    from learning_app.pages.accounts.settings import AccountSettingsState
    from tests.integration.tabs import session_cookie, tab_state

    tab = tab_state(AccountSettingsState, student)

    async def updates() -> list[object]:
        return [update async for update in tab.sign_out_everywhere()]

    *_, events = asyncio.run(updates())
    assert "/session/end" in str(events) and "/sign-in" in str(events)
    assert session_cookie(tab) == "" and not tab.error
    assert sessions.resolve_session(student) is None

"""Who is signed in. The browser holds only an opaque session id, in an HttpOnly cookie no
script can read; everything else is resolved on the server, from Redis and Postgres, on every
event that needs a user.

Page states that act for a user subclass `AuthState` and pass `await self._session_token()` to a
service: services take the token, never a user id sent by the browser.

The tab's session id is read from the cookie its websocket connected with (the handshake's
`Cookie` header), once per connection, and kept in `AuthState`'s backend vars. Signing in or out
happens in a websocket event, whose answer cannot set a cookie, so the event has the page post
to `/session/start` or `/session/end` (`health_api`), whose answers set or clear it
(`cookie_handoff`). No client-storage var is left, so Reflex sends no `update_vars_internal`
event before a page change's `on_load_internal`. A page's viewer check runs inside the page's
own load (`opens_page`), so opening a page loads the root, `AuthState` and that page's state,
never the other page states.
"""

from __future__ import annotations

import inspect
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import quote

import reflex as rx

from learning_app.services.accounts import cookie_handoff, users, viewers
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.errors import DomainError
from learning_app.settings import get_settings
from learning_app.state.calls import (
    NotedViewer,
    call_noting_viewer,
    call_service,
    call_with_session,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

# Opening a page re-resolves the navbar's viewer at most this often. The navbar is display
# only, since every service call resolves the session itself, and resolving it on every page
# open (Redis, then Postgres) was a tenth of the backend's CPU under `learning-app bench load`.
VIEWER_RECHECK_S = 30.0


def sign_in_redirect(path: str) -> rx.event.EventSpec:
    return rx.redirect(f"/sign-in?next={quote(path or '/', safe='')}")


# Posts `fields` from the page, with the browser's cookies and an Origin the server checks, and
# resolves to whether the server took them: a fetch's answer, unlike a websocket answer, may set
# an HttpOnly cookie.
_POST_JS = """((action, fields) => fetch(action, {
  method: "POST",
  credentials: "include",
  body: new URLSearchParams(fields),
}).then((answer) => answer.ok, () => false))"""
# The sign-in's cookie post failed (the network, a code that went stale, Redis down).
SIGN_IN_NOT_FINISHED = "Signing in could not finish. Sign in again."


def post_to_backend(
    path: str, fields: dict[str, str], then: rx.event.EventType | None = None
) -> rx.event.EventSpec:
    """Post `fields` to the backend's `path` from the page; `then` gets whether it was taken."""
    action = f"{get_settings().backend_url.rstrip('/')}{path}"
    script = f"{_POST_JS}({json.dumps(action)}, {json.dumps(fields)})"
    return rx.call_script(script, callback=then)


class AuthState(rx.State):
    # What the navbar shows; display only, never trusted by any handler.
    signed_in: bool = False
    viewer_name: str = ""
    viewer_email: str = ""
    viewer_role: str = ""
    viewer_verified: bool = False
    auth_checked: bool = False
    # When, and for which session, the viewer above was last resolved (backend only).
    _viewer_checked_at: float = 0.0
    _viewer_checked_token: str = ""
    # The session this tab acts for, and the websocket connection it was read on (or that
    # signed in or out): a new connection, or a state Reflex lost, reads it again
    # (`cookie_handoff.connection_token`).
    _token: str = ""
    _token_connection: str = ""
    # The page that started this tab's session (sign-in); see `load_viewer`.
    _session_started_on: str = ""
    # The session token whose viewer the page's first load resolves in its own first unit of
    # work, for the navbar too (`opens_page(viewer_from_load=True)`); "" when none.
    _viewer_pending: str = ""

    @rx.var
    def is_admin(self) -> bool:
        return self.viewer_role == "admin"

    @rx.var
    def is_teacher(self) -> bool:
        return self.viewer_role in ("teacher", "admin")

    async def _session_token(self) -> str:
        """The tab's session id ("" when signed out)."""
        connection = self.router.session.session_id
        if connection != self._token_connection:
            self._token = await cookie_handoff.connection_token(
                connection, self.router.headers.cookie
            )
            self._token_connection = connection
        return self._token

    def _set_session_token(self, token: str) -> None:
        self._token, self._token_connection = token, self.router.session.session_id

    def _show_viewer(self, viewer: Viewer | None, token: str) -> None:
        """Show `viewer` in the navbar, as resolved for the session `token`."""
        self.signed_in = viewer is not None
        self.viewer_name = viewer.display_name if viewer else ""
        self.viewer_email = viewer.email if viewer else ""
        self.viewer_role = viewer.role if viewer else ""
        self.viewer_verified = viewer.email_verified if viewer else False
        self.auth_checked = True
        self._viewer_checked_at, self._viewer_checked_token = time.time(), token

    async def _forget_session(self) -> None:
        """This tab is signed out (its session ended or was replaced): no session, no viewer.
        A cookie left in the browser names a session that has ended, and signs no one in."""
        if self._token:
            try:
                await cookie_handoff.keep_for_connection(self.router.session.session_id, "")
            except DomainError:
                # What it would forget names a session that has ended: it signs no one in.
                log.warning("could not forget the connection's session", exc_info=True)
        self._set_session_token("")
        self._show_viewer(None, "")

    async def _refresh_viewer(self, token: str | None = None) -> Viewer | None:
        """Resolve the session server-side (`token`: the cookie, if the caller has read it);
        a dead session clears the cookie."""
        if token is None:
            token = await self._session_token()
        if not token:
            self._show_viewer(None, token)
            return None
        try:
            viewer = await call_with_session(viewers.viewer_for_session, token=token)
        except DomainError:
            # Redis or Postgres is down: show the page signed-out rather than a blank screen.
            log.warning("could not resolve the session", exc_info=True)
            self._show_viewer(None, token)
            self._viewer_checked_at = 0.0  # try again on the next page
            return None
        await self._show_resolved(viewer, token)
        return viewer

    async def _show_resolved(self, viewer: Viewer | None, token: str) -> None:
        """Show the viewer a unit of work resolved for `token`: a dead session clears the
        cookie."""
        if viewer is None:
            await self._forget_session()
        else:
            self._show_viewer(viewer, token)

    async def _service_call(self, action: Callable[..., T], /, **kwargs: object) -> T:
        """`action(session, token=<this tab's session>, **kwargs)` as a unit of work
        (`ServiceCalls`). While a page's first load has left the viewer check to its first
        unit (`_viewer_pending`), the viewer that unit resolves is shown in the navbar: one
        unit of work instead of two when a tab opens its first page."""
        token = await self._session_token()
        if not token or token != self._viewer_pending:
            return await call_with_session(action, token=token, **kwargs)
        noted = NotedViewer()
        try:
            return await call_noting_viewer(noted, action, token=token, **kwargs)
        finally:
            if noted.found is not None and noted.found[0] == token:
                self._viewer_pending = ""
                await self._show_resolved(noted.found[1], token)

    async def _start_session(self, token: str, then: rx.event.EventType) -> rx.event.EventSpec:
        """Keep the new session for this tab, and return the event that has the page post the
        hand-off's code for its cookie, then send `then` whether the server took it (see
        `_cookie_set`). The navbar is left as it is: it changes when the page the sign-in leads
        to has loaded and resolved the session. Showing the signed-in navbar here drew it a
        moment before the redirect, and a click in that moment was undone when the redirect
        landed. The session is also kept for this connection (`cookie_handoff.
        keep_for_connection`), whose handshake came before the cookie. Raises DomainError
        when Redis cannot keep the hand-off's code or that."""
        code = await call_service(cookie_handoff.hand_off, token)
        await cookie_handoff.keep_for_connection(self.router.session.session_id, token)
        self._set_session_token(token)
        self._viewer_checked_at, self._viewer_checked_token = 0.0, ""
        self._session_started_on = self.router.url.path.rstrip("/")
        return post_to_backend("/session/start", {"code": code}, then)

    async def _cookie_set(self, taken: bool, next_path: str) -> rx.event.EventSpec | None:
        """The sign-in's last step: on to `next_path` (a path on this site) once the server has
        set the cookie. If the post failed, the session ends and the tab is signed out: a
        session this tab alone knew would sign the visitor out at the next reload. A tampered
        client sending either answer itself only moves or signs out its own tab."""
        if taken:
            return rx.redirect(next_path)
        token = await self._session_token()
        await self._forget_session()
        try:
            await call_service(users.sign_out, token)
        except DomainError:
            log.warning("could not end a session whose cookie was not set", exc_info=True)
        return None

    async def _sign_out_to(self, next_path: str) -> list[rx.event.EventSpec]:
        """Forget this tab's session (the caller has ended it, or it has ended), and return the
        events that clear the browser's cookie and go on to `next_path`. The cookie names a
        session that has ended, so the page does not wait for the post."""
        await self._forget_session()
        return [post_to_backend("/session/end", {}), rx.redirect(next_path)]

    async def _recently_signed_in(self) -> bool:
        """Whether this tab is signed in, resolving the session again only when the last check
        is older than VIEWER_RECHECK_S or was made for another session token."""
        token = await self._session_token()
        if self._checked_lately(token):
            return self.signed_in
        return await self._refresh_viewer(token) is not None

    def _checked_lately(self, token: str) -> bool:
        """Whether the navbar's viewer was resolved for `token` within VIEWER_RECHECK_S."""
        return bool(
            token
            and token == self._viewer_checked_token
            and time.time() - self._viewer_checked_at < VIEWER_RECHECK_S
        )

    async def _check_viewer(self) -> None:
        """A public page's check: the navbar shows who is signed in. The page that started the
        session may run its on_load again before its redirect lands (its address normalised, a
        reconnect): it keeps the navbar as it was, which then changes on the page the sign-in
        leads to."""
        here = self.router.url.path.rstrip("/")
        if self._session_started_on and self._session_started_on == here:
            return
        self._session_started_on = ""
        await self._recently_signed_in()

    async def _check_signed_in(self) -> rx.event.EventSpec | None:
        """A private page's check: signed-out visitors go to sign-in and come back after."""
        self._session_started_on = ""
        if not await self._recently_signed_in():
            return sign_in_redirect(self.router.url.path)
        return None

    async def _begin_page_check(
        self, *, signed_in: bool, viewer_from_load: bool
    ) -> rx.event.EventSpec | None:
        """The viewer check before a page's first load (`opens_page`). With `viewer_from_load`,
        a session that needs resolving again is left to the load's first unit of work
        (`_service_call`) and `_end_page_check` finishes the check; a visitor, a viewer resolved
        lately and the page that started the session need no unit and are checked now."""
        token = await self._session_token()
        here = self.router.url.path.rstrip("/")
        started_here = bool(self._session_started_on) and self._session_started_on == here
        self._viewer_pending = ""
        if viewer_from_load and not self._checked_lately(token) and token and not started_here:
            self._session_started_on = ""
            self._viewer_pending = token
            return None
        return await self._page_check(signed_in=signed_in)

    async def _end_page_check(self, *, signed_in: bool) -> rx.event.EventSpec | None:
        """After a page's first load: the check `_begin_page_check` left to the load, run now
        if no unit of the load resolved the viewer. A private page then sends a tab whose
        session has ended to sign in."""
        if not self._viewer_pending:
            ended = signed_in and not self.signed_in
            return sign_in_redirect(self.router.url.path) if ended else None
        self._viewer_pending = ""
        return await self._page_check(signed_in=signed_in)

    async def _page_check(self, *, signed_in: bool) -> rx.event.EventSpec | None:
        """`_check_signed_in` for a private page, `_check_viewer` for a public one."""
        if signed_in:
            return await self._check_signed_in()
        await self._check_viewer()
        return None

    @rx.event
    async def load_viewer(self) -> None:
        """on_load of a public page with nothing else to load (see `opens_page`)."""
        await self._check_viewer()

    @rx.event
    async def require_signed_in(self) -> rx.event.EventSpec | None:
        """on_load of a private page with nothing else to load (see `opens_page`)."""
        return await self._check_signed_in()

    @rx.event
    async def sign_out(self) -> list[rx.event.EventSpec]:
        token = await self._session_token()
        try:
            await call_service(users.sign_out, token)
        except DomainError:
            log.warning("sign-out could not reach the session store", exc_info=True)
        return await self._sign_out_to("/")


Load = TypeVar("Load", bound=Callable[..., Any])
# The attribute `opens_page` sets on the load it wraps: "signed_in" or "viewer", the check it runs.
VIEWER_CHECK = "viewer_check"
# ... and True when it leaves the check to the load's first unit (`viewer_from_load`).
VIEWER_FROM_LOAD = "viewer_from_load"


def opens_page(*, signed_in: bool, viewer_from_load: bool = False) -> Callable[[Load], Load]:
    """Make a page state's load the first on_load event of its page, with the viewer check
    (`_check_signed_in` when `signed_in`, else `_check_viewer`) run first in the same event.

    The check used to be an event of its own on `AuthState`: one event more per page open,
    and an event on `AuthState` loads every page state under it. A signed-out visitor of a
    private page is sent to sign in, and the load does not run. Put it under `@rx.event`.

    `viewer_from_load=True` is for a load whose first service call resolves the viewer
    (`access.viewing`, `require_viewer`) and that reads nothing of the navbar's viewer itself:
    when the tab's session needs resolving again (a new tab, or VIEWER_RECHECK_S later), that
    call's unit of work resolves it for the navbar too, and a private page whose session has
    ended sends the tab to sign in once the load is over (its services refused it meanwhile).
    """

    check_name = "signed_in" if signed_in else "viewer"
    checks = {"signed_in": signed_in, "viewer_from_load": viewer_from_load}

    def decorate(load: Load) -> Load:
        if inspect.isasyncgenfunction(load):
            if viewer_from_load:
                raise TypeError("viewer_from_load needs a load that is not a generator")

            @wraps(load)
            async def opens_streaming(
                self: AuthState, *args: Any, **kwargs: Any
            ) -> AsyncIterator[Any]:
                if (redirect := await self._begin_page_check(**checks)) is not None:
                    yield redirect
                    return
                async for update in load(self, *args, **kwargs):
                    yield update

            setattr(opens_streaming, VIEWER_CHECK, check_name)
            return opens_streaming  # type: ignore[return-value]

        @wraps(load)
        async def opens(self: AuthState, *args: Any, **kwargs: Any) -> Any:
            if (redirect := await self._begin_page_check(**checks)) is not None:
                return redirect
            result = load(self, *args, **kwargs)
            result = await result if inspect.isawaitable(result) else result
            if viewer_from_load and (ended := await self._end_page_check(signed_in=signed_in)):
                return ended
            return result

        setattr(opens, VIEWER_CHECK, check_name)
        setattr(opens, VIEWER_FROM_LOAD, viewer_from_load)
        return opens  # type: ignore[return-value]

    return decorate

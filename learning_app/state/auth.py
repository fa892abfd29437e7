"""Who is signed in. The browser holds only an opaque session id; everything else is resolved on
the server, from Redis and Postgres, on every event that needs a user.

Page states that act for a user subclass `AuthState` and pass `self.session_token` to a service:
services take the token, never a user id sent by the browser.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

import reflex as rx

from learning_app.services.accounts import users, viewers
from learning_app.services.accounts.sessions import SESSION_COOKIE
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.errors import DomainError
from learning_app.settings import get_settings
from learning_app.state.calls import call_service, call_with_session

log = logging.getLogger(__name__)

SESSION_MAX_AGE_S = 7 * 24 * 3600
# Opening a page re-resolves the navbar's viewer at most this often. The navbar is display
# only, since every service call resolves the session itself, and resolving it on every page
# open (Redis, then Postgres) was a tenth of the backend's CPU under `learning-app bench load`.
VIEWER_RECHECK_S = 30.0


def sign_in_redirect(path: str) -> rx.event.EventSpec:
    return rx.redirect(f"/sign-in?next={quote(path or '/', safe='')}")


class AuthState(rx.State):
    # Reflex sets and reads this cookie from JavaScript (it travels to the server inside each
    # websocket event), so it cannot be HttpOnly. It holds only an opaque id that the server
    # resolves and can revoke; see "Security and faults" in the README.
    session_token: str = rx.Cookie(
        "",
        name=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        secure=get_settings().served_over_https,
    )
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
    # The page that started this tab's session (sign-in); see `load_viewer`.
    _session_started_on: str = ""

    @rx.var
    def is_admin(self) -> bool:
        return self.viewer_role == "admin"

    @rx.var
    def is_teacher(self) -> bool:
        return self.viewer_role in ("teacher", "admin")

    def _show(self, viewer: Viewer | None) -> None:
        self.signed_in = viewer is not None
        self.viewer_name = viewer.display_name if viewer else ""
        self.viewer_email = viewer.email if viewer else ""
        self.viewer_role = viewer.role if viewer else ""
        self.viewer_verified = viewer.email_verified if viewer else False
        self.auth_checked = True
        self._viewer_checked_at, self._viewer_checked_token = time.time(), self.session_token

    async def _refresh_viewer(self) -> Viewer | None:
        """Resolve the session server-side; a dead session clears the cookie."""
        if not self.session_token:
            self._show(None)
            return None
        try:
            viewer = await call_with_session(viewers.viewer_for_session, token=self.session_token)
        except DomainError:
            # Redis or Postgres is down: show the page signed-out rather than a blank screen.
            log.warning("could not resolve the session", exc_info=True)
            self._show(None)
            self._viewer_checked_at = 0.0  # try again on the next page
            return None
        if viewer is None:
            self.session_token = ""
        self._show(viewer)
        return viewer

    def _start_session(self, token: str) -> None:
        """Keep the new session's cookie, leaving the navbar as it is: it changes when the page
        the sign-in redirects to has loaded and resolved the session (`_recently_signed_in` sees
        a token it has not checked). Showing the signed-in navbar here drew it a moment before
        the redirect, and a click in that moment was undone when the redirect landed."""
        self.session_token = token
        self._viewer_checked_at, self._viewer_checked_token = 0.0, ""
        self._session_started_on = self.router.url.path.rstrip("/")

    async def _recently_signed_in(self) -> bool:
        """Whether this tab is signed in, resolving the session again only when the last check
        is older than VIEWER_RECHECK_S or was made for another session token."""
        if (
            self.session_token
            and self.session_token == self._viewer_checked_token
            and time.time() - self._viewer_checked_at < VIEWER_RECHECK_S
        ):
            return self.signed_in
        return await self._refresh_viewer() is not None

    @rx.event
    async def load_viewer(self) -> None:
        """on_load of public pages. The page that started the session may run its on_load
        again before its redirect lands (its address normalised, a reconnect): it keeps the
        navbar as it was, which then changes on the page the sign-in leads to."""
        here = self.router.url.path.rstrip("/")
        if self._session_started_on and self._session_started_on == here:
            return
        self._session_started_on = ""
        await self._recently_signed_in()

    @rx.event
    async def require_signed_in(self) -> rx.event.EventSpec | None:
        """on_load of private pages: signed-out visitors go to sign-in and come back after."""
        self._session_started_on = ""
        if not await self._recently_signed_in():
            return sign_in_redirect(self.router.url.path)
        return None

    @rx.event
    async def sign_out(self) -> rx.event.EventSpec:
        token, self.session_token = self.session_token, ""
        try:
            await call_service(users.sign_out, token)
        except DomainError:
            log.warning("sign-out could not reach the session store", exc_info=True)
        self._show(None)
        return rx.redirect("/")

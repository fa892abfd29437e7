"""Who is signed in. The browser holds only an opaque session id; everything else is resolved on
the server, from Redis and Postgres, on every event that needs a user.

Page states that act for a user subclass `AuthState` and pass `self.session_token` to a service:
services take the token, never a user id sent by the browser.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import reflex as rx

from learning_app.services import accounts
from learning_app.services.accounts import Viewer
from learning_app.services.errors import DomainError
from learning_app.services.sessions import SESSION_COOKIE
from learning_app.settings import get_settings
from learning_app.state.calls import UNAVAILABLE_MESSAGE, call_service, call_with_session

log = logging.getLogger(__name__)

SESSION_MAX_AGE_S = 7 * 24 * 3600


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

    async def _refresh_viewer(self) -> Viewer | None:
        """Resolve the session server-side; a dead session clears the cookie."""
        if not self.session_token:
            self._show(None)
            return None
        try:
            viewer = await call_with_session(accounts.viewer_for_session, self.session_token)
        except DomainError:
            # Redis or Postgres is down: show the page signed-out rather than a blank screen.
            log.warning("could not resolve the session", exc_info=True)
            self._show(None)
            return None
        if viewer is None:
            self.session_token = ""
        self._show(viewer)
        return viewer

    def _start_session(self, viewer: Viewer, token: str) -> None:
        self.session_token = token
        self._show(viewer)

    @rx.event
    async def load_viewer(self) -> None:
        await self._refresh_viewer()

    @rx.event
    async def require_signed_in(self) -> rx.event.EventSpec | None:
        """on_load of private pages: signed-out visitors go to sign-in and come back after."""
        if await self._refresh_viewer() is None:
            return sign_in_redirect(self.router.url.path)
        return None

    @rx.event
    async def sign_out(self) -> rx.event.EventSpec:
        token, self.session_token = self.session_token, ""
        try:
            await call_service(accounts.sign_out, token)
        except DomainError:
            log.warning("sign-out could not reach the session store", exc_info=True)
        self._show(None)
        return rx.redirect("/")


def describe_error(exc: Exception) -> str:
    """The message a form shows: a domain error's own words, otherwise a generic apology."""
    if isinstance(exc, DomainError):
        return str(exc)
    log.exception("unexpected error in an event handler", exc_info=exc)
    return UNAVAILABLE_MESSAGE

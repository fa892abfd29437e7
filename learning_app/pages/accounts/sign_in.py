"""`/sign-in` (password and magic-link tabs) and `/auth/magic-link` (the link's landing page)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from learning_app.components.forms import auth_card, field, form_error, form_notice, submit_button
from learning_app.components.layout import page_shell
from learning_app.services.accounts import links, users
from learning_app.services.accounts.redirects import safe_next_path
from learning_app.state.auth import SIGN_IN_NOT_FINISHED, AuthState
from learning_app.state.calls import ServiceCalls

MAGIC_LINK_SENT = (
    "If an account exists for that email, a sign-in link is on its way. "
    "It works once, within 15 minutes."
)


class SignInState(ServiceCalls, AuthState):
    submitting: bool = False

    def _next_path(self) -> str:
        return safe_next_path(self.router.url.query_parameters.get("next"))

    @rx.event
    async def sign_in_with_password(self, form: dict[str, str]) -> AsyncIterator[object]:
        self.submitting, self.error, self.notice = True, "", ""
        yield
        signed_in = await self._call_as_visitor(
            users.sign_in_with_password,
            email=form.get("email", ""),
            password=form.get("password", ""),
            client_ip=self.router.session.client_ip,
            user_agent=self.router.headers.user_agent,
        )
        if signed_in is None:
            self.submitting = False
            return
        _viewer, token = signed_in
        store_cookie = await self._noting_error(self._start_session(token, SignInState.cookie_set))
        if store_cookie is None:
            self.submitting = False
        else:
            yield store_cookie  # `cookie_set` finishes the sign-in

    @rx.event
    async def cookie_set(self, taken: bool) -> rx.event.EventSpec | None:
        """The page's report of the sign-in's cookie post (`_start_session`)."""
        self.submitting = False
        if (go_on := await self._cookie_set(taken, self._next_path())) is None:
            self.error = SIGN_IN_NOT_FINISHED
        return go_on

    @rx.event
    async def send_magic_link(self, form: dict[str, str]) -> AsyncIterator[object]:
        self.submitting, self.error, self.notice = True, "", ""
        yield
        await self._call_as_visitor(
            links.request_magic_link,
            email=form.get("email", ""),
            client_ip=self.router.session.client_ip,
        )
        if not self.error:
            self.notice = MAGIC_LINK_SENT
        self.submitting = False

    @rx.event
    def clear_messages(self) -> None:
        self.error, self.notice = "", ""


class MagicLinkState(ServiceCalls, AuthState):
    """Signs in with the token from the link; the page needs JavaScript, so link scanners that
    only fetch the URL cannot use up the single-use token."""

    working: bool = True

    @rx.event
    async def consume(self) -> AsyncIterator[object]:
        self.working, self.error = True, ""
        yield
        signed_in = await self._call_as_visitor(
            links.sign_in_with_magic_link,
            token=self.router.url.query_parameters.get("token", ""),
            client_ip=self.router.session.client_ip,
            user_agent=self.router.headers.user_agent,
        )
        if signed_in is None:
            self.working = False
            return
        _viewer, token = signed_in
        # "Checking your link…" stays until "/" has loaded and shows who is signed in.
        store_cookie = await self._noting_error(
            self._start_session(token, MagicLinkState.cookie_set)
        )
        if store_cookie is None:
            self.working = False
        else:
            yield store_cookie

    @rx.event
    async def cookie_set(self, taken: bool) -> rx.event.EventSpec | None:
        """The page's report of the sign-in's cookie post (`_start_session`)."""
        if (go_on := await self._cookie_set(taken, "/")) is None:
            self.working, self.error = False, SIGN_IN_NOT_FINISHED
        return go_on


def _password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field("Email", "email", type_="email", autocomplete="email"),
            field(
                "Password",
                "password",
                type_="password",
                autocomplete="current-password",
                max_length=256,
            ),
            submit_button("Sign in", SignInState.submitting),
            rx.link("Forgot your password?", href="/forgot-password", size="2"),
            spacing="3",
            width="100%",
        ),
        on_submit=SignInState.sign_in_with_password,
        width="100%",
    )


def _magic_link_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("We email you a link that signs you in. No password needed.", size="2"),
            field("Email", "email", type_="email", autocomplete="email"),
            submit_button("Email me a sign-in link", SignInState.submitting),
            spacing="3",
            width="100%",
        ),
        on_submit=SignInState.send_magic_link,
        reset_on_submit=True,
        width="100%",
    )


def sign_in_page() -> rx.Component:
    return page_shell(
        auth_card(
            "Sign in",
            form_error(SignInState.error),
            form_notice(SignInState.notice),
            rx.tabs.root(
                rx.tabs.list(
                    rx.tabs.trigger("Password", value="password"),
                    rx.tabs.trigger("Magic link", value="magic"),
                ),
                rx.tabs.content(_password_form(), value="password", padding_top="1rem"),
                rx.tabs.content(_magic_link_form(), value="magic", padding_top="1rem"),
                default_value="password",
                on_change=SignInState.clear_messages,
                width="100%",
            ),
            rx.text("New here? ", rx.link("Create an account", href="/sign-up"), size="2"),
        )
    )


def magic_link_page() -> rx.Component:
    return page_shell(
        auth_card(
            "Signing you in",
            rx.cond(
                MagicLinkState.working,
                rx.hstack(rx.spinner(), rx.text("Checking your link…"), role="status"),
                rx.vstack(
                    form_error(MagicLinkState.error),
                    rx.link("Request a new sign-in link", href="/sign-in"),
                    width="100%",
                ),
            ),
        )
    )

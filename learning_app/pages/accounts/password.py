"""`/forgot-password` and `/auth/reset-password` (the reset link's landing page)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from learning_app.components.forms import (
    auth_card,
    field,
    form_error,
    form_notice,
    new_password_fields,
    submit_button,
)
from learning_app.components.layout import page_shell
from learning_app.services.accounts import links
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import ServiceCalls

RESET_SENT = (
    "If an account exists for that email, a reset link is on its way. "
    "It works once, within 30 minutes."
)
RESET_DONE = "Your password is changed and every other session is signed out. Sign in again."


class PasswordResetState(ServiceCalls, AuthState):
    submitting: bool = False
    done: bool = False

    @rx.event
    async def request_reset(self, form: dict[str, str]) -> AsyncIterator[object]:
        self.submitting, self.error, self.notice = True, "", ""
        yield
        await self._call_as_visitor(
            links.request_password_reset,
            email=form.get("email", ""),
            client_ip=self.router.session.client_ip,
        )
        if not self.error:
            self.notice = RESET_SENT
        self.submitting = False

    @rx.event
    async def set_new_password(self, form: dict[str, str]) -> AsyncIterator[object]:
        self.submitting, self.error, self.notice = True, "", ""
        yield
        if form.get("password", "") != form.get("password_again", ""):
            self.error = "The two passwords differ. Type the same password twice."
        elif await self._call_as_visitor(
            links.reset_password,
            token=self.router.url.query_parameters.get("token", ""),
            new_password=form.get("password", ""),
        ):
            await self._forget_session()
            self.done, self.notice = True, RESET_DONE
        self.submitting = False

    @rx.event
    @opens_page(signed_in=False)
    def start(self) -> None:
        self.error, self.notice, self.done = "", "", False


def forgot_password_page() -> rx.Component:
    return page_shell(
        auth_card(
            "Forgot your password?",
            form_error(PasswordResetState.error),
            form_notice(PasswordResetState.notice),
            rx.form(
                rx.vstack(
                    rx.text(
                        "Enter your email and we send you a link to choose a new one.", size="2"
                    ),
                    field("Email", "email", type_="email", autocomplete="email"),
                    submit_button("Email me a reset link", PasswordResetState.submitting),
                    spacing="3",
                    width="100%",
                ),
                on_submit=PasswordResetState.request_reset,
                reset_on_submit=True,
                width="100%",
            ),
            rx.link("Back to sign in", href="/sign-in", size="2"),
        )
    )


def reset_password_page() -> rx.Component:
    return page_shell(
        auth_card(
            "Choose a new password",
            form_error(PasswordResetState.error),
            form_notice(PasswordResetState.notice),
            rx.cond(
                PasswordResetState.done,
                rx.link("Go to sign in", href="/sign-in"),
                rx.form(
                    rx.vstack(
                        new_password_fields("password"),
                        submit_button("Change password", PasswordResetState.submitting),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=PasswordResetState.set_new_password,
                    width="100%",
                ),
            ),
        )
    )

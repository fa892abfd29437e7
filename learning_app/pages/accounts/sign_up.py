"""`/sign-up` and `/auth/verify-email` (the verification link's landing page)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from learning_app.components.forms import auth_card, field, form_error, form_notice, submit_button
from learning_app.components.layout import page_shell
from learning_app.services.accounts import links, users
from learning_app.state.auth import AuthState
from learning_app.state.calls import ServiceCalls

CHECK_INBOX = (
    "Check your inbox: we sent a link to verify your email. Then sign in with your password."
)


class SignUpState(ServiceCalls, AuthState):
    submitting: bool = False

    @rx.event
    async def sign_up(self, form: dict[str, str]) -> AsyncIterator[object]:
        self.submitting, self.error, self.notice = True, "", ""
        yield
        await self._call_as_visitor(
            users.sign_up,
            email=form.get("email", ""),
            password=form.get("password", ""),
            display_name=form.get("display_name", ""),
            client_ip=self.router.session.client_ip,
        )
        if not self.error:
            # The same words whether or not the email already had an account.
            self.notice = CHECK_INBOX
        self.submitting = False


class VerifyEmailState(ServiceCalls, AuthState):
    verified_email: str = ""
    working: bool = True

    @rx.event
    async def consume(self) -> AsyncIterator[object]:
        self.working, self.error, self.verified_email = True, "", ""
        yield
        viewer = await self._call_as_visitor(
            links.verify_email, token=self.router.url.query_parameters.get("token", "")
        )
        if viewer is not None:
            self.verified_email = viewer.email
            await self._refresh_viewer()
        self.working = False


def sign_up_page() -> rx.Component:
    return page_shell(
        auth_card(
            "Create your account",
            form_error(SignUpState.error),
            form_notice(SignUpState.notice),
            rx.form(
                rx.vstack(
                    field("Display name", "display_name", autocomplete="name", max_length=100),
                    field("Email", "email", type_="email", autocomplete="email"),
                    field(
                        "Password",
                        "password",
                        type_="password",
                        autocomplete="new-password",
                        max_length=256,
                        hint="At least 8 characters.",
                    ),
                    submit_button("Create account", SignUpState.submitting),
                    spacing="3",
                    width="100%",
                ),
                on_submit=SignUpState.sign_up,
                width="100%",
            ),
            rx.text(
                "New accounts are student accounts; an admin can make you a teacher.",
                size="1",
                color_scheme="gray",
            ),
            rx.text("Already have an account? ", rx.link("Sign in", href="/sign-in"), size="2"),
        )
    )


def verify_email_page() -> rx.Component:
    return page_shell(
        auth_card(
            "Verify your email",
            rx.cond(
                VerifyEmailState.working,
                rx.hstack(rx.spinner(), rx.text("Checking your link…"), role="status"),
                rx.cond(
                    VerifyEmailState.error != "",
                    form_error(VerifyEmailState.error),
                    rx.vstack(
                        rx.callout(
                            rx.text.span(
                                "Your email ",
                                rx.code(VerifyEmailState.verified_email),
                                " is verified.",
                            ),
                            icon="circle-check",
                            color_scheme="green",
                            role="status",
                        ),
                        rx.link("Go to sign in", href="/sign-in"),
                    ),
                ),
            ),
        )
    )

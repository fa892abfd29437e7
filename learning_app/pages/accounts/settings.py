"""`/settings`: display name, password, and signing out everywhere."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from learning_app.components.forms import (
    field,
    form_error,
    form_notice,
    new_password_fields,
    submit_button,
)
from learning_app.components.layout import page_shell
from learning_app.services.accounts import users
from learning_app.state.auth import AuthState
from learning_app.state.calls import ServiceCalls


class AccountSettingsState(ServiceCalls, AuthState):
    submitting: bool = False

    @rx.event
    async def save_profile(self, form: dict[str, str]) -> AsyncIterator[object]:
        self.submitting = True
        yield
        if await self._call(users.update_profile, display_name=form.get("display_name", "")):
            await self._refresh_viewer()
            self.notice = "Your profile is saved."
        self.submitting = False

    @rx.event
    async def change_password(self, form: dict[str, str]) -> AsyncIterator[object]:
        self.submitting = True
        yield
        if form.get("new_password", "") != form.get("new_password_again", ""):
            self.error, self.notice = "The two new passwords differ.", ""
        else:
            await self._call(
                users.change_password,
                current_password=form.get("current_password", ""),
                new_password=form.get("new_password", ""),
            )
            if not self.error:
                self.notice = "Your password is changed; your other sessions are signed out."
        self.submitting = False

    @rx.event
    async def sign_out_everywhere(self) -> AsyncIterator[object]:
        self.submitting = True
        yield
        await self._call(users.sign_out_everywhere)
        if not self.error:
            yield await self._sign_out_to("/sign-in")
        self.submitting = False


def _section(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
        width="100%",
    )


def account_settings_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading("Account settings", size="7", as_="h1"),
            rx.text(
                "Signed in as ",
                rx.code(AuthState.viewer_email),
                " (",
                AuthState.viewer_role,
                ")",
                color_scheme="gray",
            ),
            form_error(AccountSettingsState.error),
            form_notice(AccountSettingsState.notice),
            _section(
                "Profile",
                rx.form(
                    rx.vstack(
                        field(
                            "Display name",
                            "display_name",
                            max_length=100,
                            default_value=AuthState.viewer_name,
                        ),
                        rx.button(
                            "Save profile", type="submit", loading=AccountSettingsState.submitting
                        ),
                        spacing="3",
                        width="100%",
                        align="start",
                    ),
                    on_submit=AccountSettingsState.save_profile,
                    width="100%",
                ),
            ),
            _section(
                "Password",
                rx.form(
                    rx.vstack(
                        field(
                            "Current password",
                            "current_password",
                            type_="password",
                            autocomplete="current-password",
                            max_length=256,
                        ),
                        new_password_fields("new_password"),
                        submit_button("Change password", AccountSettingsState.submitting),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=AccountSettingsState.change_password,
                    reset_on_submit=True,
                    width="100%",
                ),
            ),
            _section(
                "Sessions",
                rx.text("Signs you out on every device, this one included.", size="2"),
                rx.button(
                    "Sign out everywhere",
                    color_scheme="red",
                    variant="soft",
                    on_click=AccountSettingsState.sign_out_everywhere,
                    loading=AccountSettingsState.submitting,
                ),
            ),
            spacing="4",
            max_width="40rem",
            width="100%",
        )
    )

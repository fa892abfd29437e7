"""The page shell: a navbar, the page body and a footer."""

from __future__ import annotations

import reflex as rx

from learning_app.components.forms import form_error, form_notice
from learning_app.components.search_box import search_box
from learning_app.state.auth import AuthState
from learning_app.state.verification import UNVERIFIED_POLICY, VerificationState

APP_NAME = "Learning App"


def account_menu() -> rx.Component:
    """Who is signed in, with their account actions; sign-in links otherwise."""
    return rx.cond(
        AuthState.signed_in,
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("circle-user", size=18, aria_hidden="true"),
                    AuthState.viewer_name,
                    variant="soft",
                    aria_label="Account menu for " + AuthState.viewer_name,
                ),
            ),
            rx.menu.content(
                rx.text(AuthState.viewer_email, size="1", color_scheme="gray", padding_x="0.75rem"),
                rx.menu.item("Settings", on_click=rx.redirect("/settings")),
                rx.cond(
                    AuthState.is_teacher,
                    rx.menu.item("Share links", on_click=rx.redirect("/teach/links")),
                ),
                rx.cond(
                    AuthState.is_admin,
                    rx.menu.item("Manage users", on_click=rx.redirect("/admin/users")),
                ),
                rx.cond(
                    AuthState.is_teacher,
                    rx.menu.item("Search synonyms", on_click=rx.redirect("/teach/synonyms")),
                ),
                rx.menu.separator(),
                rx.menu.item("Sign out", on_click=AuthState.sign_out),
            ),
        ),
        rx.hstack(
            rx.link("Sign in", href="/sign-in", size="3"),
            rx.link(rx.button("Sign up", size="2"), href="/sign-up"),
            spacing="4",
            align="center",
        ),
    )


def navbar() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            rx.link(
                rx.hstack(
                    rx.icon("graduation-cap", size=24, aria_hidden="true"),
                    rx.text(APP_NAME, weight="bold", size="5"),
                    align="center",
                    spacing="2",
                ),
                href="/",
                underline="none",
                color_scheme="gray",
                high_contrast=True,
            ),
            rx.spacer(),
            search_box(),
            rx.el.nav(
                rx.hstack(
                    rx.link("Courses", href="/", size="3"),
                    rx.cond(
                        AuthState.signed_in, rx.link("My courses", href="/my-courses", size="3")
                    ),
                    rx.cond(AuthState.signed_in, rx.link("Dashboard", href="/dashboard", size="3")),
                    rx.cond(AuthState.is_teacher, rx.link("Teach", href="/teach", size="3")),
                    rx.cond(
                        AuthState.is_teacher, rx.link("Grading", href="/teach/grading", size="3")
                    ),
                    spacing="5",
                    align="center",
                ),
                aria_label="Main",
            ),
            account_menu(),
            rx.color_mode.button(aria_label="Toggle dark mode", variant="ghost"),
            align="center",
            spacing="5",
            width="100%",
            max_width="72rem",
            margin_x="auto",
            padding_x="1.5rem",
            padding_y="0.75rem",
        ),
        border_bottom="1px solid var(--gray-a5)",
        background="var(--color-panel-solid)",
        position="sticky",
        top="0",
        z_index="10",
    )


def verification_banner() -> rx.Component:
    """What an account with an unverified email may not do yet, and a way to get a new link.
    The services enforce it (`access.roles.require_verified`); this only says so."""
    state = VerificationState
    return rx.cond(
        AuthState.signed_in & ~AuthState.viewer_verified,
        rx.vstack(
            rx.callout.root(
                rx.callout.icon(rx.icon("mail-warning")),
                rx.flex(
                    rx.callout.text(UNVERIFIED_POLICY),
                    rx.button(
                        "Resend the verification link",
                        size="1",
                        variant="soft",
                        on_click=state.resend_verification_link,
                        loading=state.sending,
                    ),
                    gap="3",
                    align="center",
                    wrap="wrap",
                ),
                color_scheme="amber",
                width="100%",
            ),
            form_notice(state.notice),
            form_error(state.error),
            spacing="2",
            width="100%",
            margin_bottom="1rem",
        ),
    )


def page_shell(*children: rx.Component) -> rx.Component:
    return rx.box(
        navbar(),
        rx.el.main(
            rx.box(
                verification_banner(),
                *children,
                max_width="72rem",
                margin_x="auto",
                padding="1.5rem",
            ),
            id="main",
        ),
        min_height="100vh",
    )

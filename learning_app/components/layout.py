"""The page shell: a navbar, the page body and a footer."""

from __future__ import annotations

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

from learning_app.components.forms import form_error, form_notice
from learning_app.components.search_box import search_box
from learning_app.state.auth import AuthState
from learning_app.state.verification import UNVERIFIED_POLICY, VerificationState

APP_NAME = "Learning App"


# The navbar's links, search and account menu fold behind a "Menu" button below this width
# (Radix's `md`, 62em = 992 px): a teacher's five links, the search box and a long name need
# about 1000 px on one line. `app.css` holds the media query (`.nav-panel`, `.nav-menu-button`).
NAV_PANEL_ID = "navigation-panel"
NAV_MENU_SCRIPT = "/nav_menu.js"  # Escape closes the panel and focuses the Menu button


class NavMenuState(rx.State):
    """Whether the narrow screen's navigation panel is open (display only)."""

    menu_open: bool = False

    @rx.event
    def toggle_menu(self) -> None:
        self.menu_open = not self.menu_open

    @rx.event
    def close_menu(self) -> None:
        self.menu_open = False


def _nav_link(label: str, href: str) -> rx.Component:
    # Following a link closes the narrow screen's panel (the header survives client-side
    # navigation, so an open panel would stay open over the next page).
    return rx.link(
        label, href=href, size="3", white_space="nowrap", on_click=NavMenuState.close_menu
    )


def account_menu() -> rx.Component:
    """Who is signed in, with their account actions; sign-in links otherwise."""
    return rx.cond(
        AuthState.signed_in,
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("circle-user", size=18, aria_hidden="true"),
                    # A long name is cut short with an ellipsis (`app.css`); the button's
                    # label still says it in full.
                    rx.text.span(AuthState.viewer_name, class_name="nav-account-name"),
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
            _nav_link("Sign in", "/sign-in"),
            # A link styled as a button (one `<a>`), not a `<button>` inside an `<a>`, which
            # is two nested interactive controls.
            rx.button(
                ReactRouterLink.create("Sign up", to="/sign-up", on_click=NavMenuState.close_menu),
                as_child=True,
                size="2",
            ),
            spacing="4",
            align="center",
        ),
    )


def _brand() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("graduation-cap", size=24, aria_hidden="true"),
            rx.text.span(APP_NAME, weight="bold", size="5", white_space="nowrap"),
            align="center",
            spacing="2",
        ),
        href="/",
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        flex_shrink="0",
        on_click=NavMenuState.close_menu,
    )


def _menu_button() -> rx.Component:
    """Shown below `md` only: opens and closes the navigation panel."""
    return rx.icon_button(
        rx.cond(
            NavMenuState.menu_open,
            rx.icon("x", aria_hidden="true"),
            rx.icon("menu", aria_hidden="true"),
        ),
        variant="soft",
        aria_label="Menu",
        aria_expanded=rx.cond(NavMenuState.menu_open, "true", "false"),
        aria_controls=NAV_PANEL_ID,
        on_click=NavMenuState.toggle_menu,
        class_name="nav-menu-button",
    )


def _nav_panel() -> rx.Component:
    """Search, the main links and the account menu: in the bar from `md` up, a column under
    it when the menu is open on a narrower screen (`app.css`)."""
    return rx.box(
        search_box(),
        rx.el.nav(
            rx.box(
                _nav_link("Courses", "/"),
                rx.cond(AuthState.signed_in, _nav_link("My courses", "/my-courses")),
                rx.cond(AuthState.signed_in, _nav_link("Review", "/review")),
                rx.cond(AuthState.signed_in, _nav_link("Dashboard", "/dashboard")),
                rx.cond(AuthState.is_teacher, _nav_link("Teach", "/teach")),
                rx.cond(AuthState.is_teacher, _nav_link("Grading", "/teach/grading")),
                class_name="nav-links",
            ),
            aria_label="Main",
        ),
        account_menu(),
        id=NAV_PANEL_ID,
        class_name="nav-panel",
        data_open=rx.cond(NavMenuState.menu_open, "true", "false"),
    )


def navbar() -> rx.Component:
    return rx.el.header(
        rx.box(
            _brand(),
            rx.spacer(),
            _menu_button(),
            rx.color_mode.button(
                aria_label="Toggle dark mode", variant="ghost", class_name="nav-colour-mode"
            ),
            _nav_panel(),
            rx.script(src=NAV_MENU_SCRIPT),
            class_name="nav-bar",
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
                padding=rx.breakpoints(initial="1rem", sm="1.5rem"),
            ),
            id="main",
        ),
        min_height="100vh",
    )

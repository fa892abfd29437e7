"""`/teach/links`: every share link the teacher has made, with views and a revoke button."""

from __future__ import annotations

import reflex as rx

from learning_app.components.feedback import empty_state
from learning_app.components.forms import form_error, form_notice
from learning_app.components.layout import page_shell
from learning_app.components.share_dialog import ShareLinksState, links_table


def my_share_links_page() -> rx.Component:
    s = ShareLinksState
    return page_shell(
        rx.vstack(
            rx.heading("Share links", size="7", as_="h1"),
            rx.text(
                "Links you made to courses and lessons. Make new ones with the Share button "
                "in a course or lesson editor.",
                color_scheme="gray",
            ),
            form_error(s.error),
            form_notice(s.notice),
            rx.cond(
                s.loading,
                rx.spinner(aria_label="Loading"),
                rx.cond(
                    s.links.length() > 0,
                    links_table(show_entity=True),
                    empty_state(
                        "link", "No share links yet", "Share a course or lesson from its editor."
                    ),
                ),
            ),
            spacing="4",
            width="100%",
        )
    )

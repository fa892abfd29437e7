"""The share dialog of a course or lesson, and the state behind it and `/teach/links`.

A new link's full address is shown once, right after it is made (only its hash is stored),
with a copy button; existing links show their audience, creation and expiry dates (in the
viewer's time zone), views, and can be revoked.

The dialog starts at the narrowest choice, signed-in users for 7 days: a link pasted into the
wrong chat then reaches nobody without an account, and stops working by itself. Wider sharing
is one deliberate choice away.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from learning_app.components.forms import form_error, form_notice
from learning_app.components.progress import button_with_progress
from learning_app.components.wording import count_text
from learning_app.services.sharing import links as share_links
from learning_app.services.sharing.link_views import ShareLinkView
from learning_app.settings import get_settings
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import PageLoading

EXPIRY_CHOICES = [("1", "In 1 day"), ("7", "In 7 days"), ("30", "In 30 days"), ("never", "Never")]
DEFAULT_EXPIRY = "7"
AUDIENCE_CHOICES = [("signed_in", "Signed-in users only"), ("public", "Anyone with the link")]
DEFAULT_AUDIENCE = "signed_in"


class ShareLinksState(PageLoading, AuthState):
    """Links of one course or lesson (the dialog), or all of mine (`/teach/links`)."""

    loading = False  # only while the links are read
    share_entity_type: str = ""
    share_entity_id: str = ""
    links: list[ShareLinkView] = []
    new_link_url: str = ""
    share_busy: bool = False

    async def _reload(self) -> None:
        self.loading = True
        with self._loading():
            self.links = await self._fetch(
                share_links.list_share_links,
                entity_type=self.share_entity_type,
                entity_id=self.share_entity_id,
            )

    @rx.event
    async def open_for(self, entity_type: str, entity_id: str) -> None:
        """The dialog opens: the links of this course or lesson (the service checks that the
        viewer may share it)."""
        self.share_entity_type, self.share_entity_id = entity_type, entity_id
        self.new_link_url, self.error, self.notice = "", "", ""
        await self._reload()

    @rx.event
    @opens_page(signed_in=True)
    async def load_mine(self) -> None:
        """on_load of `/teach/links`."""
        self.share_entity_type, self.share_entity_id = "", ""
        self.new_link_url, self.error, self.notice = "", "", ""
        await self._reload()

    @rx.event
    async def create(self, form: dict[str, str]) -> AsyncIterator[object]:
        self.share_busy, self.error, self.notice = True, "", ""
        yield
        created = await self._call(
            share_links.create_share_link,
            entity_type=self.share_entity_type,
            entity_id=self.share_entity_id,
            visibility=form.get("visibility", DEFAULT_AUDIENCE),
            expires_in_days=form.get("expires_in_days", DEFAULT_EXPIRY),
        )
        if created is not None:
            self.new_link_url = get_settings().public_base_url.rstrip("/") + created.path
            self.notice = "Link created. Copy it now: it is shown only once."
            await self._reload()
        self.share_busy = False

    @rx.event
    async def revoke(self, link_id: str) -> None:
        if await self._call(share_links.revoke_share_link, link_id=link_id) is not None:
            self.notice = "The link is turned off. Anyone opening it now sees “not available”."
            await self._reload()


def _choice_select(
    label: str, name: str, choices: list[tuple[str, str]], default: str
) -> rx.Component:
    select_id = f"share-{name}"
    return rx.vstack(
        rx.el.label(label, html_for=select_id, font_weight="500", font_size="0.9rem"),
        rx.el.select(
            *[rx.el.option(text, value=value) for value, text in choices],
            id=select_id,
            name=name,
            default_value=default,
            padding="0.4rem",
            border_radius="var(--radius-2)",
            border="1px solid var(--gray-a7)",
            background="var(--color-surface)",
        ),
        spacing="1",
    )


def link_row(link: ShareLinkView, *, show_entity: bool) -> rx.Component:
    """One link: what it opens, audience, expiry, views, and Revoke while it works."""
    return rx.table.row(
        *(
            [rx.table.cell(rx.text(link.entity_type + ": ", weight="medium"), link.entity_title)]
            if show_entity
            else []
        ),
        rx.table.cell(rx.cond(link.visibility == "public", "Anyone", "Signed in")),
        rx.table.cell(link.created_label),
        rx.table.cell(
            rx.cond(
                link.revoked,
                rx.badge("Revoked", color_scheme="gray"),
                rx.cond(
                    link.active,
                    rx.cond(link.expires_label != "", "Until " + link.expires_label, "No expiry"),
                    rx.badge("Expired", color_scheme="gray"),
                ),
            )
        ),
        rx.table.cell(count_text(link.view_count, "view")),
        rx.table.cell(
            rx.cond(
                link.active,
                rx.button(
                    "Revoke",
                    size="1",
                    color_scheme="red",
                    variant="soft",
                    on_click=ShareLinksState.revoke(link.id),
                    # Named by the date the table shows beside it, in the viewer's time zone.
                    aria_label="Revoke link created " + link.created_label,
                ),
            )
        ),
    )


def links_table(*, show_entity: bool) -> rx.Component:
    headers = (["Shares"] if show_entity else []) + ["Who", "Created", "Expiry", "Views", ""]
    return rx.cond(
        ShareLinksState.links.length() > 0,
        rx.table.root(
            # Radix puts props of `table.root` on a wrapper div: the caption names the table.
            rx.el.caption("Share links", class_name="visually-hidden"),
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(
                rx.foreach(
                    ShareLinksState.links, lambda link: link_row(link, show_entity=show_entity)
                )
            ),
            width="100%",
        ),
        rx.text("No links yet.", color_scheme="gray"),
    )


def _new_link() -> rx.Component:
    return rx.cond(
        ShareLinksState.new_link_url != "",
        rx.vstack(
            rx.el.label("New link", html_for="share-new-link", font_weight="500"),
            rx.hstack(
                rx.input(
                    id="share-new-link",
                    value=ShareLinksState.new_link_url,
                    read_only=True,
                    width="100%",
                ),
                rx.button(
                    rx.icon("copy", size=16, aria_hidden="true"),
                    "Copy link",
                    on_click=[
                        rx.set_clipboard(ShareLinksState.new_link_url),
                        rx.toast("Link copied"),
                    ],
                ),
                width="100%",
            ),
            width="100%",
            spacing="1",
        ),
    )


def share_dialog(entity_type: str, entity_id: rx.Var[str], entity_label: str) -> rx.Component:
    """A "Share" button opening the dialog for one course or lesson."""
    return rx.dialog.root(
        # The click handler sits on the trigger, not the button: Reflex wraps a trigger's child
        # that has its own on_click in a <div>, which then carries aria-expanded (an ARIA error).
        rx.dialog.trigger(
            rx.button(
                rx.icon("share-2", size=16, aria_hidden="true"),
                f"Share {entity_label}",
                variant="soft",
            ),
            on_click=ShareLinksState.open_for(entity_type, entity_id),
        ),
        rx.dialog.content(
            rx.dialog.title(f"Share this {entity_label}"),
            rx.dialog.description(
                "A link opens the published lessons it points to, for signed-in users or for "
                "anyone who has it, as you choose. Drafts and exams stay private.",
                size="2",
            ),
            rx.vstack(
                form_error(ShareLinksState.error),
                form_notice(ShareLinksState.notice),
                rx.form(
                    rx.hstack(
                        _choice_select(
                            "Who can open it", "visibility", AUDIENCE_CHOICES, DEFAULT_AUDIENCE
                        ),
                        _choice_select(
                            "Expires", "expires_in_days", EXPIRY_CHOICES, DEFAULT_EXPIRY
                        ),
                        button_with_progress(
                            rx.button(
                                "Create link", type="submit", loading=ShareLinksState.share_busy
                            ),
                            ShareLinksState.share_busy,
                            "Still creating the link…",
                        ),
                        align="end",
                        spacing="3",
                        wrap="wrap",
                    ),
                    on_submit=ShareLinksState.create,
                ),
                _new_link(),
                rx.cond(ShareLinksState.loading, rx.spinner(), links_table(show_entity=False)),
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                spacing="4",
                margin_top="1rem",
                width="100%",
            ),
            max_width="40rem",
        ),
    )

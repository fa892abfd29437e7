"""`/dev/mailbox`: the mail the local SMTP sink caught. Registered only outside production."""

from __future__ import annotations

import re
from dataclasses import dataclass

import reflex as rx

from learning_app.components.feedback import empty_state
from learning_app.components.layout import page_shell
from learning_app.components.lists import bare_list
from learning_app.settings import get_settings
from learning_app.stack.mailbox import list_messages, mail_dir
from learning_app.state.calls import call_service

_LINK = re.compile(r"https?://[^\s<>\"')]+")
SHOWN_MESSAGES = 50


@dataclass(frozen=True)
class MailView:
    id: str
    recipients: str
    subject: str
    received: str
    text: str
    links: list[str]


def _recent_mail() -> list[MailView]:
    # The state class exists in every build, so its event is callable even where the page is
    # not registered: production never reads the sink's folder.
    if get_settings().is_production:
        return []
    messages = list_messages(mail_dir(get_settings()))[-SHOWN_MESSAGES:]
    return [
        MailView(
            id=m.id,
            recipients=", ".join(m.recipients),
            subject=m.subject,
            received=str(m.received_at)[:19],
            text=m.text,
            links=_LINK.findall(m.text),
        )
        for m in reversed(messages)
    ]


class MailboxState(rx.State):
    messages: list[MailView] = []
    loading: bool = True

    @rx.event
    async def load(self) -> None:
        self.loading = True
        self.messages = await call_service(_recent_mail)
        self.loading = False


def _message(mail: MailView) -> rx.Component:
    """One message: a list item holding an article named by its subject."""
    heading_id = "mail-" + mail.id
    return rx.el.li(
        rx.el.article(
            rx.card(
                rx.vstack(
                    rx.heading(mail.subject, size="3", as_="h2", id=heading_id),
                    rx.text(
                        "To ", mail.recipients, " · ", mail.received, size="1", color_scheme="gray"
                    ),
                    rx.el.pre(
                        mail.text, white_space="pre-wrap", font_size="0.85rem", max_width="100%"
                    ),
                    rx.foreach(mail.links, lambda url: rx.link(url, href=url)),
                    spacing="2",
                    align="start",
                ),
                width="100%",
            ),
            aria_labelledby=heading_id,
        ),
        list_style="none",
    )


def dev_mailbox_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.hstack(
                rx.heading("Dev mailbox", size="7", as_="h1"),
                rx.button(
                    "Refresh",
                    on_click=MailboxState.load,
                    loading=MailboxState.loading,
                    variant="soft",
                ),
                align="center",
                justify="between",
                width="100%",
            ),
            rx.text(
                "Mail caught by the local SMTP sink, newest first. Not part of production.",
                color_scheme="gray",
            ),
            rx.cond(
                MailboxState.messages.length() > 0,
                bare_list(
                    rx.foreach(MailboxState.messages, _message),
                    gap="var(--space-4)",
                    aria_label="Messages",
                ),
                empty_state("inbox", "No mail yet", "Mail the app sends appears here."),
            ),
            spacing="4",
            width="100%",
        )
    )

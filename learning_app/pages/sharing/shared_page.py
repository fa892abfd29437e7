"""`/share/[share_token]` (and `/lessons/[lesson_id]` under it): what a share link opens,
read-only, for anyone; no other page of the app is reachable through it."""

from __future__ import annotations

import reflex as rx

from learning_app.components.layout import page_shell
from learning_app.components.markdown import rendered_inline, rendered_markdown
from learning_app.services.sharing import links
from learning_app.services.sharing.links import SharedLessonItem
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import PageLoading, call_with_session, rendered
from learning_app.state.course_pages import route_arg


class SharedPageState(PageLoading, AuthState):
    """`error` says why the link shows nothing."""

    kind: str = ""  # "course" | "lesson"
    shared_course_id: str = ""
    course_title: str = ""
    description_html: str = ""
    lesson_title: str = ""
    body_html: str = ""
    shared_lessons: list[SharedLessonItem] = []

    @rx.event
    @opens_page(signed_in=False)
    async def load(self) -> None:
        self._start_loading()
        # Forgotten before asking again: a link revoked since the last load (or a move to a
        # lesson it does not share) must leave none of what it showed in this tab's state.
        self._forget_content()
        with self._loading():
            content = await call_with_session(
                links.open_share_link,
                raw_token=route_arg(self, "share_token"),
                client_ip=self.router.session.client_ip,
                viewer_token=await self._session_token() or None,
                lesson_id=route_arg(self, "lesson_id"),
            )
            self.kind, self.shared_course_id = content.entity_type, content.course_id
            self.course_title, self.lesson_title = content.course_title, content.lesson_title
            self.description_html, self.body_html = await rendered(
                [content.course_description, content.body_markdown]
            )
            self.shared_lessons = content.lessons

    def _forget_content(self) -> None:
        self.kind = self.shared_course_id = self.course_title = self.description_html = ""
        self.lesson_title = self.body_html = ""
        self.shared_lessons = []

    @rx.var
    def link_base(self) -> str:
        return "/share/" + route_arg(self, "share_token")


def _call_to_action() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("graduation-cap")),
        # One paragraph (`callout.text` is a `<p>`): the offer and its link.
        rx.callout.text(
            "Want the whole course, with exams and your progress? ",
            rx.cond(
                AuthState.signed_in,
                rx.link("Open the course", href="/courses/" + SharedPageState.shared_course_id),
                rx.link("Create a free account and enrol", href="/sign-up"),
            ),
        ),
    )


def _lesson_link(item: SharedLessonItem) -> rx.Component:
    return rx.el.li(
        rx.link(item.title, href=SharedPageState.link_base + "/lessons/" + item.lesson_id),
        rx.cond(item.summary_html != "", rendered_inline(item.summary_html)),
        padding_y="0.3rem",
    )


def _course() -> rx.Component:
    s = SharedPageState
    return rx.vstack(
        rx.heading(s.course_title, size="8", as_="h1"),
        rendered_markdown(s.description_html),
        rx.heading("Lessons", size="5", as_="h2"),
        rx.cond(
            s.shared_lessons.length() > 0,
            rx.el.ol(
                rx.foreach(s.shared_lessons, _lesson_link),
                aria_label="Lessons",
                padding_left="1.5rem",
            ),
            rx.text("No lessons are published yet.", color_scheme="gray"),
        ),
        spacing="4",
        width="100%",
    )


def _lesson() -> rx.Component:
    s = SharedPageState
    return rx.vstack(
        rx.cond(
            s.kind == "course",
            rx.link("← " + s.course_title, href=s.link_base, size="2"),
            rx.cond(s.course_title != "", rx.text("From " + s.course_title, color_scheme="gray")),
        ),
        rx.heading(s.lesson_title, size="8", as_="h1"),
        rx.el.article(rendered_markdown(s.body_html), width="100%"),
        spacing="4",
        width="100%",
    )


def _unavailable() -> rx.Component:
    return rx.vstack(
        rx.heading("This link is not available", size="7", as_="h1"),
        rx.text(SharedPageState.error),
        rx.link("Browse courses", href="/"),
        spacing="3",
    )


def shared_page() -> rx.Component:
    s = SharedPageState
    return page_shell(
        rx.box(
            rx.cond(
                s.loading,
                rx.spinner(aria_label="Loading"),
                rx.cond(
                    s.error != "",
                    _unavailable(),
                    rx.vstack(
                        rx.cond(s.lesson_title != "", _lesson(), _course()),
                        rx.divider(),
                        _call_to_action(),
                        spacing="5",
                        width="100%",
                    ),
                ),
            ),
            max_width="48rem",
        )
    )

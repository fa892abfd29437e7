"""`/`: the catalogue of published courses."""

from __future__ import annotations

import reflex as rx

from learning_app.components.feedback import card_skeletons, empty_state, error_callout
from learning_app.components.layout import page_shell
from learning_app.components.lists import card_list
from learning_app.components.markdown import rendered_inline
from learning_app.components.wording import count_text
from learning_app.services.courses.catalog import CourseCard, catalogue_page
from learning_app.state.calls import PageLoading, call_with_session


class CatalogueState(PageLoading, rx.State):
    courses: list[CourseCard] = []
    page: int = 1
    has_previous: bool = False
    has_next: bool = False

    @rx.event
    async def load(self) -> None:
        """on_load: the page `?page=` names (page 1 without it)."""
        self._start_loading()
        with self._loading():
            shown = await call_with_session(
                catalogue_page, page=self.router.url.query_parameters.get("page", "1")
            )
            self.courses, self.page = shown.courses, shown.page
            self.has_previous, self.has_next = shown.has_previous, shown.has_next


def course_card(course: CourseCard) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(rx.link(course.title, href="/courses/" + course.id), size="4", as_="h2"),
            rendered_inline(course.description_html, lines=3),
            rx.spacer(),
            rx.hstack(
                rx.badge(
                    rx.icon("book-open", size=14, aria_hidden="true"),
                    count_text(course.lesson_count, "lesson"),
                    variant="soft",
                ),
                rx.text("by ", course.teacher_name, size="1", color_scheme="gray"),
                align="center",
                justify="between",
                wrap="wrap",
                width="100%",
            ),
            spacing="2",
            height="100%",
        ),
        size="2",
    )


def _page_link(label: str, page: rx.Var[int], icon: str, *, icon_last: bool) -> rx.Component:
    arrow = rx.icon(icon, size=16, aria_hidden="true")
    return rx.link(
        *((label, arrow) if icon_last else (arrow, label)),
        href="/?page=" + page.to_string(),
        display="inline-flex",
        align_items="center",
        gap="var(--space-1)",
        size="3",
    )


def _pager() -> rx.Component:
    """ "Previous page" and "Next page" links with the page in the URL, so a page is linkable;
    hidden when everything fits on one page."""
    return rx.cond(
        CatalogueState.has_previous | CatalogueState.has_next,
        rx.el.nav(
            rx.hstack(
                rx.cond(
                    CatalogueState.has_previous,
                    _page_link(
                        "Previous page", CatalogueState.page - 1, "chevron-left", icon_last=False
                    ),
                ),
                rx.text("Page ", CatalogueState.page, color_scheme="gray"),
                rx.cond(
                    CatalogueState.has_next,
                    _page_link(
                        "Next page", CatalogueState.page + 1, "chevron-right", icon_last=True
                    ),
                ),
                spacing="5",
                align="center",
                justify="center",
                width="100%",
            ),
            aria_label="Catalogue pages",
            width="100%",
        ),
    )


def home_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading("Courses", size="7", as_="h1"),
            rx.text(
                "Learn from courses written by teachers, practise with exams, and ask the tutor.",
                color_scheme="gray",
            ),
            spacing="2",
            margin_bottom="1.5rem",
        ),
        rx.cond(
            CatalogueState.loading,
            card_skeletons(),
            rx.cond(
                CatalogueState.error != "",
                error_callout(CatalogueState.error),
                rx.cond(
                    CatalogueState.courses.length() > 0,
                    rx.vstack(
                        card_list(CatalogueState.courses, course_card, label="Published courses"),
                        _pager(),
                        spacing="5",
                        width="100%",
                    ),
                    empty_state(
                        "library",
                        "No courses yet",
                        "When a teacher publishes a course, it appears here.",
                    ),
                ),
            ),
        ),
    )

"""The navbar search box: instant results while typing (debounced), Enter for the results page.

Keyboard: type, Tab to a suggestion, Enter opens it; Enter in the box opens `/search?q=...`.
Suggestions match words only (no embedder) and count nothing (`queries.suggest`): a half-typed
word has no meaning to embed, and the box asks on every pause; the results page adds the search
by meaning, the counts and the analytics event.
"""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from learning_app.services.search import queries
from learning_app.services.search.results import SearchHit, SnippetPart
from learning_app.state.auth import AuthState
from learning_app.state.calls import call_with_session

SUGGESTIONS = 6
DEBOUNCE_MS = 250


def search_href(query: str, **filters: str) -> str:
    params = {"q": query, **{name: value for name, value in filters.items() if value}}
    return "/search?" + urlencode(params)


class SearchBoxState(AuthState):
    query: str = ""
    suggestions: list[SearchHit] = []
    degraded: bool = False

    @rx.event
    async def set_query(self, value: str) -> None:
        self.query = value[: queries.MAX_QUERY_CHARS]
        if not self.query.strip():
            self.suggestions = []
            return
        try:
            found = await call_with_session(
                queries.suggest,
                token=await self._session_token(),
                query=self.query,
                limit=SUGGESTIONS,
            )
        except Exception:  # the results page explains failures; the box just shows nothing
            self.suggestions = []
            return
        self.suggestions, self.degraded = found.hits, found.degraded

    @rx.event
    def clear(self) -> None:
        self.query, self.suggestions = "", []

    @rx.event
    def open_results(self, form: dict[str, str]) -> rx.event.EventSpec:
        """Enter in the box: the words in it now (the form's `q`, which can be ahead of the
        debounced `query`) on the results page."""
        query = str(form.get("q", self.query))[: queries.MAX_QUERY_CHARS]
        self.query, self.suggestions = query, []
        return rx.redirect(search_href(query))


def snippet(parts: rx.Var[list[SnippetPart]]) -> rx.Component:
    """Plain text with the matched words in <mark>: text only, escaped by React."""
    return rx.foreach(
        parts,
        lambda part: rx.cond(part.marked, rx.el.mark(part.text), rx.text.span(part.text)),
    )


def _suggestion(hit: rx.Var[SearchHit]) -> rx.Component:
    return rx.el.li(
        rx.link(
            rx.vstack(
                rx.text(hit.title, weight="medium", size="2"),
                rx.text(hit.type, " · ", hit.course_title, size="1", color_scheme="gray"),
                spacing="0",
                align="start",
            ),
            href=hit.url,
            on_click=SearchBoxState.clear,
            underline="none",
            display="block",
            padding="0.5rem 0.75rem",
            class_name="search-suggestion",
        ),
        list_style="none",
    )


def search_box() -> rx.Component:
    return rx.form(
        rx.box(
            rx.debounce_input(
                rx.input(
                    # Submitted by its `name` (Reflex 0.11 drops form data keyed by `id`).
                    id="navbar-search",
                    name="q",
                    type="search",
                    value=SearchBoxState.query,
                    on_change=SearchBoxState.set_query,
                    placeholder="Search courses and lessons",
                    aria_label="Search",
                    auto_complete="off",
                    max_length=queries.MAX_QUERY_CHARS,
                    width="16rem",
                ),
                debounce_timeout=DEBOUNCE_MS,
            ),
            rx.cond(
                SearchBoxState.suggestions.length() > 0,
                rx.box(
                    rx.el.ul(
                        rx.foreach(SearchBoxState.suggestions, _suggestion),
                        aria_label="Search suggestions",
                        margin="0",
                        padding="0",
                    ),
                    rx.cond(
                        SearchBoxState.degraded,
                        rx.text(
                            "Simple search mode", size="1", color_scheme="amber", padding="0.5rem"
                        ),
                    ),
                    position="absolute",
                    top="100%",
                    left="0",
                    width="24rem",
                    max_width="90vw",
                    background="var(--color-panel-solid)",
                    border="1px solid var(--gray-a6)",
                    border_radius="var(--radius-3)",
                    box_shadow="var(--shadow-4)",
                    z_index="20",
                ),
            ),
            position="relative",
        ),
        on_submit=SearchBoxState.open_results,
        role="search",
    )

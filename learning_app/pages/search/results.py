"""`/search?q=...&type=...&course=...&tag=...`: results with facets, snippets and an empty state.

Facet choices travel in the URL (bookmarkable, Back works); the service validates them.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from learning_app.adapters.embeddings import get_embedder
from learning_app.components.feedback import empty_state, error_callout
from learning_app.components.layout import page_shell
from learning_app.components.lists import bare_list
from learning_app.components.search_box import search_href, snippet
from learning_app.components.wording import count_text
from learning_app.services.search import queries
from learning_app.services.search.results import FacetCount, SearchFilters, SearchHit
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import PageLoading

RESULTS_PER_PAGE = 20


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    href: str
    active: bool


class SearchPageState(PageLoading, AuthState):
    query: str = ""
    hits: list[SearchHit] = []
    found: int = 0
    types: list[FacetLink] = []
    courses: list[FacetLink] = []
    tags: list[FacetLink] = []
    notices: list[str] = []
    degraded: bool = False
    filtered: bool = False

    def _links(self, facets: list[FacetCount], name: str, chosen: SearchFilters) -> list[FacetLink]:
        current = {"type": chosen.type, "course": chosen.course_id, "tag": chosen.tag}
        links = []
        for facet in facets:
            active = current[name] == facet.value
            # A chosen facet links to the same search without it; others narrow to it.
            choice = {**current, name: "" if active else facet.value}
            links.append(
                FacetLink(facet.label, facet.count, search_href(self.query, **choice), active)
            )
        return links

    @rx.event
    @opens_page(signed_in=False, viewer_from_load=True)
    async def load(self) -> None:
        params = self.router.url.query_parameters
        chosen = SearchFilters(
            type=params.get("type", ""),
            course_id=params.get("course", ""),
            tag=params.get("tag", ""),
        )
        self._start_loading()
        self.query = params.get("q", "")
        self.filtered = bool(chosen.type or chosen.course_id or chosen.tag)
        with self._loading():
            found = await self._fetch(
                queries.search,
                query=self.query,
                filters=chosen,
                limit=RESULTS_PER_PAGE,
                embedder=get_embedder(),
            )
            self.query, self.hits, self.found = found.query, found.hits, found.found
            self.degraded, self.notices = found.degraded, found.notices
            self.types = self._links(found.types, "type", chosen)
            self.courses = self._links(found.courses, "course", chosen)
            self.tags = self._links(found.tags, "tag", chosen)

    def _load_failed(self, exc: Exception) -> None:
        super()._load_failed(exc)
        self.hits, self.found = [], 0
        self.types, self.courses, self.tags, self.notices = [], [], [], []

    @rx.event
    def search_again(self, form: dict[str, str]) -> rx.event.EventSpec:
        return rx.redirect(search_href(form.get("q", "")))


def _facet_group(title: str, links: rx.Var[list[FacetLink]]) -> rx.Component:
    return rx.cond(
        links.length() > 0,
        rx.el.nav(
            rx.heading(title, size="3", as_="h2"),
            rx.el.ul(
                rx.foreach(
                    links,
                    lambda link: rx.el.li(
                        rx.link(
                            link.label,
                            " (",
                            link.count.to_string(),
                            ")",
                            href=link.href,
                            weight=rx.cond(link.active, "bold", "regular"),
                            aria_current=rx.cond(link.active, "true", "false"),
                        ),
                        list_style="none",
                    ),
                ),
                padding="0",
                margin="0.25rem 0 1rem 0",
            ),
            aria_label=f"Filter by {title.lower()}",
        ),
    )


def _result(hit: rx.Var[SearchHit]) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.link(rx.heading(hit.title, size="4", as_="h3"), href=hit.url),
                rx.hstack(
                    rx.badge(hit.type),
                    rx.text(hit.course_title, size="2", color_scheme="gray"),
                    # Where in the source the snippet comes from: the link opens it there.
                    rx.cond(hit.heading != "", rx.text("§ ", hit.heading, size="2")),
                    rx.cond(hit.page > 0, rx.text("page ", hit.page.to_string(), size="2")),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(snippet(hit.parts), size="2"),
                spacing="2",
                align="start",
            ),
            width="100%",
        ),
        list_style="none",
    )


def _search_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.vstack(
                rx.el.label("Search for", html_for="search-page-query", font_weight="500"),
                rx.input(
                    id="search-page-query",
                    name="q",
                    type="search",
                    default_value=SearchPageState.query,
                    key=SearchPageState.query,
                    max_length=queries.MAX_QUERY_CHARS,
                    size="3",
                    width="100%",
                ),
                spacing="1",
                width="100%",
            ),
            rx.button("Search", type="submit", size="3"),
            align="end",
            width="100%",
        ),
        on_submit=SearchPageState.search_again,
        role="search",
        width="100%",
    )


def _results() -> rx.Component:
    nothing = rx.cond(
        SearchPageState.query == "",
        empty_state("search", "Search the courses", "Type a word or two: typos are fine."),
        empty_state(
            "search-x",
            "No results",
            rx.cond(
                SearchPageState.filtered,
                "Nothing matches with these filters. Remove a filter or try other words.",
                "Nothing you can open matches these words. Try fewer or other words.",
            ),
        ),
    )
    return rx.cond(
        SearchPageState.hits.length() > 0,
        rx.grid(
            rx.box(
                _facet_group("Type", SearchPageState.types),
                _facet_group("Course", SearchPageState.courses),
                _facet_group("Tags", SearchPageState.tags),
            ),
            rx.vstack(
                rx.text(
                    count_text(SearchPageState.found, "result"),
                    color_scheme="gray",
                    role="status",
                ),
                bare_list(
                    rx.foreach(SearchPageState.hits, _result),
                    aria_label="Search results",
                    gap="0.75rem",
                ),
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", md="14rem 1fr"),
            spacing="5",
            width="100%",
        ),
        nothing,
    )


def search_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading("Search", size="7", as_="h1"),
            _search_form(),
            rx.foreach(
                SearchPageState.notices,
                lambda notice: rx.callout(notice, icon="info", color_scheme="amber", role="status"),
            ),
            rx.cond(SearchPageState.error != "", error_callout(SearchPageState.error)),
            rx.cond(SearchPageState.loading, rx.spinner(size="3"), _results()),
            spacing="4",
            width="100%",
        )
    )

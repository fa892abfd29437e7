"""`/teach/synonyms`: teachers and admins manage the words search treats as the same."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from learning_app.components.feedback import empty_state
from learning_app.components.forms import form_error, form_notice
from learning_app.components.layout import page_shell
from learning_app.services.search import synonyms
from learning_app.services.search.synonyms import SynonymGroup
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import ServiceCalls


class SynonymsState(ServiceCalls, AuthState):
    groups: list[SynonymGroup] = []
    form_key: int = 0  # bumped to clear the form after a save

    @rx.event
    @opens_page(signed_in=True)
    async def load(self) -> None:
        self.groups = await self._call(synonyms.list_synonym_groups) or []

    @rx.event
    async def add(self, form: dict[str, str]) -> None:
        if await self._change(synonyms.add_synonym_group, words=form.get("words", "")):
            self.notice, self.form_key = "Saved. Search uses it within seconds.", self.form_key + 1

    @rx.event
    async def remove(self, group_id: str) -> None:
        """The service checks that the group exists and that the viewer may remove it."""
        if await self._change(synonyms.delete_synonym_group, group_id=group_id):
            self.notice = "Removed."

    async def _change(self, action: Callable[..., object], **kwargs: str) -> bool:
        """Make the change, then show the groups as they now are; False, with `error` saying
        why, if either fails."""
        await self._call(action, **kwargs)
        if self.error:
            return False
        groups = await self._call(synonyms.list_synonym_groups)
        if groups is None:
            return False
        self.groups = groups
        return True


def _group(group: rx.Var[SynonymGroup]) -> rx.Component:
    words = group.words.join(", ")
    return rx.el.li(
        rx.hstack(
            rx.text(words, weight="medium"),
            rx.text("added by ", group.created_by, size="1", color_scheme="gray"),
            rx.spacer(),
            rx.cond(
                group.can_delete,
                rx.button(
                    "Remove",
                    variant="soft",
                    color_scheme="red",
                    size="1",
                    aria_label="Remove " + words,
                    on_click=SynonymsState.remove(group.id),
                ),
            ),
            align="center",
            width="100%",
        ),
        list_style="none",
        padding_y="0.5rem",
        border_bottom="1px solid var(--gray-a4)",
    )


def synonyms_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading("Search synonyms", size="7", as_="h1"),
            rx.text(
                "Words in one group find each other: add the abbreviations and misspellings your "
                "students use. Groups apply to the whole catalogue.",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    rx.el.label("Words, separated by commas", html_for="synonym-words"),
                    rx.input(
                        id="synonym-words",
                        name="words",
                        placeholder="js, javascript",
                        max_length=600,
                        required=True,
                        size="3",
                        width="100%",
                    ),
                    rx.button("Add synonyms", type="submit", size="3"),
                    spacing="2",
                    width="100%",
                    align="start",
                ),
                key=SynonymsState.form_key,
                on_submit=SynonymsState.add,
                width="100%",
            ),
            form_error(SynonymsState.error),
            form_notice(SynonymsState.notice),
            rx.cond(
                SynonymsState.groups.length() > 0,
                rx.el.ul(
                    rx.foreach(SynonymsState.groups, _group),
                    aria_label="Synonym groups",
                    padding="0",
                    width="100%",
                ),
                empty_state("book-a", "No synonyms yet", "Add the first group above."),
            ),
            spacing="4",
            width="100%",
            max_width="48rem",
        )
    )

"""`/courses/[course_id]/ask`: the course's AI tutor, with the viewer's past questions.

The answer streams in: the slow parts (embedding, the language model) run in worker threads,
one piece at a time, and each piece is pushed to the browser as it comes, rendered as Markdown
by the same sanitising renderer as the recorded answer (so the text does not change shape when
the answer is recorded).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.llm import chat_model
from learning_app.components.courses import loaded_page
from learning_app.components.forms import form_error, form_notice
from learning_app.components.markdown import rendered_inline, rendered_markdown
from learning_app.services.review import tutor_cards
from learning_app.services.tutor import answering, history
from learning_app.services.tutor.answering import AnswerStream
from learning_app.services.tutor.history import CitationLink, ExchangeView
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import call_model, call_with_session, describe_error
from learning_app.state.course_pages import LoadedPageState, route_arg


class TutorState(LoadedPageState, AuthState):
    loaded_id: str = ""
    course_title: str = ""
    exchanges: list[ExchangeView] = []
    asking: bool = False
    pending_question: str = ""
    # The answer streamed so far, rendered (it is Markdown as it streams); "" when none.
    partial_answer_html: str = ""

    @rx.event
    @opens_page(signed_in=True, viewer_from_load=True)
    async def load(self) -> None:
        """on_load, after the page's sign-in check (`opens_page`)."""
        self._start_loading()
        with self._loading():
            page = await self._fetch(history.tutor_page, course_id=route_arg(self, "course_id"))
            self.loaded_id, self.course_title = page.course_id, page.course_title
            self.exchanges = page.exchanges

    @rx.event(background=True)
    async def ask(self, form: dict[str, str]) -> AsyncIterator[object]:
        async with self:
            if self.asking:
                return
            self.asking, self.error, self.notice = True, "", ""
            self.pending_question = form.get("question", "").strip()
            self.partial_answer_html = ""
            token, course_id, question = (
                await self._session_token(),
                self.loaded_id,
                self.pending_question,
            )
        try:
            context = await call_with_session(
                answering.prepare,
                token=token,
                course_id=course_id,
                question=question,
                embedder=get_embedder(),
            )
            stream = AnswerStream(context, chat_model())
            # A few chunks a second, not one per token (`answering.coalesced`).
            chunks = answering.coalesced(stream)
            streamed = ""
            while (chunk := await call_model(next, chunks, None)) is not None:
                streamed += chunk
                # Rendered outside the state lock: a few kilobytes take about a millisecond.
                shown = history.render_answer(streamed)
                async with self:
                    self.partial_answer_html = shown
            exchange = await call_with_session(history.finish_answer, context, stream)
            async with self:
                self.exchanges = [exchange, *self.exchanges]
            yield rx.set_value("question", "")
        except Exception as exc:
            async with self:
                self.error = describe_error(exc)
        finally:
            async with self:
                self.asking, self.pending_question, self.partial_answer_html = False, "", ""

    @rx.event
    async def save_as_card(self, exchange_id: str) -> None:
        """Save one of the viewer's answers as their own review card (the service checks the
        answer is theirs; saving it twice keeps one card)."""
        if await self._call(tutor_cards.save_tutor_answer_as_card, exchange_id=exchange_id):
            self.notice = "Saved to your review cards."


def _citation(link: CitationLink) -> rx.Component:
    label = "[" + link.number.to_string() + "] " + link.label
    return rx.el.li(
        rx.cond(
            link.href.startswith("/"),
            rx.link(label, href=link.href),
            rx.cond(
                link.href != "",
                rx.link(label, href=link.href, is_external=True),
                rx.text(label + " (removed)"),
            ),
        ),
        # The sentences that answer are marked inside the passage they come from.
        rendered_inline(link.excerpt_html),
    )


def _exchange(exchange: ExchangeView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(exchange.question, weight="bold"),
            rendered_markdown(exchange.answer_html, width="100%"),
            rx.cond(
                exchange.citations.length() > 0,
                rx.vstack(
                    rx.cond(
                        exchange.tier == "related",
                        rx.heading("This may not answer your question", size="2", as_="h2"),
                    ),
                    rx.el.ol(
                        rx.foreach(exchange.citations, _citation),
                        aria_label=rx.cond(
                            exchange.tier == "related", "Closest passages", "Sources"
                        ),
                        list_style_type="none",
                        padding_left="0",
                    ),
                    spacing="1",
                    align="start",
                ),
            ),
            rx.cond(
                exchange.tier != "not_found",
                rx.button(
                    "Save as card",
                    size="1",
                    variant="soft",
                    aria_label="Save as card: " + exchange.question,
                    on_click=TutorState.save_as_card(exchange.id),
                ),
            ),
            spacing="2",
            align="start",
        ),
        role="article",
        width="100%",
    )


def _question_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label("Your question", html_for="question", font_weight="500"),
            rx.text_area(
                id="question",
                name="question",
                max_length=answering.MAX_QUESTION_LENGTH,
                required=True,
                rows="3",
                width="100%",
            ),
            rx.button("Ask", type="submit", loading=TutorState.asking),
            spacing="2",
            align="start",
            width="100%",
        ),
        on_submit=TutorState.ask,
        width="100%",
    )


def _pending() -> rx.Component:
    return rx.cond(
        TutorState.asking,
        rx.card(
            rx.vstack(
                rx.text(TutorState.pending_question, weight="bold"),
                rx.cond(
                    TutorState.partial_answer_html != "",
                    rendered_markdown(TutorState.partial_answer_html, width="100%"),
                    rx.hstack(rx.spinner(), rx.text("Looking through the course material…")),
                ),
                align="start",
            ),
            role="status",
            width="100%",
        ),
    )


def _page() -> rx.Component:
    return rx.vstack(
        rx.link("← " + TutorState.course_title, href="/courses/" + TutorState.loaded_id),
        rx.heading("Ask the tutor", size="7", as_="h1"),
        rx.text(
            "Answers come only from this course's lessons and files, with numbered sources.",
            color_scheme="gray",
        ),
        form_error(TutorState.error),
        form_notice(TutorState.notice),
        _question_form(),
        _pending(),
        rx.foreach(TutorState.exchanges, _exchange),
        spacing="4",
        width="100%",
        max_width="48rem",
    )


def tutor_page() -> rx.Component:
    return loaded_page(TutorState, _page(), rx.link("Browse courses", href="/"))

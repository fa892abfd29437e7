"""The "Requirements" section of the lesson and exam editors: which exam of the course must be
passed, and with what score, before students can open this lesson or start this exam. It lives
in `components`, not `pages`: both the courses and the exams pages use it, and `pages.courses`
already imports `pages.exams`.

Its own small state, loaded when the section mounts, so neither editor's state or form grows:
the section sits outside the editor's form and saves on its own ("Add requirement", "Remove
requirement: <exam>"). The services check the viewer edits the course on every call; what
the student sees is in `access.prerequisites`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Literal

import reflex as rx

from learning_app.components.authoring import number_field, section_card, select_field
from learning_app.components.forms import form_error, form_notice
from learning_app.components.lists import bare_list
from learning_app.services.courses import prerequisites
from learning_app.services.courses.prerequisites import ExamChoice, PrerequisiteView
from learning_app.state.auth import AuthState
from learning_app.state.calls import ServiceCalls
from learning_app.state.course_pages import route_arg

NEW_EXAM = "new"  # the exam editor's route for an exam not saved yet
DEFAULT_MIN_PERCENT = "70"

Locks = Literal["lesson", "exam"]


class PrerequisitesState(ServiceCalls, AuthState):
    """The requirements of the lesson or exam the editor shows, and the exams it may name."""

    course_ref: str = ""
    lesson_ref: str = ""  # the locked lesson, or "" in the exam editor
    exam_ref: str = ""  # the locked exam, or "" in the lesson editor (and for a new exam)
    requirements: list[PrerequisiteView] = []
    exam_choices: list[ExamChoice] = []
    adding: bool = False
    form_key: int = 0  # bumped after an add, so the form mounts again with its defaults

    @rx.event
    async def load(self, locks: Locks) -> None:
        """on_mount of the section: `locks` says which editor it sits in."""
        self.error, self.notice, self.requirements, self.exam_choices = "", "", [], []
        self.course_ref = route_arg(self, "course_id")
        self.lesson_ref = route_arg(self, "lesson_id") if locks == "lesson" else ""
        exam = route_arg(self, "exam_id") if locks == "exam" else ""
        self.exam_ref = "" if exam == NEW_EXAM else exam
        if self.lesson_ref or self.exam_ref:
            await self._refresh()

    async def _refresh(self) -> None:
        try:
            self.requirements = await self._fetch(
                prerequisites.prerequisites_of_course,
                course_id=self.course_ref,
                lesson_id=self.lesson_ref or None,
                exam_id=self.exam_ref or None,
            )
            self.exam_choices = await self._fetch(
                prerequisites.requirable_exams,
                course_id=self.course_ref,
                exam_id=self.exam_ref or None,
            )
        except Exception:  # the editor around it reports any problem with the page itself
            self.requirements, self.exam_choices = [], []

    @rx.event
    async def add(self, form: dict[str, str]) -> AsyncIterator[object]:
        self.adding = True
        yield
        added = await self._call(
            prerequisites.set_prerequisite,
            course_id=self.course_ref,
            lesson_id=self.lesson_ref or None,
            exam_id=self.exam_ref or None,
            required_exam_id=form.get("required_exam_id", ""),
            min_percent=form.get("min_percent", ""),
        )
        if added is not None:
            await self._refresh()
            self.notice = f"Requirement saved: {added.label}."
            self.form_key += 1
        self.adding = False

    @rx.event
    async def remove(self, prerequisite_id: str) -> None:
        await self._call(prerequisites.remove_prerequisite, prerequisite_id=prerequisite_id)
        if not self.error:
            await self._refresh()
            self.notice = "Requirement removed."


def _requirement(item: PrerequisiteView) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(
                "Pass ",
                rx.text.strong(item.required_exam_title),
                " with at least ",
                item.min_percent.to_string(),
                "%",
            ),
            rx.button(
                "Remove requirement: " + item.required_exam_title,
                type="button",
                variant="soft",
                color_scheme="red",
                size="1",
                on_click=PrerequisitesState.remove(item.id),
            ),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        list_style="none",
    )


def _add_form(locks: Locks) -> rx.Component:
    return rx.form(
        rx.hstack(
            select_field(
                "Requires",
                rx.el.option("Choose an exam", value=""),
                rx.foreach(
                    PrerequisitesState.exam_choices,
                    lambda choice: rx.el.option(choice.title, value=choice.id),
                ),
                input_id=f"{locks}-requires-exam",
                name="required_exam_id",
                default_value="",
            ),
            number_field(
                "Minimum score (%)",
                input_id=f"{locks}-requires-percent",
                name="min_percent",
                minimum=0,
                maximum=100,
                default_value=DEFAULT_MIN_PERCENT,
            ),
            rx.button("Add requirement", type="submit", loading=PrerequisitesState.adding),
            spacing="3",
            align="end",
            wrap="wrap",
        ),
        on_submit=PrerequisitesState.add,
        key=PrerequisitesState.form_key,
        width="100%",
    )


def prerequisites_section(locks: Locks) -> rx.Component:
    """The section for the lesson editor (`locks="lesson"`) or the exam editor."""
    what = "this lesson" if locks == "lesson" else "this exam"
    return rx.box(
        section_card(
            "Requirements",
            rx.text(
                f"Students open {what} once they pass another exam of the course with at least "
                "the score you set. You and the course's other teachers always can.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                (PrerequisitesState.lesson_ref != "") | (PrerequisitesState.exam_ref != ""),
                rx.vstack(
                    form_error(PrerequisitesState.error),
                    form_notice(PrerequisitesState.notice),
                    rx.cond(
                        PrerequisitesState.requirements.length() > 0,
                        bare_list(
                            rx.foreach(PrerequisitesState.requirements, _requirement),
                            gap="0.5rem",
                            aria_label="Requirements",
                        ),
                        rx.text("No requirements: it is open to every student.", size="2"),
                    ),
                    _add_form(locks),
                    spacing="3",
                    width="100%",
                ),
                rx.text("Save the exam to add requirements.", size="2"),
            ),
        ),
        on_mount=PrerequisitesState.load(locks),
        width="100%",
    )

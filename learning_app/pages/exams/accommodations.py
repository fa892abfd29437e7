"""`/teach/courses/[course_id]/accommodations`: a teacher gives one student more time, more
attempts or their own dates, for one exam or for every exam of the course (WCAG 2.2.1, Timing
Adjustable). The service checks everything; the page only gathers the form."""

from __future__ import annotations

import reflex as rx

from learning_app.components.authoring import number_field, section_card, select_field
from learning_app.components.courses import confirm_button, loaded_page
from learning_app.components.feedback import empty_state
from learning_app.components.forms import form_error, form_notice
from learning_app.components.lists import bare_list
from learning_app.services.exams import accommodations
from learning_app.services.exams.accommodations import (
    AccommodationView,
    ExamChoice,
    StudentChoice,
)
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.course_pages import LoadedPageState, route_arg

FORM_ID = "accommodation-form"


class AccommodationsState(LoadedPageState, AuthState):
    loaded_id: str = ""
    course_title: str = ""
    time_zone: str = "UTC"
    students: list[StudentChoice] = []
    exams: list[ExamChoice] = []
    rows: list[AccommodationView] = []
    saving: bool = False

    def _show(self, page: accommodations.AccommodationsPage) -> None:
        self.loaded_id, self.course_title = page.course_id, page.course_title
        self.students, self.exams, self.rows = page.students, page.exams, page.accommodations
        self.time_zone = page.time_zone

    @rx.event
    @opens_page(signed_in=True)
    async def load(self) -> None:
        """on_load, after the page's sign-in check (`opens_page`)."""
        self._start_loading()
        with self._loading():
            self._show(
                await self._fetch(
                    accommodations.accommodations_page, course_id=route_arg(self, "course_id")
                )
            )

    @rx.event
    async def grant(self, form: dict[str, str]) -> None:
        if self.saving:
            return
        self.saving = True
        granted = await self._call(
            accommodations.grant_accommodation,
            course_id=self.loaded_id,
            student_email=form.get("student", ""),
            exam_id=form.get("exam") or None,
            time_factor=form.get("time_factor"),
            extra_minutes=form.get("extra_minutes"),
            extra_attempts=form.get("extra_attempts"),
            opens_at=form.get("opens_at"),
            closes_at=form.get("closes_at"),
        )
        if granted is not None:
            await self._refresh()
            self.notice = " ".join(
                part
                for part in (
                    f"Saved for {granted.student_name} ({granted.exam_title}): {granted.summary}.",
                    f"It replaces {granted.replaced}." if granted.replaced else "",
                    granted.warning,
                )
                if part
            )
        self.saving = False

    @rx.event
    async def revoke(self, accommodation_id: str) -> None:
        await self._call(accommodations.revoke_accommodation, accommodation_id=accommodation_id)
        if not self.error:
            await self._refresh()
            self.notice = "Accommodation removed. Attempts already started keep their deadline."

    async def _refresh(self) -> None:
        self._show(await self._fetch(accommodations.accommodations_page, course_id=self.loaded_id))


def _row(row: AccommodationView) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.vstack(
                rx.text(rx.text.strong(row.student_name), " · ", row.student_email),
                rx.text(row.exam_title, ": ", row.summary, size="2", color_scheme="gray"),
                spacing="1",
            ),
            rx.spacer(),
            confirm_button(
                "Remove",
                title="Remove this accommodation?",
                description="Attempts already started keep their deadline.",
                confirm_label="Remove",
                on_confirm=AccommodationsState.revoke(row.id),
                aria_label="Remove the accommodation of "
                + row.student_name
                + " for "
                + row.exam_title,
            ),
            align="center",
            width="100%",
        ),
        padding_y="0.5rem",
        border_bottom="1px solid var(--gray-a4)",
    )


def _form() -> rx.Component:
    S = AccommodationsState
    return section_card(
        "Give a student an accommodation",
        rx.form(
            rx.vstack(
                select_field(
                    "Student",
                    rx.el.option("Choose a student", value=""),
                    rx.foreach(
                        S.students,
                        lambda s: rx.el.option(s.name + " (" + s.email + ")", value=s.email),
                    ),
                    input_id="accommodation-student",
                    name="student",
                    required=True,
                ),
                select_field(
                    "Exam",
                    rx.el.option("Every exam of the course", value=""),
                    rx.foreach(S.exams, lambda e: rx.el.option(e.title, value=e.id)),
                    input_id="accommodation-exam",
                    name="exam",
                ),
                rx.hstack(
                    number_field(
                        "Time factor",
                        input_id="accommodation-factor",
                        name="time_factor",
                        minimum=None,
                        hint="1.5 gives half as long again",
                    ),
                    number_field(
                        "Or extra minutes",
                        input_id="accommodation-minutes",
                        name="extra_minutes",
                        minimum=None,
                    ),
                    number_field(
                        "Extra attempts",
                        input_id="accommodation-attempts",
                        name="extra_attempts",
                        minimum=None,
                    ),
                    spacing="4",
                    wrap="wrap",
                ),
                rx.hstack(
                    _moment_field("Opens at (their own)", "opens_at"),
                    _moment_field("Closes at (their own)", "closes_at"),
                    spacing="4",
                    wrap="wrap",
                ),
                rx.text(
                    "Leave a field empty to keep the exam's own setting. Times are in your time "
                    "zone, ",
                    S.time_zone,
                    ". An attempt already started keeps its deadline.",
                    size="2",
                    color_scheme="gray",
                ),
                form_error(S.error),
                form_notice(S.notice),
                rx.button("Save accommodation", type="submit", loading=S.saving),
                spacing="3",
                width="100%",
            ),
            id=FORM_ID,
            on_submit=S.grant,
            width="100%",
        ),
    )


def _moment_field(label: str, name: str) -> rx.Component:
    input_id = f"accommodation-{name}"
    return rx.vstack(
        rx.el.label(label, html_for=input_id, font_weight="500", font_size="0.9rem"),
        rx.input(id=input_id, name=name, type="datetime-local"),
        spacing="1",
    )


def _content() -> rx.Component:
    S = AccommodationsState
    return rx.vstack(
        rx.link("← Back to the course editor", href="/teach/courses/" + S.loaded_id),
        rx.heading("Accommodations: ", S.course_title, size="7", as_="h1"),
        rx.text(
            "More time, more attempts or their own dates for one student: for one exam, or for "
            "every exam of the course. An exam's own accommodation wins over a course-wide one.",
            color_scheme="gray",
        ),
        _form(),
        section_card(
            "Accommodations given",
            rx.cond(
                S.rows.length() > 0,
                bare_list(rx.foreach(S.rows, _row), aria_label="Accommodations given"),
                empty_state(
                    "clock", "None yet", "Accommodations you give appear here, with a way back."
                ),
            ),
        ),
        spacing="4",
        width="100%",
        max_width="52rem",
    )


def accommodations_page() -> rx.Component:
    return loaded_page(
        AccommodationsState, _content(), rx.link("Back to my teaching", href="/teach")
    )

"""`/teach/courses/[course_id]/gradebook`: the course's students by its published exams.

The service refuses anyone who does not teach the course (a student sees "Not allowed"). Each
exam's column says which attempts make its grade; an essay waiting for a mark shows as
"Pending", never as 0. Headers sort (a button named "Sort by <column>", with `aria-sort` on
the header), the name filter narrows the rows, and "Download CSV" sends the file built on
the server by `gradebook_csv`.
"""

from __future__ import annotations

import reflex as rx

from learning_app.components.courses import loaded_page
from learning_app.components.feedback import empty_state
from learning_app.components.forms import form_error
from learning_app.pages.exams.gradebook_state import (
    ROWS_PER_STEP,
    CellView,
    ColumnView,
    GradebookState,
    RowView,
)

S = GradebookState
FILTER_ID = "gradebook-filter"


def _sort_header(column: ColumnView, *, sortable_name: rx.Var[str] | str) -> rx.Component:
    arrow = rx.match(column.aria_sort, ("ascending", " ↑"), ("descending", " ↓"), "")
    return rx.table.column_header_cell(
        rx.vstack(
            rx.button(
                column.title,
                rx.el.span(arrow, aria_hidden="true"),
                variant="ghost",
                aria_label="Sort by " + sortable_name,
                on_click=S.sort_by(column.key),
            ),
            rx.cond(column.detail != "", rx.text(column.detail, size="1", color_scheme="gray")),
            spacing="1",
            align="start",
        ),
        scope="col",
        custom_attrs={"aria-sort": column.aria_sort},
    )


def _exam_header(column: ColumnView) -> rx.Component:
    return _sort_header(column, sortable_name=column.title)


def _cell(cell: CellView) -> rx.Component:
    return rx.table.cell(
        rx.match(
            cell.state,
            ("pending", rx.badge("Pending", color_scheme="amber")),
            (
                "graded",
                rx.text(
                    cell.text,
                    rx.el.span(
                        rx.cond(cell.passed, " (passed)", " (not passed)"),
                        class_name="visually-hidden",
                    ),
                    color=rx.cond(cell.passed, "var(--green-11)", "var(--red-11)"),
                ),
            ),
            rx.text(
                "—", rx.el.span("no attempt", class_name="visually-hidden"), color_scheme="gray"
            ),
        )
    )


def _row(row: RowView) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(row.name, weight="medium"),
                rx.text(row.email, size="1", color_scheme="gray"),
                spacing="0",
            ),
            scope="row",
        ),
        rx.foreach(row.cells, _cell),
        rx.table.cell(
            rx.vstack(
                rx.text(row.total, weight="medium"),
                rx.text(row.counted, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
    )


def _average_cell(column: ColumnView) -> rx.Component:
    return rx.table.cell(column.average)


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.el.caption(
                "Grades of ",
                S.course_title,
                ": one row per student, one column per published exam.",
                class_name="visually-hidden",
            ),
            rx.table.header(
                rx.table.row(
                    _sort_header(S.name_column, sortable_name="name"),
                    rx.foreach(S.columns, _exam_header),
                    _sort_header(S.total_column, sortable_name="course total"),
                )
            ),
            rx.table.body(rx.foreach(S.rows, _row)),
            rx.el.tfoot(
                rx.table.row(
                    rx.table.row_header_cell("Course average", scope="row"),
                    rx.foreach(S.columns, _average_cell),
                    rx.table.cell(S.total_column.average),
                )
            ),
            variant="surface",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def _controls() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.el.label("Filter by name", html_for=FILTER_ID, font_weight="500"),
            rx.input(
                id=FILTER_ID,
                value=S.name_filter,
                on_change=S.set_name_filter,
                debounce_timeout=250,
                placeholder="Name or email",
                max_length=200,
                type="search",
                width="18rem",
            ),
            spacing="1",
        ),
        rx.spacer(),
        rx.vstack(
            rx.button(
                rx.icon("download", aria_hidden="true"),
                "Download CSV",
                loading=S.downloading,
                on_click=S.download_csv,
                aria_describedby="gradebook-csv-scope",
            ),
            # The filter only narrows what is shown: say so where the file is asked for.
            rx.text("Every student, whatever the filter", id="gradebook-csv-scope", size="1"),
            spacing="1",
            align="end",
        ),
        align="end",
        width="100%",
        wrap="wrap",
        spacing="3",
    )


def _students() -> rx.Component:
    return rx.vstack(
        _controls(),
        form_error(S.error),
        rx.cond(
            S.columns.length() == 0,
            rx.callout(
                "No published exam yet: grades appear once an exam is published and taken.",
                icon="info",
            ),
        ),
        rx.text(
            rx.cond(
                S.name_filter.strip() != "",
                S.matching_count.to_string() + " of " + S.student_count.to_string() + " students",
                S.student_count.to_string() + " students",
            ),
            size="2",
            color_scheme="gray",
            role="status",
        ),
        rx.cond(
            S.matching_count > 0,
            _table(),
            rx.text("No student's name or email matches the filter.", color_scheme="gray"),
        ),
        rx.cond(
            S.more_to_show,
            rx.button(
                f"Show {ROWS_PER_STEP} more", variant="soft", on_click=S.show_more, width="100%"
            ),
        ),
        spacing="3",
        width="100%",
    )


def _content() -> rx.Component:
    return rx.vstack(
        rx.link("← Back to the course editor", href="/teach/courses/" + S.loaded_id),
        rx.heading("Gradebook: ", S.course_title, size="7", as_="h1"),
        rx.text(
            "Pending: an essay awaits a mark. The course total is the mean of the exams "
            "graded so far.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            S.student_count > 0,
            _students(),
            empty_state(
                "users",
                "No students yet",
                "Grades appear here once students enrol in the course and take its exams.",
            ),
        ),
        spacing="4",
        width="100%",
    )


def gradebook_page() -> rx.Component:
    return loaded_page(S, _content(), rx.link("Back to my teaching", href="/teach"))

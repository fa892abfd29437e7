"""The gradebook page's state: the course's gradebook, filtered by name and sorted here.

The whole gradebook stays on the server (`_book`, a backend-only var): the browser gets the
rows it shows, at most `ROWS_PER_STEP` more at a time, so a course of thousands of students
never puts a megabyte into the state (Reflex warns at 1 MB per state and caps websocket
messages at 1 MB). Filtering and sorting are done here on the loaded gradebook, without a
query; the CSV download asks the service again, so it carries the grades as they are now.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import reflex as rx

from learning_app.services.exams import gradebook
from learning_app.services.exams.gradebook import (
    CellState,
    Gradebook,
    GradeCell,
    StudentGrades,
    csv_filename,
    gradebook_csv,
)
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.course_pages import LoadedPageState, route_arg

ROWS_PER_STEP = 200  # rows sent to the browser at a time; "Show more" adds as many again
# rx.download sends the file as a base64 data: URL over the websocket (capped at 1 MB): a CSV
# above this size is refused on the page, with the command that exports it instead.
CSV_DOWNLOAD_LIMIT_BYTES = 700_000
SORT_NAME, SORT_TOTAL = "name", "total"
POLICY_LABELS = {
    "best": "Best attempt",
    "last": "Last attempt",
    "average": "Average of attempts",
}


@dataclass(frozen=True)
class ColumnView:
    """A sortable header: `key` is what `sort_by` takes, `aria_sort` its current order."""

    key: str
    title: str
    detail: str  # "Best attempt · pass 60%"
    average: str  # the course's figure for this column, "—" if none
    aria_sort: str  # "ascending", "descending" or "none"


@dataclass(frozen=True)
class CellView:
    text: str  # "75.0%", "Pending" or "—"
    state: str  # a CellState value
    passed: bool


@dataclass(frozen=True)
class RowView:
    user_id: str
    name: str
    email: str
    cells: list[CellView]
    total: str
    counted: str  # "3 of 4 exams"


def percent_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def cell_view(cell: GradeCell) -> CellView:
    if cell.state == CellState.PENDING:
        return CellView("Pending", cell.state, False)
    return CellView(percent_text(cell.percent), cell.state, bool(cell.passed))


def row_view(student: StudentGrades, exam_count: int) -> RowView:
    pending = f", {student.pending_exams} pending" if student.pending_exams else ""
    return RowView(
        user_id=student.user_id,
        name=student.name,
        email=student.email,
        cells=[cell_view(c) for c in student.cells],
        total=percent_text(student.total),
        counted=f"{student.graded_exams} of {exam_count} exams{pending}",
    )


def _grade_order(
    students: list[StudentGrades], value: dict[str, tuple[int, float]], *, descending: bool
) -> list[StudentGrades]:
    """Graded students by their figure (in the asked direction), then pending, then none;
    ties by name (the list arrives in name order and sorting is stable)."""
    sign = -1 if descending else 1
    return sorted(students, key=lambda s: (value[s.user_id][0], sign * value[s.user_id][1]))


def sorted_students(book: Gradebook, key: str, *, descending: bool) -> list[StudentGrades]:
    """The gradebook's students in the order a sort key asks for."""
    students = list(book.students)  # by name already
    if key == SORT_NAME:
        return students[::-1] if descending else students
    if key == SORT_TOTAL:
        value = {
            s.user_id: (0, s.total) if s.total is not None else (2, 0.0) for s in book.students
        }
        return _grade_order(students, value, descending=descending)
    index = next((i for i, e in enumerate(book.exams) if e.id == key), None)
    if index is None:
        return students
    rank = {CellState.GRADED.value: 0, CellState.PENDING.value: 1, CellState.NONE.value: 2}
    value = {
        s.user_id: (rank[s.cells[index].state], s.cells[index].percent or 0.0)
        for s in book.students
    }
    return _grade_order(students, value, descending=descending)


def matches(student: StudentGrades, words: str) -> bool:
    """The filter: every word appears in the student's name or email (any case)."""
    haystack = f"{student.name} {student.email}".casefold()
    return all(word in haystack for word in words.casefold().split())


class GradebookState(LoadedPageState, AuthState):
    loaded_id: str = ""
    course_title: str = ""
    columns: list[ColumnView] = []  # the exams, in course order
    name_column: ColumnView = ColumnView(SORT_NAME, "Student", "", "", "ascending")
    total_column: ColumnView = ColumnView(SORT_TOTAL, "Course total", "", "—", "none")
    rows: list[RowView] = []
    name_filter: str = ""
    sort_key: str = SORT_NAME
    sort_descending: bool = False
    limit: int = ROWS_PER_STEP
    student_count: int = 0
    matching_count: int = 0
    downloading: bool = False
    _book: Gradebook | None = None

    @rx.var
    def more_to_show(self) -> bool:
        return self.matching_count > len(self.rows)

    def _aria_sort(self, key: str) -> str:
        if key != self.sort_key:
            return "none"
        return "descending" if self.sort_descending else "ascending"

    def _refresh(self) -> None:
        """The visible rows and the headers' sort state, from `_book` and the controls."""
        book = self._book
        if book is None:
            return
        self.name_column = ColumnView(SORT_NAME, "Student", "", "", self._aria_sort(SORT_NAME))
        self.total_column = ColumnView(
            SORT_TOTAL,
            "Course total",
            "Mean of graded exams",
            percent_text(book.total_average),
            self._aria_sort(SORT_TOTAL),
        )
        self.columns = [
            ColumnView(
                key=exam.id,
                title=exam.title,
                detail=f"{POLICY_LABELS.get(exam.policy, exam.policy)} · pass "
                f"{exam.passing_score:g}%",
                average=percent_text(average.average)
                + (f" ({average.pending} pending)" if average.pending else ""),
                aria_sort=self._aria_sort(exam.id),
            )
            for exam, average in zip(book.exams, book.exam_averages, strict=True)
        ]
        ordered = sorted_students(book, self.sort_key, descending=self.sort_descending)
        words = self.name_filter.strip()
        shown = [s for s in ordered if matches(s, words)] if words else ordered
        self.matching_count = len(shown)
        self.rows = [row_view(s, len(book.exams)) for s in shown[: self.limit]]

    def _show(self, book: Gradebook) -> None:
        self._book = book
        self.loaded_id, self.course_title = book.course_id, book.course_title
        self.student_count = len(book.students)
        self._refresh()

    @rx.event
    @opens_page(signed_in=True)
    async def load(self) -> None:
        """on_load, after the page's sign-in check (`opens_page`)."""
        self._start_loading()
        self._book, self.rows, self.columns = None, [], []
        self.name_filter, self.sort_key, self.sort_descending = "", SORT_NAME, False
        self.limit = ROWS_PER_STEP
        if not self.signed_in:
            return
        with self._loading():
            book = await self._fetch(
                gradebook.course_gradebook, course_id=route_arg(self, "course_id")
            )
            self._show(book)

    @rx.event
    def set_name_filter(self, text: str) -> None:
        self.name_filter = text[:200]
        self.limit = ROWS_PER_STEP
        self._refresh()

    @rx.event
    def sort_by(self, key: str) -> None:
        """Sort by a column; the same column again reverses the order."""
        if key == self.sort_key:
            self.sort_descending = not self.sort_descending
        else:
            self.sort_key, self.sort_descending = key, False
        self._refresh()

    @rx.event
    def show_more(self) -> None:
        self.limit += ROWS_PER_STEP
        self._refresh()

    @rx.event
    async def download_csv(self) -> AsyncIterator[object]:
        """The gradebook as it is now, as a CSV file built on the server."""
        self.downloading = True
        yield
        book = await self._call(gradebook.course_gradebook, course_id=self.loaded_id)
        self.downloading = False
        if book is None:
            return
        self._show(book)
        text = gradebook_csv(book)
        if len(text.encode("utf-8")) > CSV_DOWNLOAD_LIMIT_BYTES:
            self.error = (
                "This gradebook is too large to download from the page. Export it with "
                f"`learning-app grades export --course {book.course_slug}`."
            )
            return
        yield rx.download(data=text, filename=csv_filename(book), mime_type="text/csv")

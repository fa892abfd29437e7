"""What the course and lesson pages share: reading route segments and showing a failed load."""

from __future__ import annotations

import reflex as rx

from learning_app.services.courses import reading
from learning_app.services.courses.authoring import CourseOutline
from learning_app.services.errors import NotFound, PermissionDenied
from learning_app.state.calls import PageLoading, describe_error


def route_arg(state: rx.State, name: str) -> str:
    """The current value of a dynamic route segment such as `[course_id]`.

    When a page with `[course_id]` in its route is added, Reflex 0.10 installs a computed var
    `course_id` on the root state (`State.setup_dynamic_args`, reading the page's params) that
    every state inherits. It is read by name here because no state declares it: a state var of
    the same name would shadow it.
    """
    value = getattr(state, name, "")
    return value if isinstance(value, str) else ""


def is_checked(form: dict[str, str | bool], name: str) -> bool:
    """A checkbox in a submitted form: a boolean when Reflex reads it by ref, "on" otherwise."""
    return form.get(name) in (True, "on")


class LoadedPageState(PageLoading, mixin=True):
    """A page that loads one course or lesson. While `loading` it shows a spinner; when the
    load fails, `problem_title` and `problem` replace the page; `error` and `notice` report
    what the viewer's last action did.

    A Reflex mixin like `PageLoading`, used as `class PageState(LoadedPageState, AuthState)`.
    """

    problem_title: str = ""
    problem: str = ""

    def _start_loading(self) -> None:
        super()._start_loading()
        self.problem = ""

    def _load_failed(self, exc: Exception) -> None:
        if isinstance(exc, NotFound):
            self.problem_title, self.problem = "Not found", str(exc)
        elif isinstance(exc, PermissionDenied):
            self.problem_title, self.problem = "Not allowed", str(exc)
        else:
            self.problem_title, self.problem = "Something went wrong", describe_error(exc)

    async def _editable_outline(self, refusal: str) -> CourseOutline | None:
        """The outline of the route's course if the viewer may edit it; otherwise None, with
        `refusal` as the page's problem. Errors (not found, store down) propagate."""
        outline = await self._fetch(reading.course_outline, course_id=route_arg(self, "course_id"))
        if outline.can_edit:
            return outline
        self.problem_title, self.problem = "Not allowed", refusal
        return None

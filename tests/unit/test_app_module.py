"""The Reflex app module imports: every state and page is declared validly."""

from __future__ import annotations

import inspect
import re


def test_the_app_registers_every_route() -> None:
    from learning_app import learning_app

    paths = {route.path for route in learning_app.ROUTES}
    assert {"/", "/sign-in", "/sign-up", "/settings", "/admin/users"} <= paths
    assert {
        "/my-courses",
        "/teach",
        "/teach/courses/[course_id]",
        "/teach/courses/[course_id]/lessons/[lesson_id]",
        "/courses/[course_id]",
        "/courses/[course_id]/lessons/[lesson_id]",
    } <= paths
    assert {
        "/teach/courses/[course_id]/exams",
        "/teach/courses/[course_id]/exams/[exam_id]",
        "/teach/grading",
        "/teach/attempts/[attempt_id]",
    } <= paths
    assert {"/review", "/teach/courses/[course_id]/cards", "/dashboard"} <= paths
    assert {
        "/teach/courses/[course_id]/accommodations",
        "/teach/courses/[course_id]/gradebook",
    } <= paths
    assert "/dev/mailbox" in paths  # not production


def test_every_page_renders_to_a_component() -> None:
    import reflex as rx

    from learning_app import learning_app

    for route in learning_app.ROUTES:
        assert isinstance(route.page(), rx.Component), route.path


# Handlers that run their page's checks themselves: a link from an email signs in or verifies,
# and the admin page refuses anyone but an admin.
CHECK_THEMSELVES = {
    "MagicLinkState.consume",
    "VerifyEmailState.consume",
    "AdminUsersState.open_page",
}
PUBLIC_PREFIXES = ("/sign-", "/forgot-password", "/auth/", "/search", "/share/", "/dev/")


def _is_public(path: str) -> bool:
    if path == "/" or path.startswith(PUBLIC_PREFIXES):
        return True
    # A course's outline and its lessons are open to visitors of public courses; asking its
    # tutor is not.
    return path.startswith("/courses/") and not path.endswith("/ask")


def test_every_page_checks_its_viewer_first_and_private_pages_require_sign_in() -> None:
    from learning_app import learning_app
    from learning_app.state.auth import VIEWER_CHECK, AuthState

    checks = {AuthState.load_viewer.fn: "viewer", AuthState.require_signed_in.fn: "signed_in"}
    for route in learning_app.ROUTES:
        first = route.on_load[0].fn
        if first.__qualname__ in CHECK_THEMSELVES:
            continue
        check = checks.get(first) or getattr(first, VIEWER_CHECK, None)
        expected = "viewer" if _is_public(route.path) else "signed_in"
        assert check == expected, route.path


def test_a_load_that_resolves_the_viewer_reads_nothing_of_the_navbar_before() -> None:
    """`opens_page(viewer_from_load=True)` shows the navbar's viewer once the load's first
    unit has resolved it: the load itself must not decide anything by the navbar's fields."""
    from learning_app import learning_app
    from learning_app.state.auth import VIEWER_FROM_LOAD

    navbar = re.compile(r"self\.(signed_in|viewer_\w+|is_teacher|is_admin|auth_checked)\b")
    opted_in = [
        route.path
        for route in learning_app.ROUTES
        if getattr(route.on_load[0].fn, VIEWER_FROM_LOAD, False)
    ]
    assert "/exams/[exam_id]" in opted_in and "/courses/[course_id]/lessons/[lesson_id]" in opted_in
    for route in learning_app.ROUTES:
        first = route.on_load[0].fn
        if getattr(first, VIEWER_FROM_LOAD, False):
            assert not navbar.search(inspect.getsource(first.__wrapped__)), route.path


def test_opening_a_page_loads_no_other_page_state() -> None:
    """Reflex loads an event's state with every state under it, so the page's events target
    its own state."""
    from reflex.istate.manager.redis import StateManagerRedis
    from reflex.state import State

    from learning_app import learning_app
    from learning_app.state.auth import AuthState

    manager = StateManagerRedis.__new__(StateManagerRedis)  # only its tree walk is used

    def loaded(state: type[State]) -> set[type[State]]:
        return manager._get_required_state_classes(state, subclasses=True)

    for route in learning_app.ROUTES:
        for event in route.on_load:
            state = State.get_class_substate(event.state_full_name.split(".", 1)[1])
            if state is AuthState:
                continue  # a page with nothing else to load (see learning_app.py)
            assert AuthState.get_substates().isdisjoint(loaded(state) - {state}), route.path

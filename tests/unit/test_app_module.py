"""The Reflex app module imports: every state and page is declared validly."""

from __future__ import annotations


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

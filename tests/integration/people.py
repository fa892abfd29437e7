"""Accounts, courses and lessons for integration tests, made and read through the real
services."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.models.users import UserRole
from learning_app.services.accounts import sessions, users, viewers
from learning_app.services.courses import authoring, lessons, reading

PASSWORD = "correct horse battery"


def person(name: str, role: UserRole = UserRole.STUDENT) -> str:
    """A new account of `role`, signed in; returns its session token."""
    with session_scope() as session:
        viewer = users.create_user(
            session,
            email=f"{name}@example.com",
            password=PASSWORD,
            display_name=name.title(),
            role=role,
        )
    return sessions.create_session(
        uuid.UUID(viewer.user_id), client_ip="198.51.100.1", user_agent="t"
    )


def unverified_person(name: str) -> str:
    """A student who signed up through the form's service and never followed the mailed
    verification link, signed in; returns its session token."""
    with session_scope() as session:
        viewer = users.sign_up(
            session,
            email=f"{name}@example.com",
            password=PASSWORD,
            display_name=name.title(),
            client_ip="198.51.100.2",
        )
    assert viewer is not None and not viewer.email_verified
    return sessions.create_session(
        uuid.UUID(viewer.user_id), client_ip="198.51.100.2", user_agent="t"
    )


def user_id(token: str) -> str:
    with session_scope() as session:
        viewer = viewers.viewer_for_session(session, token)
    assert viewer is not None
    return viewer.user_id


def new_course(token: str, title: str = "Intro to Python", **kwargs: object) -> str:
    with session_scope() as session:
        return authoring.create_course(
            session, token=token, title=title, description="Learn Python.", **kwargs
        ).id  # type: ignore[arg-type]


def new_lesson(
    token: str, course_id: str, title: str, *, publish: bool = True, body: str | None = None
) -> str:
    """A lesson whose body is `body`, or a heading of its title."""
    with session_scope() as session:
        lesson_id = lessons.create_lesson(
            session,
            token=token,
            course_id=course_id,
            title=title,
            body_markdown=f"# {title}" if body is None else body,
        ).id
        if publish:
            lessons.publish_lesson(session, token=token, lesson_id=lesson_id)
    return lesson_id


def publish(token: str, course_id: str) -> None:
    with session_scope() as session:
        authoring.publish_course(session, token=token, course_id=course_id)


def outline(token: str | None, course_id: str) -> authoring.CourseOutline:
    with session_scope() as session:
        return reading.course_outline(session, token=token, course_id=course_id)


def count(model: type) -> int:
    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())

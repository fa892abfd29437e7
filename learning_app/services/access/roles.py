"""Who may do what. Services call these on every write and every private read.

Hiding a button in the UI is never the check; these are.
"""

from __future__ import annotations

from sqlmodel import Session

from learning_app.models.users import UserRole
from learning_app.services.accounts.users import SIGNED_OUT_MESSAGE, Viewer, viewer_for_session
from learning_app.services.errors import PermissionDenied

TEACHING_ROLES = frozenset({UserRole.TEACHER.value, UserRole.ADMIN.value})


def require_viewer(session: Session, token: str | None) -> Viewer:
    """The signed-in user of the session token; PermissionDenied if signed out."""
    viewer = viewer_for_session(session, token)
    if viewer is None:
        raise PermissionDenied(SIGNED_OUT_MESSAGE)
    return viewer


def require_role(viewer: Viewer, *roles: UserRole | str) -> Viewer:
    """The viewer, if their role is one of `roles`; PermissionDenied otherwise."""
    if viewer.role not in {str(UserRole(role).value) for role in roles}:
        raise PermissionDenied()
    return viewer


def require_admin(viewer: Viewer) -> Viewer:
    return require_role(viewer, UserRole.ADMIN)


def require_teacher(viewer: Viewer) -> Viewer:
    """Teachers, and admins (who can do everything a teacher can)."""
    return require_role(viewer, UserRole.TEACHER, UserRole.ADMIN)


def has_teaching_role(viewer: Viewer | None) -> bool:
    """Whether the viewer's role, as it is now, is teacher or admin. Teaching a course takes
    both this and a `course_teacher` row: an admin who demotes a teacher ends their rights at
    once, without deleting the rows that give them back if the role is granted again."""
    return viewer is not None and viewer.role in TEACHING_ROLES

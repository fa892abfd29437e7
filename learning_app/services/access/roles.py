"""Who may do what. Services call these on every write and every private read.

Hiding a button in the UI is never the check; these are.
"""

from __future__ import annotations

from sqlmodel import Session

from learning_app.models.users import UserRole
from learning_app.services.accounts.viewers import SIGNED_OUT_MESSAGE, Viewer, viewer_for_session
from learning_app.services.errors import PermissionDenied

TEACHING_ROLES = frozenset({UserRole.TEACHER.value, UserRole.ADMIN.value})


def require_viewer(session: Session, token: str | None) -> Viewer:
    """The signed-in user of the session token; PermissionDenied if signed out."""
    return must_be_signed_in(viewer_for_session(session, token))


def must_be_signed_in(viewer: Viewer | None) -> Viewer:
    """The viewer, however it was read (`access.viewing`); PermissionDenied for a visitor."""
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


def is_admin(viewer: Viewer | None) -> bool:
    return viewer is not None and viewer.role == UserRole.ADMIN.value


def sees_store_details(viewer: Viewer | None) -> bool:
    """Store versions, bucket names and error texts (`/health`) are for admins: to anyone else
    they are a map of the infrastructure. The CLI reads them without a session."""
    return is_admin(viewer)


def has_teaching_role(viewer: Viewer | None) -> bool:
    """Whether the viewer's role, as it is now, is teacher or admin. Teaching a course takes
    both this and a `course_teacher` row: an admin who demotes a teacher ends their rights at
    once, without deleting the rows that give them back if the role is granted again."""
    return viewer is not None and viewer.role in TEACHING_ROLES


def unverified_message(doing: str) -> str:
    """The refusal an unverified account sees, naming what waits for the verification."""
    return (
        f"Verify your email address to {doing}: open the link we emailed you, or use "
        '"Resend the verification link" at the top of the page.'
    )


def require_verified(viewer: Viewer, doing: str) -> Viewer:
    """The viewer, if their email address is verified; PermissionDenied saying so otherwise.

    An unverified account reads, enrols and practises; what counts (graded exams) or costs
    (the tutor's language model) waits until the address is shown to be theirs, so a
    throwaway or mistyped address cannot sit a graded exam or spend the tutor."""
    if not viewer.email_verified:
        raise PermissionDenied(unverified_message(doing))
    return viewer

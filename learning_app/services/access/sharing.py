"""Who may share a course or lesson, and who may manage (list, revoke) a share link."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from learning_app.models.content import Course
from learning_app.models.sharing import SharedToken, ShareEntityType
from learning_app.services.access.courses import can_edit_course, require_course_editor
from learning_app.services.access.lessons import require_lesson_editor
from learning_app.services.accounts.viewers import Viewer


def require_sharer(
    session: Session, viewer: Viewer, entity_type: ShareEntityType, entity_id: str
) -> uuid.UUID:
    """The entity's id, if the viewer may share it (edits the course or the lesson)."""
    if entity_type is ShareEntityType.COURSE:
        return require_course_editor(session, viewer, entity_id).id
    return require_lesson_editor(session, viewer, entity_id).id


def may_manage_link(session: Session, viewer: Viewer, link: SharedToken) -> bool:
    if str(link.created_by) == viewer.user_id:
        return True
    if link.entity_type == ShareEntityType.COURSE:
        course = session.get(Course, link.entity_id)
        return course is not None and can_edit_course(session, viewer, course)
    return False

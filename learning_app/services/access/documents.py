"""Who may read or change a course file: its course's readers may download a ready file, its
course's editors may see every file and delete or retry it. Anything else reads as "not found"."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from learning_app.models.content import Course
from learning_app.models.documents import Document, DocumentStatus
from learning_app.services.access.courses import (
    can_edit_course,
    require_course_editor,
    require_course_reader,
)
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.errors import NotFound
from learning_app.services.values import parse_id

DOCUMENT_NOT_FOUND = "We could not find that file."


def load_document(session: Session, document_id: str) -> Document:
    document = session.get(Document, parse_id(document_id, DOCUMENT_NOT_FOUND))
    if document is None or document.course_id is None:
        raise NotFound(DOCUMENT_NOT_FOUND)
    return document


def require_document_reader(session: Session, viewer: Viewer | None, document_id: str) -> Document:
    document = load_document(session, document_id)
    course = require_course_reader(session, viewer, document.course_id)  # type: ignore[arg-type]
    if document.status != DocumentStatus.READY and not can_edit_course(session, viewer, course):
        raise NotFound(DOCUMENT_NOT_FOUND)
    return document


def require_document_editor(session: Session, viewer: Viewer, document_id: str) -> Document:
    """The file, if the viewer edits its course (deleting it, ingesting it again)."""
    document = load_document(session, document_id)
    require_course_editor(session, viewer, document.course_id)  # type: ignore[arg-type]
    return document


def require_course_uploader(session: Session, viewer: Viewer, course_id: str | uuid.UUID) -> Course:
    """The course, if the viewer may add files to it: its editors. Uploads ask this before a
    byte of the file is written anywhere, and again before the file is stored."""
    return require_course_editor(session, viewer, course_id)

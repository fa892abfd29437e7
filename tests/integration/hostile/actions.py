"""The hostile calls: each builds one service call, with the given input, as a caller of the
hostile world (`world.py`)."""

from __future__ import annotations

import itertools
import os
from typing import Any

from sqlmodel import Session

from learning_app.adapters.s3_store import get_s3
from learning_app.services.accounts import users
from learning_app.services.attempts import taking
from learning_app.services.courses import authoring as courses_authoring
from learning_app.services.courses import lessons
from learning_app.services.exams import authoring as exams_authoring
from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
from learning_app.services.material import documents
from learning_app.services.material.documents import upload_document
from learning_app.services.material.spool import UploadSpool
from learning_app.services.questions import bank as question_bank
from learning_app.services.questions.bank import QuestionDraft
from learning_app.services.sharing import links
from learning_app.settings import reset_settings_cache
from tests.integration.hostile.world import (
    World,
)
from tests.integration.people import PASSWORD

_ips = (f"198.51.{n // 250}.{n % 250 + 1}" for n in itertools.count())


def ip() -> str:
    """A fresh client address per call: rate limits must not be what refuses a case."""
    return next(_ips)


def sign_up(email: str = "new@example.com", password: str = PASSWORD, name: str = "New") -> Any:
    return lambda s, w: users.sign_up(
        s, email=email, password=password, display_name=name, client_ip=ip()
    )


def sign_in(email: str, password: str = PASSWORD) -> Any:
    return lambda s, w: users.sign_in_with_password(
        s, email=email, password=password, client_ip=ip(), user_agent="t"
    )


def new_course(title: str, description: str = "") -> Any:
    return lambda s, w: courses_authoring.create_course(
        s, token=w.owner, title=title, description=description
    )


def new_lesson(title: str = "Waves", body: str = "", summary: str = "") -> Any:
    return lambda s, w: lessons.create_lesson(
        s, token=w.owner, course_id=w.course, title=title, body_markdown=body, summary=summary
    )


def question(**fields: Any) -> Any:
    draft = QuestionDraft(**{"type": "short_answer", "prompt": "Name it", **fields})
    if draft.type == "short_answer" and "accepted_answers" not in fields:
        draft = QuestionDraft(**{**draft.__dict__, "accepted_answers": ["tide"]})
    return lambda s, w: question_bank.create_question(
        s, token=w.owner, course_id=w.course, draft=draft
    )


def exam(**fields: Any) -> Any:
    def action(s: Session, w: World) -> Any:
        values = {"title": "Final", "questions": [ExamQuestionDraft(w.single)], **fields}
        return exams_authoring.save_exam(
            s, token=w.owner, course_id=w.course, draft=ExamDraft(**values)
        )

    return action


def answer(question: str, response: dict[str, Any], *, attempt: str = "") -> Any:
    def action(s: Session, w: World) -> Any:
        question_id = getattr(w, question, question)
        return taking.save_answer(
            s,
            token=w.student,
            attempt_id=attempt or w.attempt,
            question_id=question_id,
            response=response,
        )

    return action


def open_link(raw: str) -> Any:
    return lambda s, w: links.open_share_link(s, raw_token=raw, client_ip=ip())


def upload(filename: str, data: bytes, *, course: str = "", max_bytes: int | None = None) -> Any:
    def action(s: Session, w: World) -> Any:
        spool = UploadSpool(filename, max_bytes=max_bytes)
        spool.write(data)
        return upload_document(
            token=w.owner, course_id=course or w.course, spool=spool, s3=get_s3()
        )

    return action


def page_upload(who: str | None, data: bytes = b"# A\n", *, course: str = "") -> Any:
    """An upload the way the course editor makes one: the permit first (before a byte is
    spooled), then the spool, then the store."""

    def action(s: Session, w: World) -> Any:
        token = getattr(w, who) if who else None
        permit = documents.upload_permit(s, token=token, course_id=course or w.course)
        spool = permit.spool("a.md")
        spool.write(data)
        return upload_document(
            token=token or "", course_id=permit.course_id, spool=spool, s3=get_s3()
        )

    return action


def with_quota(quota_bytes: int, upload: Any) -> Any:
    """`upload` while every account may keep only `quota_bytes` (UPLOAD_QUOTA_BYTES)."""

    def action(s: Session, w: World) -> Any:
        os.environ["UPLOAD_QUOTA_BYTES"] = str(quota_bytes)
        reset_settings_cache()
        try:
            return upload(s, w)
        finally:
            del os.environ["UPLOAD_QUOTA_BYTES"]
            reset_settings_cache()

    return action

"""`learning-app seed`: write the demo world into an empty database, through the services.

Everything is written the way real use writes it: accounts by `create_user`, courses, lessons,
questions and exams by the authoring services under their teacher's session, pictures and
course files through the material upload path into S3, the files and lessons ingested by the
same ingestion the job worker runs (so the tutor answers at once), then 30 days of students'
history (`history`), share links and essay marks, and finally the analytics events flushed,
rolled up and the teacher views refreshed, as the scheduled jobs would. The ingestion runs in a
thread beside the history, and the history's tutor questions are asked once it is done.

History is written in the past with the clock port of `models.base` (`simulated_clock`): the
services keep calling `utc_now()`, which returns the simulated moment inside the block. That is
one small seam used in one place, rather than a `now=` keyword threaded through a dozen service
signatures or a rewrite of timestamps afterwards (which would also have to rewrite the events
and every figure derived from them). The few upserts that left a timestamp to the database's
`now()` were given the service's own clock (`courses.reading`).

A database that has any user is left alone, before anything is written. The world is
deterministic (seeded random numbers), so two seeds give the same shapes and the README's
screenshots are stable.
"""

from __future__ import annotations

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.postgres import session_scope
from learning_app.adapters.s3_store import get_s3
from learning_app.models.base import simulated_clock, utc_now
from learning_app.models.users import User, UserRole
from learning_app.services.accounts import sessions
from learning_app.services.accounts.users import create_user
from learning_app.services.courses.authoring import add_co_teacher, create_course, publish_course
from learning_app.services.courses.lessons import create_lesson, publish_lesson
from learning_app.services.demo import (
    content_biology,
    content_history,
    content_music,
    content_python,
    history,
)
from learning_app.services.demo.files import docx_bytes, pdf_bytes
from learning_app.services.demo.kinds import PICTURE_SCHEME, DemoCourse, DemoQuestion
from learning_app.services.demo.people import EVERYONE, STUDENTS, DemoPerson
from learning_app.services.demo.pictures import picture_png
from learning_app.services.demo.reviewing import draft_lesson_cards
from learning_app.services.demo.seeded import FULL, DemoWorld, SeededCourse, WorldSize
from learning_app.services.exams.authoring import (
    ExamDraft,
    ExamQuestionDraft,
    save_exam,
    set_exam_published,
)
from learning_app.services.material.documents import upload_document, upload_permit
from learning_app.services.material.ingestion import ingest_document, ingest_lesson
from learning_app.services.progress.events import flush_events
from learning_app.services.progress.rollups import refresh_teacher_views
from learning_app.services.questions.bank import create_question
from learning_app.services.questions.drafts import OptionDraft, QuestionDraft

COURSES: tuple[DemoCourse, ...] = (
    content_python.COURSE,
    content_biology.COURSE,
    content_history.COURSE,
    content_music.COURSE,
)
DRAFT_COURSE_TITLE = "Data Structures (draft)"
_PICTURE_LINK = re.compile(r"\(" + re.escape(PICTURE_SCHEME) + r"([\w.-]+)\)")


@dataclass(frozen=True)
class SeedReport:
    seconds: float
    people: int
    courses: int
    events: int
    share_links: list[tuple[str, str]]  # (what it opens, path)


def database_is_empty(session: Session) -> bool:
    return session.exec(select(User.id).limit(1)).first() is None


def seed_demo_world(size: WorldSize = FULL) -> SeedReport | None:
    """Write the demo world; None (and nothing written) if the database has any user."""
    started = time.perf_counter()
    with session_scope() as session:
        if not database_is_empty(session):
            return None
    world = DemoWorld(now=utc_now().replace(microsecond=0), size=size)
    setup_at = world.now - timedelta(days=size.days + 3)
    try:
        with simulated_clock(setup_at):
            _people(world)
        for number, content in enumerate(COURSES):
            with simulated_clock(setup_at + timedelta(hours=2, minutes=20 * number)):
                world.courses.append(_course(world, content))
        with simulated_clock(setup_at + timedelta(hours=4)):
            _draft_course(world)
        # Embedding (CPU, in the model) and the history (mostly database round trips) overlap.
        with ThreadPoolExecutor(max_workers=1) as pool:
            ingesting = pool.submit(_ingest, world)
            played = history.simulate(world)
            ingesting.result()
        history.ask_tutor(played.tutor_questions)
        events = flush_events().stored  # which also rolls the days up
        with session_scope() as session:
            refresh_teacher_views(session)
    finally:
        for token in world.tokens.values():
            sessions.end_session(token)
    return SeedReport(
        seconds=time.perf_counter() - started,
        people=len(world.tokens),
        courses=len(world.courses) + 1,
        events=events,
        share_links=played.links,
    )


def _people(world: DemoWorld) -> None:
    taking_part = {p.email for p in STUDENTS[: world.size.students]}
    people: list[DemoPerson] = [
        p for p in EVERYONE if p.role != "student" or p.email in taking_part
    ]
    with session_scope() as session:
        for person in people:
            viewer = create_user(
                session,
                email=person.email,
                password=person.password,
                display_name=person.name,
                role=UserRole(person.role),
            )
            world.tokens[person.email] = sessions.create_session(
                uuid.UUID(viewer.user_id), client_ip="", user_agent="learning-app seed"
            )


def _upload(token: str, course_id: str, filename: str, data: bytes) -> str:
    """One file through the material upload path (permit, spool, S3, row); its document id."""
    with session_scope() as session:
        permit = upload_permit(session, token=token, course_id=course_id)
    spool = permit.spool(filename)
    spool.write(data)
    return upload_document(token=token, course_id=course_id, spool=spool, s3=get_s3()).document.id


def _with_pictures(markdown: str, token: str, course_id: str) -> str:
    """The lesson's `picture:` links uploaded and rewritten to `/files/<id>`, as the editor's
    "insert picture" writes them."""

    def uploaded(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"(/files/{_upload(token, course_id, name, picture_png(name))})"

    return _PICTURE_LINK.sub(uploaded, markdown)


def _question_draft(question: DemoQuestion) -> QuestionDraft:
    return QuestionDraft(
        type=question.type,
        prompt=question.prompt,
        explanation=question.explanation,
        points=question.points,
        options=[OptionDraft(body=body, is_correct=correct) for body, correct in question.options],
        accepted_answers=question.accepted_answers,
        numeric_answer=question.numeric_answer,
        numeric_tolerance=question.numeric_tolerance,
        tags=question.tags,
    )


def _course(world: DemoWorld, content: DemoCourse) -> SeededCourse:
    token = world.tokens[content.owner_email]
    with session_scope() as session:
        created = create_course(
            session,
            token=token,
            title=content.title,
            description=content.description,
            is_public=True,
            slug=content.slug,
        )
        for email in content.co_teacher_emails:
            add_co_teacher(session, token=token, course_id=created.id, email=email)
    seeded = SeededCourse(content, created.id, content.owner_email)
    for lesson in content.lessons:
        body = _with_pictures(lesson.body_markdown, token, created.id)
        with session_scope() as session:
            made = create_lesson(
                session,
                token=token,
                course_id=created.id,
                title=lesson.title,
                body_markdown=body,
                summary=lesson.summary,
            )
            publish_lesson(session, token=token, lesson_id=made.id)
            draft_lesson_cards(
                session,
                token=token,
                course_id=created.id,
                lesson_id=made.id,
                body_markdown=lesson.body_markdown,
            )
        seeded.lesson_ids.append(made.id)
    material = content.material
    seeded.document_ids = [
        _upload(token, created.id, material.pdf_name, pdf_bytes(material.pdf_pages)),
        _upload(
            token,
            created.id,
            material.docx_name,
            docx_bytes(f"{content.title}: exercises", material.docx_sections),
        ),
    ]
    with session_scope() as session:
        by_prompt: dict[str, str] = {}
        for question in content.questions:
            view = create_question(
                session, token=token, course_id=created.id, draft=_question_draft(question)
            )
            seeded.questions[view.id] = question
            by_prompt[question.prompt] = view.id
        for exam in content.exams:
            draft = ExamDraft(
                title=exam.title,
                description=exam.description,
                type=exam.type,
                time_limit_minutes=exam.time_limit_minutes,
                max_attempts=exam.max_attempts,
                opens_at=utc_now(),
                passing_score=exam.passing_score,
                shuffle_options=True,
                questions=[ExamQuestionDraft(by_prompt[p]) for p in exam.question_prompts],
            )
            view = save_exam(session, token=token, course_id=created.id, draft=draft)
            set_exam_published(session, token=token, exam_id=view.id, published=True)
            seeded.exam_ids[exam.type] = view.id
        publish_course(session, token=token, course_id=created.id)
    return seeded


def _draft_course(world: DemoWorld) -> None:
    """A course the teacher is still writing: drafts show in their list, not in the catalogue."""
    token = world.tokens[content_python.COURSE.owner_email]
    with session_scope() as session:
        draft = create_course(
            session,
            token=token,
            title=DRAFT_COURSE_TITLE,
            description="Lists, dictionaries and sets in depth. Not published yet.",
            slug="data-structures",
        )
        create_lesson(
            session,
            token=token,
            course_id=draft.id,
            title="Stacks and queues",
            summary="Two ways to line values up.",
            body_markdown="# Stacks and queues\n\nA **stack** is last in, first out; a **queue** "
            "is first in, first out.\n\n*To be continued.*\n",
        )


def _ingest(world: DemoWorld) -> None:
    """Embed every lesson and course file now, as the job worker would once it picked up the
    jobs the services queued (the worker's later run of those jobs finds nothing new)."""
    embedder, s3 = get_embedder(), get_s3()
    for course in world.courses:
        for lesson_id in course.lesson_ids:
            ingest_lesson(uuid.UUID(lesson_id), embedder)
        for document_id in course.document_ids:
            ingest_document(uuid.UUID(document_id), embedder, s3, pending_only=True)

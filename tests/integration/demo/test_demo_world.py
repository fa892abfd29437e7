"""`learning-app seed`'s demo world, written once into an empty test database and checked:
counts of every kind, every question type, ingested files, the dashboards' figures, working
share links, and a second seed that is refused and writes nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

import learning_app.models  # noqa: F401 - registers every table
from learning_app.adapters.postgres import session_scope
from learning_app.adapters.redis_store import get_redis
from learning_app.adapters.s3_store import get_s3
from learning_app.models.chunks import LessonChunk
from learning_app.models.content import Course, Lesson, PublishStatus
from learning_app.models.documents import Document, DocumentStatus
from learning_app.models.exams import AttemptStatus, Exam, ExamAttempt, ExamType
from learning_app.models.questions import Question, QuestionType
from learning_app.models.sharing import SharedToken
from learning_app.models.tutor import TutorExchange
from learning_app.models.users import User
from learning_app.services.accounts import sessions
from learning_app.services.accounts.viewers import find_account_by_email
from learning_app.services.attempts.essay_grading import pending_essays
from learning_app.services.demo.people import ADA, GRACE, STUDENTS, TEACHERS
from learning_app.services.demo.seeded import FULL
from learning_app.services.demo.world import COURSES, SeedReport, seed_demo_world
from learning_app.services.progress.dashboards import course_dashboard, student_dashboard
from learning_app.services.progress.events import buffered_count
from learning_app.services.review import stats as review_stats
from learning_app.services.sharing.links import open_share_link
from learning_app.services.tutor.answering import ask
from learning_app.settings import get_settings


@pytest.fixture(scope="module")
def world(database: str, s3_bucket: str) -> Iterator[SeedReport]:
    """The full world, seeded once for this module into emptied stores."""
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with session_scope() as session:
        session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    get_redis().flushdb()
    report = seed_demo_world(FULL)
    assert report is not None
    print(f"\nfull demo world seeded in {report.seconds:.1f} s, {report.events} events")
    yield report
    get_redis().flushdb()


def _sign_in(email: str) -> str:
    with session_scope() as session:
        user = find_account_by_email(session, email)
        assert user is not None
        user_id = user.id
    return sessions.create_session(user_id, client_ip="198.51.100.9", user_agent="test")


def _count(model: type, *where: object) -> int:
    with session_scope() as session:
        query = select(sa.func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)  # type: ignore[arg-type]
        return int(session.exec(query).one())


def test_counts_of_every_kind(world: SeedReport) -> None:
    assert _count(User) == 1 + len(TEACHERS) + len(STUDENTS) == 44
    assert _count(Course, Course.status == PublishStatus.PUBLISHED) == 4
    assert _count(Course) == 5  # and the teacher's draft
    assert _count(Lesson, Lesson.status == PublishStatus.PUBLISHED) == sum(
        len(c.lessons) for c in COURSES
    )
    assert _count(Exam) == 8
    assert {e for (e,) in _rows("SELECT DISTINCT type FROM exam")} == {"quiz", "final"}
    assert _count(SharedToken) == 2
    assert _count(TutorExchange) >= 20
    assert world.events > 1000
    assert buffered_count() == 0  # every event reached Postgres


def _rows(sql: str, **params: object) -> list[sa.Row]:
    with session_scope() as session:
        return list(session.execute(sa.text(sql), params).all())


def test_every_course_has_every_question_type_and_a_quiz_and_a_final(world: SeedReport) -> None:
    with session_scope() as session:
        for course in session.exec(select(Course).where(Course.status == "published")).all():
            types = set(session.exec(select(Question.type).where(Question.course_id == course.id)))
            assert types == set(QuestionType), course.title
            exams = set(session.exec(select(Exam.type).where(Exam.course_id == course.id)))
            assert exams == {ExamType.QUIZ, ExamType.FINAL}, course.title


def test_pictures_are_uploaded_and_linked_as_the_editor_links_them(world: SeedReport) -> None:
    with session_scope() as session:
        pictures = session.exec(select(Document).where(Document.mime_type == "image/png")).all()
        assert len(pictures) == 16
        bodies = "\n".join(session.exec(select(Lesson.body_markdown)).all())
    assert "picture:" not in bodies
    for picture in pictures:
        assert f"](/files/{picture.id})" in bodies
        get_s3().head_object(Bucket=get_settings().s3_bucket, Key=picture.s3_key)


def test_course_files_and_lessons_are_ingested(world: SeedReport) -> None:
    with session_scope() as session:
        files = session.exec(select(Document).where(Document.mime_type != "image/png")).all()
        assert sorted(d.filename.rsplit(".", 1)[1] for d in files) == ["docx"] * 4 + ["pdf"] * 4
        for document in files:
            assert document.status == DocumentStatus.READY, document.error
            chunks = session.exec(
                select(sa.func.count())
                .select_from(LessonChunk)
                .where(LessonChunk.document_id == document.id)
            ).one()
            assert chunks > 0, document.filename
        lessons_without_chunks = _rows(
            "SELECT l.title FROM lesson l JOIN course_lesson cl ON cl.lesson_id = l.id"
            " JOIN course c ON c.id = cl.course_id AND c.status = 'published'"
            " WHERE NOT EXISTS (SELECT 1 FROM lesson_chunk k WHERE k.lesson_id = l.id)"
        )
        assert lessons_without_chunks == []


def test_the_tutor_answers_from_a_course_file(world: SeedReport) -> None:
    from learning_app.adapters.embeddings import get_embedder

    token = _sign_in(ADA.email)
    with session_scope() as session:
        course_id = session.exec(select(Course.id).where(Course.slug == "the-living-cell")).one()
        context, stream = ask(
            session,
            token=token,
            course_id=str(course_id),
            question="How should you lower the cover slip onto the onion skin?",
            embedder=get_embedder(),
            chat=None,
        )
    assert any(c.document_id for c in context.citations)
    assert stream.text


def test_ada_has_a_lively_student_dashboard(world: SeedReport) -> None:
    with session_scope() as session:
        board = student_dashboard(session, token=_sign_in(ADA.email))
    assert board.current_streak >= 13
    assert board.xp > 100
    assert len(board.courses) == 4 and all(c.completed > 0 for c in board.courses)
    assert any(c.percent < 100 for c in board.courses) and board.next_lesson is not None
    assert len(board.recent_scores) >= 3
    assert {s.passed for s in board.recent_scores} == {True, False}
    assert board.lessons_completed >= 8


def test_lessons_have_drafted_cards_and_ada_reviews_them(world: SeedReport) -> None:
    drafted = _rows("SELECT DISTINCT course_id FROM flashcard WHERE source = 'drafted'")
    assert len(drafted) == len(COURSES)  # every course has cloze cards from its lessons
    with session_scope() as session:
        ada = review_stats.my_reviews(session, token=_sign_in(ADA.email))
    assert ada.reviews_total >= 10 and ada.cards > 10  # cards, and questions met in exams
    assert sum(1 for day in ada.review_days if day.count) >= 5
    assert ada.retention_percent is not None


def test_grace_is_a_newer_student(world: SeedReport) -> None:
    with session_scope() as session:
        board = student_dashboard(session, token=_sign_in(GRACE.email))
    assert len(board.courses) == 1
    assert board.courses[0].completed >= 1


def test_every_teacher_chart_has_a_shape(world: SeedReport) -> None:
    token = _sign_in(TEACHERS[0].email)
    with session_scope() as session:
        ids = session.exec(select(Course.id).where(Course.status == "published")).all()
        for course_id in ids:  # the teacher owns or co-teaches three; the admin sees all
            owner = session.exec(
                sa.text(
                    "SELECT 1 FROM course_teacher WHERE course_id = :c AND user_id ="
                    ' (SELECT id FROM "user" WHERE email = :e)'
                ),
                params={"c": course_id, "e": TEACHERS[0].email},
            ).first()
            viewer = token if owner else _sign_in("admin@example.com")
            board = course_dashboard(session, token=viewer, course_id=str(course_id))
            assert board.students >= 5, board.title
            assert len(board.enrolments) >= 5 and board.enrolments[-1].count == board.students
            assert all(step.viewed > 0 for step in board.funnel), board.title
            assert any(step.completed < step.viewed for step in board.funnel), board.title
            assert all(exam.attempts > 0 for exam in board.exams), board.title
            assert len(board.hardest) == 5
            assert len({q.correct_percent for q in board.hardest}) > 1
            assert len(board.daily_active) >= 15, board.title


def test_essays_are_marked_except_the_latest(world: SeedReport) -> None:
    waiting = _count(ExamAttempt, ExamAttempt.status == AttemptStatus.AWAITING_GRADING)
    assert 1 <= waiting <= 2
    with session_scope() as session:  # the README's teacher has one in the grading queue
        assert pending_essays(session, token=_sign_in(TEACHERS[0].email))
    marked = _rows("SELECT count(*) FROM attempt_answer WHERE graded_by IS NOT NULL")[0][0]
    assert marked >= 5


def test_history_spans_thirty_days_in_the_past(world: SeedReport) -> None:
    ((first, last),) = _rows(
        "SELECT min(occurred_at), max(occurred_at) FROM analytics_event"
        " WHERE name <> 'document_uploaded'"  # the teachers' setup comes a few days before
    )
    ((enrolled_first,),) = _rows("SELECT min(enrolled_at) FROM enrollment")
    span = last - first
    assert 28 <= span.days <= 31
    assert (last - enrolled_first).days >= 28


def test_share_links_open(world: SeedReport) -> None:
    course_path = world.share_links[0][1]
    with session_scope() as session:
        shared = open_share_link(
            session, raw_token=course_path.rsplit("/", 1)[1], client_ip="198.51.100.77"
        )
    assert shared.lessons


def _fingerprint() -> dict[str, int]:
    with session_scope() as session:
        counts = {
            t.name: session.execute(sa.text(f'SELECT count(*) FROM "{t.name}"')).scalar_one()
            for t in SQLModel.metadata.sorted_tables
        }
    objects = get_s3().list_objects_v2(Bucket=get_settings().s3_bucket).get("KeyCount", 0)
    return {**counts, "s3 objects": objects, "redis keys": get_redis().dbsize()}


def test_a_second_seed_is_refused_and_writes_nothing(world: SeedReport) -> None:
    before = _fingerprint()
    started = time.perf_counter()
    assert seed_demo_world(FULL) is None
    assert time.perf_counter() - started < 5
    assert _fingerprint() == before

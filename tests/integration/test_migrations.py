"""The Alembic history and the SQLModel tables, against a real PostgreSQL + pgvector.

Each test works in its own scratch database, created on the local stack's server (the shared
`pg_admin_url` fixture). The scratch databases are dropped at the end of the module.
"""

from __future__ import annotations

import argparse
import datetime
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection, make_url
from sqlmodel import Session, SQLModel, select

import learning_app.models  # noqa: F401 - registers every table
from learning_app.models.analytics import AnalyticsDaily
from learning_app.models.base import alembic_include_object
from learning_app.models.chunks import (
    EmbeddingModel,
    LessonChunk,
    embedding_as,
    hnsw_index_ddl,
    hnsw_index_name,
    of_model,
)
from learning_app.models.content import Course, CourseLesson, Lesson
from learning_app.models.users import User
from learning_app.settings import reset_settings_cache

PROJECT_ROOT = Path(__file__).resolve().parents[2]
JOB_QUEUE_TABLES = {
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
}
JOB_QUEUE_ENUMS = {"procrastinate_job_event_type", "procrastinate_job_status"}
OUR_TABLES = set(SQLModel.metadata.tables) | JOB_QUEUE_TABLES
OUR_ENUMS = {
    col.type.name
    for table in SQLModel.metadata.tables.values()
    for col in table.columns
    if isinstance(col.type, sa.Enum)
} | JOB_QUEUE_ENUMS


@pytest.fixture(scope="module")
def make_database(pg_admin_url: str) -> Iterator[Callable[[], str]]:
    """Factory of empty scratch databases (random names); all dropped at module end."""
    admin = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    created: list[str] = []

    def make() -> str:
        name = f"mig_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        created.append(name)
        return make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as conn:
        for name in created:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def alembic_config(*, url: str | None = None, connection: Connection | None = None) -> Config:
    """Config from alembic.ini; the URL goes in as `-x url=...` or as an open connection."""
    cmd_opts = argparse.Namespace(x=[f"url={url}"] if url else [])
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"), cmd_opts=cmd_opts)
    cfg.attributes["configure_logger"] = False
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@pytest.fixture(scope="module")
def migrated_url(make_database: Callable[[], str]) -> str:
    """A scratch database upgraded to head (through an open connection)."""
    url = make_database()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        command.upgrade(alembic_config(connection=conn), "head")
    engine.dispose()
    return url


@pytest.fixture
def conn(migrated_url: str) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back afterwards."""
    engine = sa.create_engine(migrated_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()
    engine.dispose()


def schema_objects(url: str) -> tuple[set[str], set[str]]:
    """(tables, enum types) in the public schema."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
        enums = set(
            connection.scalars(
                sa.text(
                    "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                    " WHERE t.typtype = 'e' AND n.nspname = 'public'"
                )
            )
        )
    engine.dispose()
    return tables, enums


def schema_diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": alembic_include_object}
    )
    return list(compare_metadata(context, SQLModel.metadata))


def test_upgrade_downgrade_upgrade(
    make_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = make_database()

    command.upgrade(alembic_config(url=url), "head")  # URL from `-x url=...`
    tables, enums = schema_objects(url)
    assert tables == OUR_TABLES | {"alembic_version"}
    assert enums == OUR_ENUMS

    command.downgrade(alembic_config(url=url), "base")
    tables, enums = schema_objects(url)
    assert tables == {"alembic_version"}, "base must leave none of our tables"
    assert enums == set(), "base must leave none of our enum types"

    # Up again, this time with the URL from the app settings (DATABASE_URL).
    monkeypatch.setenv("DATABASE_URL", url)
    reset_settings_cache()
    try:
        command.upgrade(alembic_config(), "head")
    finally:
        monkeypatch.delenv("DATABASE_URL")
        reset_settings_cache()
    tables, enums = schema_objects(url)
    assert tables == OUR_TABLES | {"alembic_version"}
    assert enums == OUR_ENUMS


def test_models_and_migrations_agree(conn: Connection) -> None:
    assert schema_diff(conn) == []


def test_email_unique_ignores_case(conn: Connection) -> None:
    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    session.add(User(email="Foo@x.com"))
    session.flush()
    with (
        pytest.raises(sa.exc.IntegrityError, match="ux_user_email_lower"),
        session.begin_nested(),
    ):
        session.add(User(email="foo@x.com"))
    found = session.exec(select(User).where(sa.func.lower(User.email) == "foo@x.com")).one()
    assert found.email == "Foo@x.com"  # stored as typed
    session.close()


def test_hnsw_partial_index_per_model(conn: Connection) -> None:
    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    teacher = User(email="teacher@x.com")
    session.add(teacher)
    session.flush()
    lesson = Lesson(owner_id=teacher.id, title="Vectors")
    tiny = EmbeddingModel(name="test/tiny-3d", dimensions=3, is_active=True)
    other = EmbeddingModel(name="test/other-2d", dimensions=2)
    session.add_all([lesson, tiny, other])
    session.flush()

    # Registering a model creates its index (in the same transaction).
    for model in (tiny, other):
        conn.exec_driver_sql(hnsw_index_ddl(model.id, model.dimensions))
    conn.exec_driver_sql(hnsw_index_ddl(tiny.id, tiny.dimensions))  # idempotent

    def chunk(model: EmbeddingModel, position: int, vector: list[float]) -> LessonChunk:
        return LessonChunk(
            lesson_id=lesson.id,
            source_label=f"Section {position}",
            position=position,
            text=f"text {position}",
            word_count=2,
            content_sha256=f"{position:064x}",
            embedding=vector,
            embedding_model_id=model.id,
        )

    session.add_all(
        [
            chunk(tiny, 0, [1.0, 0.0, 0.0]),
            chunk(tiny, 1, [0.0, 1.0, 0.0]),
            chunk(tiny, 2, [0.7, 0.7, 0.0]),
            chunk(other, 0, [1.0, 0.0]),  # another model, other dimension, same column
        ]
    )
    session.flush()

    # The model's index refuses a vector of the wrong dimension for that model.
    with pytest.raises(sa.exc.DataError, match="expected 3 dimensions"), session.begin_nested():
        session.add(chunk(tiny, 3, [1.0, 0.0]))

    query = [0.9, 0.1, 0.0]
    stmt = (
        select(LessonChunk.position)
        .where(of_model(tiny.id))
        .order_by(embedding_as(tiny.dimensions).cosine_distance(query))
        .limit(5)
    )
    assert list(session.exec(stmt)) == [0, 2, 1]  # only the tiny model's rows, nearest first

    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
    assert hnsw_index_name(tiny.id) in plan, plan

    # Alembic neither wants to create nor to drop the run-time indexes.
    assert schema_diff(conn) == []
    session.close()


def test_reorder_and_daily_rollup_constraints(conn: Connection) -> None:
    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    teacher = User(email="reorder@x.com")
    session.add(teacher)
    session.flush()
    course = Course(owner_id=teacher.id, title="Course", slug="course-reorder")
    first = Lesson(owner_id=teacher.id, title="First")
    second = Lesson(owner_id=teacher.id, title="Second")
    session.add_all([course, first, second])
    session.flush()
    a = CourseLesson(course_id=course.id, lesson_id=first.id, position=0)
    b = CourseLesson(course_id=course.id, lesson_id=second.id, position=1)
    session.add_all([a, b])
    session.flush()

    # Swapping positions passes because (course_id, position) is checked at commit...
    a.position, b.position = 1, 0
    session.flush()
    conn.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")
    # ...while a real duplicate is still refused.
    with (
        pytest.raises(sa.exc.IntegrityError, match="uq_course_lesson_course_id_position"),
        session.begin_nested(),
    ):
        b.position = 1
    conn.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")

    # The site-wide roll-up row (course_id NULL) is unique like any other.
    day = datetime.date(2026, 1, 1)
    session.add(AnalyticsDaily(day=day, course_id=None, event_name="lesson_viewed"))
    session.flush()
    with (
        pytest.raises(sa.exc.IntegrityError, match="uq_analytics_daily_day_course_id_event_name"),
        session.begin_nested(),
    ):
        session.add(AnalyticsDaily(day=day, course_id=None, event_name="lesson_viewed"))
    session.close()


def test_0011_fills_the_digests_from_the_events_already_stored(
    make_database: Callable[[], str],
) -> None:
    url = make_database()
    command.upgrade(alembic_config(url=url), "0010")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    ada, bea = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as connection:
        for user, zone in ((ada, "Asia/Tokyo"), (bea, "Not/AZone")):
            connection.execute(
                sa.text('INSERT INTO "user" (id, email) VALUES (:id, :email)'),
                {"id": user, "email": f"{user}@example.com"},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO user_profile (user_id, display_name, timezone)"
                    " VALUES (:id, 'x', :zone)"
                ),
                {"id": user, "zone": zone},
            )
        events = [  # (user, name, context, UTC time)
            (ada, "lesson_completed", {"lesson_id": "l1"}, "2026-01-01 23:30"),
            (ada, "lesson_completed", {"lesson_id": "l1"}, "2026-01-02 10:00"),
            (
                ada,
                "exam_completed",
                {"attempt_id": "a1", "exam_id": "e1", "percent": 40, "passed": False},
                "2026-01-02 10:00",
            ),
            (
                ada,
                "exam_completed",
                {
                    "attempt_id": "a1",
                    "exam_id": "e1",
                    "percent": 80,
                    "passed": True,
                    "by_student": False,
                },
                "2026-01-05 10:00",
            ),
            (bea, "lesson_viewed", {}, "2026-01-03 23:30"),
        ]
        for user, name, context, moment in events:
            connection.execute(
                sa.text(
                    "INSERT INTO analytics_event (id, name, user_id, context, occurred_at)"
                    " VALUES (gen_random_uuid(), :name, :user, CAST(:context AS jsonb),"
                    " CAST(:moment AS timestamptz))"
                ),
                {
                    "name": name,
                    "user": user,
                    "context": json.dumps(context),
                    "moment": f"{moment}+00",
                },
            )
    command.upgrade(alembic_config(url=url), "0011")
    with engine.connect() as connection:
        lessons = connection.execute(sa.text("SELECT user_id, lesson_id FROM user_lesson_done"))
        results = connection.execute(
            sa.text("SELECT user_id, attempt_id, percent, passed FROM user_attempt_result")
        )
        days = connection.execute(
            sa.text("SELECT user_id, tz, day::text FROM user_active_day ORDER BY user_id, day")
        )
        assert lessons.all() == [(ada, "l1")]
        assert results.all() == [(ada, "a1", 80.0, True)]  # the latest, the teacher's mark
        assert sorted(days.all()) == sorted(
            [  # Tokyo is nine hours ahead; the teacher's mark is not an active day
                (ada, "Asia/Tokyo", "2026-01-02"),
                (bea, "UTC", "2026-01-03"),
            ]
        )
    engine.dispose()


def test_0013_marks_the_questions_the_attempts_so_far_have_shown(
    make_database: Callable[[], str],
) -> None:
    """Each question an attempt showed, from when it was first shown; a question no attempt
    showed stays unmarked, and an id of a question deleted since is skipped."""
    url = make_database()
    command.upgrade(alembic_config(url=url), "0012")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    student, course, exam = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    shown, unshown, deleted = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with engine.begin() as connection:

        def run(statement: str, **params: object) -> None:
            connection.execute(sa.text(statement), params)

        run('INSERT INTO "user" (id, email) VALUES (:id, :email)', id=student, email="s@x.org")
        run(
            "INSERT INTO course (id, slug, owner_id, title) VALUES (:id, 'c', :owner, 'C')",
            id=course,
            owner=student,
        )
        for question in (shown, unshown):
            run(
                "INSERT INTO question (id, course_id, prompt_markdown, type)"
                " VALUES (:id, :course, 'Q?', 'essay')",
                id=question,
                course=course,
            )
        run(
            "INSERT INTO exam (id, course_id, title) VALUES (:id, :course, 'E')",
            id=exam,
            course=course,
        )
        for number, started in ((1, "2026-01-02 10:00+00"), (2, "2026-01-01 09:00+00")):
            order = [{"question_id": str(shown)}, {"question_id": str(deleted)}]
            run(
                "INSERT INTO exam_attempt (id, exam_id, user_id, attempt_number, status,"
                " started_at, question_order) VALUES (gen_random_uuid(), :exam, :user, :n,"
                " 'submitted', CAST(:started AS timestamptz), CAST(:order AS jsonb))",
                exam=exam,
                user=student,
                n=number,
                started=started,
                order=json.dumps(order),
            )
    command.upgrade(alembic_config(url=url), "0013")
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT question_id, first_shown_at FROM question_shown")
        ).all()
    assert rows == [(shown, datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC))]
    engine.dispose()

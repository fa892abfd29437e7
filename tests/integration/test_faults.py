"""Stores going down while the app works, and coming back: each test starts a PRIVATE copy of
one server (own data dir, free ports), points the app at it, stops it, checks the behaviour its
name states, restarts it and checks the recovery. The shared stack keeps running throughout.

Covered elsewhere, not repeated here: Typesense (search degrades to Postgres, index writes
queue and catch up) in `search/test_search_sync.py::test_an_outage_delays_an_update_and_loses_
nothing`; the LLM server (timeout, unreachable, server error: the extractive answer with a
notice) in `test_llm_wire.py`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from starlette.testclient import TestClient

from learning_app.adapters.closing import close_loop_connections
from learning_app.adapters.postgres import (
    dispose_engines,
    get_engine,
    on_event_loop,
    reads_only,
    session_scope,
)
from learning_app.health_api import build_http_api
from learning_app.models.content import Course
from learning_app.models.documents import Document
from learning_app.models.users import User, UserRole
from learning_app.services.accounts import users, viewers
from learning_app.services.courses import catalog
from learning_app.services.errors import ServiceUnavailable
from learning_app.services.health import check_stores
from learning_app.services.material.documents import StorageUnavailable
from learning_app.settings import Settings, get_settings
from learning_app.stack.postgres import Postgres
from learning_app.stack.seaweed import SeaweedS3
from learning_app.stack.servers import Redis
from learning_app.state import calls
from learning_app.state.calls import UNAVAILABLE_MESSAGE, call_with_session, describe_error
from tests.integration.material.helpers import upload
from tests.integration.people import PASSWORD, new_course
from tests.integration.private_servers import on_free_ports, restart, serving_the_app

FAULT_DATABASE = "learning_app_fault"


def _count(model: type) -> int:
    with session_scope() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _health() -> tuple[int, dict[str, bool]]:
    """`/health`'s code, all that a visitor or a load balancer gets from it, and each store's
    state as `learning-app health` reports it (an admin's session may be in the store that is
    down)."""
    answer = TestClient(build_http_api()).get("/health")
    assert set(answer.json()) == {"status"}
    return answer.status_code, {s.store: s.ok for s in check_stores()}


def _sign_in(email: str) -> str:
    with session_scope() as session:
        _, token = users.sign_in_with_password(
            session, email=email, password=PASSWORD, client_ip="203.0.113.9", user_agent="t"
        )
    return token


def _account(email: str) -> None:
    with session_scope() as session:
        users.create_user(
            session,
            email=email,
            password=PASSWORD,
            display_name="Fault",
            role=UserRole.TEACHER,
        )


def _last_login(email: str) -> object:
    with session_scope() as session:
        user = viewers.find_account_by_email(session, email)
        assert user is not None
        return user.last_login_at


# --- Redis -------------------------------------------------------------------------------------


@pytest.fixture
def own_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stores: None) -> Iterator[Redis]:
    server = on_free_ports(lambda port: Redis(Settings(stack_redis_port=port), tmp_path))
    with serving_the_app(server, monkeypatch, REDIS_URL=server.address) as running:
        yield running


def test_redis_down_sign_in_refuses_cleanly_writes_nothing_and_works_after_restart(
    own_redis: Redis,
) -> None:
    _account("rita@example.com")
    before = _last_login("rita@example.com")

    own_redis.stop(timeout=10)
    with pytest.raises(ServiceUnavailable, match="unavailable right now"):
        _sign_in("rita@example.com")
    assert _last_login("rita@example.com") == before  # the transaction rolled back

    restart(own_redis)
    token = _sign_in("rita@example.com")
    with session_scope() as session:
        viewer = viewers.viewer_for_session(session, token)
    assert viewer is not None and viewer.email == "rita@example.com"
    assert _last_login("rita@example.com") != before


def test_redis_down_sign_up_refuses_cleanly_and_creates_no_account(own_redis: Redis) -> None:
    own_redis.stop(timeout=10)
    with pytest.raises(ServiceUnavailable), session_scope() as session:
        users.sign_up(
            session,
            email="new@example.com",
            password=PASSWORD,
            display_name="New",
            client_ip="203.0.113.9",
        )
    assert _count(User) == 0


def test_redis_down_an_open_page_cannot_resolve_its_session_and_shows_a_message(
    own_redis: Redis,
) -> None:
    _account("rita@example.com")
    token = _sign_in("rita@example.com")
    own_redis.stop(timeout=10)
    # AuthState turns this into a signed-out page; a page's own load shows the message.
    with pytest.raises(ServiceUnavailable) as caught:
        asyncio.run(call_with_session(viewers.viewer_for_session, token=token))
    assert describe_error(caught.value) == str(caught.value)
    status, ok = _health()
    assert status == 503 and ok == {"postgres": True, "redis": False, "typesense": True, "s3": True}

    restart(own_redis)  # sessions lived in the stopped Redis (no persistence): sign in again
    assert asyncio.run(call_with_session(viewers.viewer_for_session, token=token)) is None
    assert _health()[0] == 200


# --- S3 ----------------------------------------------------------------------------------------


@pytest.fixture
def own_s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stores: None) -> Iterator[SeaweedS3]:
    bucket = get_settings().s3_bucket
    server = on_free_ports(
        lambda port: SeaweedS3(Settings(stack_s3_port=port, s3_bucket=bucket), tmp_path)
    )
    with serving_the_app(
        server, monkeypatch, S3_ENDPOINT_URL=f"http://127.0.0.1:{server.port}"
    ) as running:
        yield running


def test_s3_down_an_upload_fails_cleanly_with_no_row_and_works_after_restart(
    own_s3: SeaweedS3, teacher: str
) -> None:
    course = new_course(teacher, "Tides")
    upload(teacher, course, "one.md", b"# One\n\nThe first file.\n")
    assert _count(Document) == 1

    own_s3.stop(timeout=20)
    with pytest.raises(StorageUnavailable, match="nothing was saved"):
        upload(teacher, course, "two.md", b"# Two\n\nThe second file.\n")
    assert _count(Document) == 1
    status, ok = _health()
    assert status == 503 and not ok["s3"] and ok["postgres"]

    restart(own_s3)
    second = upload(teacher, course, "two.md", b"# Two\n\nThe second file.\n")
    assert not second.duplicate and _count(Document) == 2
    assert _health()[0] == 200


# --- Postgres ----------------------------------------------------------------------------------


@pytest.fixture
def own_postgres(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: str
) -> Iterator[Postgres]:
    from learning_app.cli.support import migrate

    server = on_free_ports(
        lambda port: Postgres(Settings(stack_pg_port=port, database_name=FAULT_DATABASE), tmp_path)
    )
    url = f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/{FAULT_DATABASE}"
    try:
        with serving_the_app(server, monkeypatch, DATABASE_URL=url) as running:
            migrate()
            yield running
    finally:
        dispose_engines()  # the private server's pool; the shared one is rebuilt on demand


def _catalogue() -> list[catalog.CourseCard]:
    return asyncio.run(call_with_session(catalog.list_published_courses))


@on_event_loop()
@reads_only
def _courses_on_the_loop(session: Session) -> tuple[int, int]:
    count = session.execute(select(func.count()).select_from(Course)).scalar_one()
    return threading.get_ident(), count


def test_postgres_down_a_unit_on_the_loop_refuses_cleanly_and_its_engine_recovers(
    own_postgres: Postgres,
) -> None:
    """The loop's own awaited engine, not only the threads' one: a dead connection refuses
    with the page's message, and after the restart it is replaced on the same loop."""
    calls._loop_units.forget()

    async def outage() -> tuple[int, tuple[int, int], str, tuple[int, int]]:
        try:
            before = await call_with_session(_courses_on_the_loop)
            await asyncio.to_thread(own_postgres.stop, timeout=20)
            with pytest.raises(ServiceUnavailable) as caught:
                await call_with_session(_courses_on_the_loop)
            await asyncio.to_thread(restart, own_postgres)
            after = await call_with_session(_courses_on_the_loop)
            return threading.get_ident(), before, str(caught.value), after
        finally:
            await close_loop_connections()

    loop, before, refusal, after = asyncio.run(outage())
    assert before == after == (loop, 0)
    assert refusal == UNAVAILABLE_MESSAGE


def test_postgres_down_services_raise_a_clear_error_health_is_503_and_the_same_engine_recovers(
    own_postgres: Postgres,
) -> None:
    engine = get_engine()
    assert _catalogue() == []

    own_postgres.stop(timeout=20)
    with pytest.raises(ServiceUnavailable) as caught:
        _catalogue()
    assert str(caught.value) == UNAVAILABLE_MESSAGE
    assert describe_error(caught.value) == UNAVAILABLE_MESSAGE
    status, ok = _health()
    assert status == 503 and not ok["postgres"] and ok["redis"]

    restart(own_postgres)
    assert _catalogue() == []  # pool_pre_ping replaced the dead connections
    assert get_engine() is engine
    assert _health()[0] == 200

"""Each store answers a real request through the app's own adapters."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from learning_app.settings import Settings, reset_settings_cache
from tests.conftest import TEST_DATABASE, drop_database, recreate_database


def test_postgres_answers_with_pgvector(database: str) -> None:
    from learning_app.adapters.postgres import get_engine

    with get_engine().connect() as conn:
        distance = conn.execute(text("SELECT '[1,0]'::vector <=> '[0,1]'::vector")).scalar()
    assert distance == 1.0


def test_redis_answers(running_stack: Settings, unique: str) -> None:
    from learning_app.adapters.redis_store import get_redis

    redis = get_redis()
    redis.set(f"test:{unique}", "value", ex=10)
    assert redis.get(f"test:{unique}") == "value"
    redis.delete(f"test:{unique}")


def test_a_new_redis_connection_reads_no_package_metadata(
    running_stack: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """redis-py names every connection it opens with its version (`CLIENT SETINFO`); the app
    has it read once per process (`redis_store`), Reflex's own client's connections too, not
    from the installed packages' metadata each time."""
    import importlib.metadata

    import redis as redis_py
    import redis.utils

    import learning_app.adapters.redis_store  # noqa: F401 - what reads the version once

    real_version = importlib.metadata.version
    looked_up: list[str] = []

    def version(name: str) -> str:
        looked_up.append(name)
        return real_version(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    # A client of its own, as Reflex makes its state manager's: a new connection.
    client = redis_py.Redis.from_url(str(running_stack.redis_url))
    try:
        assert client.ping()
    finally:
        client.close()
    assert looked_up == []
    # Still the installed version (Redis 7.2 and later show it in CLIENT LIST).
    assert redis.utils.get_lib_version() == real_version("redis")


def test_typesense_answers(running_stack: Settings, unique: str) -> None:
    from learning_app.adapters.typesense_store import get_typesense

    client = get_typesense()
    name = f"test_{unique}"
    client.collections.create({"name": name, "fields": [{"name": "title", "type": "string"}]})
    try:
        client.collections[name].documents.create({"id": "1", "title": "Photosynthesis basics"})
        found = client.collections[name].documents.search(
            {"q": "photosynthsis", "query_by": "title"}
        )
        assert found["found"] == 1
    finally:
        client.collections[name].delete()


def test_s3_answers_and_presigns(s3_bucket: str, unique: str) -> None:
    import urllib.request

    from learning_app.adapters.s3_store import get_s3

    s3 = get_s3()
    key = f"test/{unique}.txt"
    s3.put_object(Bucket=s3_bucket, Key=key, Body=b"hello", ContentType="text/plain")
    try:
        url = s3.generate_presigned_url(
            "get_object", Params={"Bucket": s3_bucket, "Key": key}, ExpiresIn=60
        )
        with urllib.request.urlopen(url, timeout=5) as answer:
            assert answer.read() == b"hello"
    finally:
        s3.delete_object(Bucket=s3_bucket, Key=key)


def test_health_reports_every_store(database: str, s3_bucket: str) -> None:
    from learning_app.services.health import check_stores

    stores = {s.store: s for s in check_stores()}
    assert set(stores) == {"postgres", "redis", "typesense", "s3"}
    assert all(s.ok for s in stores.values()), stores
    assert stores["postgres"].detail.startswith("pgvector")


def test_health_reports_postgres_down_when_pgvector_is_missing(
    pg_admin_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from learning_app.adapters.postgres import dispose_engines
    from learning_app.services.health import check_stores

    name = f"{TEST_DATABASE}_no_vector"  # a scratch database that was never migrated
    recreate_database(pg_admin_url, name)
    monkeypatch.setenv(
        "DATABASE_URL",
        make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False),
    )
    reset_settings_cache()
    try:
        stores = {s.store: s for s in check_stores()}
    finally:
        monkeypatch.delenv("DATABASE_URL")
        reset_settings_cache()
        dispose_engines()
        drop_database(pg_admin_url, name)
    assert not stores["postgres"].ok
    assert "pgvector extension missing: run `learning-app migrate`" in stores["postgres"].detail


def test_the_health_route_answers_200_with_security_headers(database: str, s3_bucket: str) -> None:
    from starlette.testclient import TestClient

    from learning_app.health_api import build_http_api

    answer = TestClient(build_http_api()).get("/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"

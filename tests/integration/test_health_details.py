"""Issue 15, finding 7: `/health` showed every store's details (the pgvector version, the
bucket name) to anyone. Now a load balancer or a visitor gets the status and its code; a
signed-in admin, and `learning-app health`, the details."""

from __future__ import annotations

from starlette.testclient import TestClient

from learning_app.health_api import build_http_api
from learning_app.models.users import UserRole
from learning_app.services.accounts.sessions import SESSION_COOKIE
from learning_app.settings import get_settings
from tests.integration.people import person


def test_only_an_admin_reads_the_store_details(student: str, teacher: str, s3_bucket: str) -> None:
    admin = person("root", UserRole.ADMIN)
    client = TestClient(build_http_api())
    for cookie in (None, "forged-session-id", student, teacher):
        client.cookies.clear()
        if cookie:
            client.cookies.set(SESSION_COOKIE, cookie)
        answer = client.get("/health")
        assert (answer.status_code, answer.json()) == (200, {"status": "ok"})
        assert "pgvector" not in answer.text and get_settings().s3_bucket not in answer.text

    client.cookies.set(SESSION_COOKIE, admin)
    stores = client.get("/health").json()["stores"]
    assert set(stores) == {"postgres", "redis", "typesense", "s3"}
    assert stores["postgres"]["detail"].startswith("pgvector")
    assert stores["s3"]["detail"] == f"bucket {get_settings().s3_bucket}"

"""Pictures for lessons: uploaded as course files, never ingested, shown through `/files/<id>`,
which answers only those who may read the course."""

from __future__ import annotations

import uuid

import pytest
from starlette.testclient import TestClient

from learning_app.adapters.postgres import session_scope
from learning_app.adapters.s3_store import get_s3
from learning_app.health_api import build_http_api
from learning_app.models.documents import Document
from learning_app.services.accounts.sessions import SESSION_COOKIE
from learning_app.services.courses import reading
from learning_app.services.errors import InvalidInput
from learning_app.services.markdown_render import render_markdown
from learning_app.services.material import documents
from learning_app.settings import get_settings, reset_settings_cache
from tests.integration.material.helpers import upload
from tests.integration.people import new_course, person, publish

# The smallest valid PNG: 1x1 pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


@pytest.fixture
def course(teacher: str, s3_bucket: str) -> str:
    course_id = new_course(teacher, "Pictures")
    publish(teacher, course_id)
    return course_id


def test_a_picture_is_ready_at_once_and_served_to_readers_only(
    teacher: str, student: str, course: str
) -> None:
    picture = upload(teacher, course, "diagram.png", PNG).document
    assert (picture.status, picture.is_image) == ("ready", True)
    client = TestClient(build_http_api())
    path = f"/files/{picture.id}"

    assert client.get(path, follow_redirects=False).status_code == 404  # visitor
    client.cookies.set(SESSION_COOKIE, student)
    assert client.get(path, follow_redirects=False).status_code == 404  # not enrolled
    with session_scope() as session:
        reading.enroll(session, token=student, course_id=course)
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 200 and answer.content == PNG
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["cache-control"] == "private, max-age=300"
    stranger = person("mallory")
    client.cookies.set(SESSION_COOKIE, stranger)
    assert client.get(path, follow_redirects=False).status_code == 404
    assert client.get("/files/not-an-id", follow_redirects=False).status_code == 404


def test_a_file_named_png_that_is_not_a_picture_is_refused(teacher: str, course: str) -> None:
    with pytest.raises(InvalidInput, match=r"named \.png"):
        upload(teacher, course, "fake.png", b"just some text")


def test_types_outside_the_settings_are_refused(
    teacher: str, course: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPLOAD_IMAGE_TYPES", "jpg")
    reset_settings_cache()
    try:
        with pytest.raises(InvalidInput, match="PNG files are not accepted"):
            upload(teacher, course, "diagram.png", PNG)
    finally:
        monkeypatch.delenv("UPLOAD_IMAGE_TYPES")
        reset_settings_cache()


def test_lessons_show_pictures_from_the_backend() -> None:
    html = render_markdown("![Tide chart](/files/0a1b)\n\n![x](//evil.example/y.png)")
    base = get_settings().backend_url.rstrip("/")
    assert f'src="{base}/files/0a1b"' in html and "evil.example" not in html


def test_a_course_file_is_served_from_s3_with_nosniff_and_its_checked_type(
    teacher: str, course: str
) -> None:
    # A real PNG with a page after its image data: a browser that sniffed could run it.
    polyglot = PNG + b"<html><script>alert(document.cookie)</script></html>"
    picture = upload(teacher, course, "chart.png", polyglot).document
    with session_scope() as session:
        link = documents.download_url(session, token=teacher, document_id=picture.id)
        key = session.get(Document, uuid.UUID(picture.id)).s3_key  # type: ignore[union-attr]
    # The download button and the tutor's citations lead to the backend, not to S3.
    assert link == documents.file_url(picture.id)
    client = TestClient(build_http_api())
    client.cookies.set(SESSION_COOKIE, teacher)
    answer = client.get(f"/files/{picture.id}")
    in_s3 = get_s3().get_object(Bucket=get_settings().s3_bucket, Key=key)["Body"].read()
    assert answer.status_code == 200 and answer.content == in_s3 == polyglot
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["content-disposition"] == 'inline; filename="chart.png"'

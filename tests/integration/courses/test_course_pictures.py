"""Pictures for lessons: uploaded as course files, never ingested, shown through `/files/<id>`,
which answers only those who may read the course."""

from __future__ import annotations

import urllib.request

import pytest
from starlette.testclient import TestClient

from learning_app.adapters.postgres import session_scope
from learning_app.health_api import build_http_api
from learning_app.services.accounts.sessions import SESSION_COOKIE
from learning_app.services.courses import reading
from learning_app.services.errors import InvalidInput
from learning_app.services.markdown_render import render_markdown
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
    assert answer.status_code == 302 and "X-Amz-Expires=900" in answer.headers["location"]
    assert answer.headers["cache-control"] == "private, max-age=300"
    with urllib.request.urlopen(answer.headers["location"], timeout=5) as image:
        assert image.read() == PNG
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

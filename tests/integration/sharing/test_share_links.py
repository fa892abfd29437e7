"""Share links against the real Postgres and Redis: what a link opens, and what it never does."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, update
from sqlmodel import col, select

from learning_app.adapters.postgres import session_scope
from learning_app.models.analytics import AnalyticsEvent
from learning_app.models.base import utc_now
from learning_app.models.sharing import SharedToken
from learning_app.models.users import UserRole
from learning_app.services.courses import authoring, lessons
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied, RateLimited
from learning_app.services.progress.events import flush_events
from learning_app.services.sharing import links
from learning_app.services.sharing.links import LinkUnavailable
from tests.integration.people import new_course, new_lesson, person, publish

IP = "203.0.113.7"


def run(func: Any, **kwargs: Any) -> Any:
    with session_scope() as session:
        return func(session, **kwargs)


def share(teacher: str, kind: str, entity_id: str, **kwargs: Any) -> str:
    """A new link; returns its raw token."""
    created = run(
        links.create_share_link,
        token=teacher,
        entity_type=kind,
        entity_id=entity_id,
        **kwargs,
    )
    return created.path.removeprefix("/share/")


def visit(raw: str, *, lesson_id: str = "", viewer: str | None = None, ip: str = IP) -> Any:
    return run(
        links.open_share_link,
        raw_token=raw,
        client_ip=ip,
        viewer_token=viewer,
        lesson_id=lesson_id,
    )


@pytest.fixture
def course(teacher: str) -> dict[str, str]:
    course_id = new_course(teacher, "Shared course")
    ids = {
        "course": course_id,
        "one": new_lesson(teacher, course_id, "One"),
        "two": new_lesson(teacher, course_id, "Two"),
        "draft": new_lesson(teacher, course_id, "Draft", publish=False),
    }
    publish(teacher, course_id)
    return ids


def test_a_course_link_opens_its_published_lessons_for_a_visitor(
    teacher: str, course: dict[str, str]
) -> None:
    raw = share(teacher, "course", course["course"])
    assert len(raw) >= 43  # 256 bits, URL-safe
    content = visit(raw)
    assert content.course_title == "Shared course"
    assert [item.title for item in content.lessons] == ["One", "Two"]
    lesson = visit(raw, lesson_id=course["two"])
    assert lesson.lesson_title == "Two" and lesson.body_markdown == "# Two"
    with pytest.raises(LinkUnavailable):
        visit(raw, lesson_id=course["draft"])  # a draft stays hidden
    other = new_lesson(teacher, new_course(teacher, "Elsewhere"), "Elsewhere lesson")
    with pytest.raises(LinkUnavailable):
        visit(raw, lesson_id=other)  # a lesson of another course
    flush_events()  # views are buffered in Redis until the flush job stores them
    with session_scope() as session:
        link = session.exec(select(SharedToken)).one()
        events = session.exec(select(AnalyticsEvent.name)).all()
    assert link.token_hash != raw and raw not in link.token_hash
    assert link.view_count == 2 and events == ["share_opened", "share_opened"]


def test_a_lesson_link_opens_that_lesson_only(teacher: str, course: dict[str, str]) -> None:
    raw = share(teacher, "lesson", course["one"])
    assert visit(raw).lesson_title == "One"
    with pytest.raises(LinkUnavailable):
        visit(raw, lesson_id=course["two"])


def test_expired_revoked_unknown_and_emptied_links_look_the_same(
    teacher: str, course: dict[str, str]
) -> None:
    expired = share(teacher, "course", course["course"], expires_in_days=1)
    with session_scope() as session:
        session.execute(
            update(SharedToken)
            .where(col(SharedToken.expires_at).is_not(None))
            .values(
                created_at=utc_now() - timedelta(days=3), expires_at=utc_now() - timedelta(days=1)
            )
        )
    revoked = share(teacher, "course", course["course"])
    link_id = run(links.list_share_links, token=teacher)[0].id
    assert run(links.revoke_share_link, token=teacher, link_id=link_id).revoked
    draft_lesson = share(teacher, "lesson", course["draft"])
    messages = set()
    for raw in (expired, revoked, "A" * 43, "", "x" * 5000, draft_lesson):
        with pytest.raises(LinkUnavailable) as refused:
            visit(raw)
        messages.add(str(refused.value))
    assert len(messages) == 1


def test_a_deleted_entity_takes_its_links_along(teacher: str, course: dict[str, str]) -> None:
    lesson_link = share(teacher, "lesson", course["two"])
    course_link = share(teacher, "course", course["course"])
    run(lessons.delete_lesson, token=teacher, lesson_id=course["two"])
    with pytest.raises(LinkUnavailable):
        visit(lesson_link)
    run(authoring.delete_course, token=teacher, course_id=course["course"])
    with pytest.raises(LinkUnavailable):
        visit(course_link)
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(SharedToken)).one() == 0


def test_an_unpublished_course_closes_its_links(teacher: str, course: dict[str, str]) -> None:
    raw = share(teacher, "course", course["course"])
    run(authoring.unpublish_course, token=teacher, course_id=course["course"])
    with pytest.raises(LinkUnavailable):
        visit(raw)


def test_signed_in_links_need_an_account(
    teacher: str, student: str, course: dict[str, str]
) -> None:
    raw = share(teacher, "course", course["course"], visibility="signed_in")
    with pytest.raises(LinkUnavailable, match="sign in"):
        visit(raw)
    assert visit(raw, viewer=student).course_title == "Shared course"


def test_only_the_course_teachers_share_and_manage_links(
    teacher: str, student: str, course: dict[str, str]
) -> None:
    with pytest.raises(PermissionDenied):
        share(student, "course", course["course"])
    other_teacher = person("grace", UserRole.TEACHER)
    with pytest.raises(PermissionDenied):
        share(other_teacher, "course", course["course"])
    share(teacher, "course", course["course"])
    link_id = run(links.list_share_links, token=teacher)[0].id
    with pytest.raises(NotFound):
        run(links.revoke_share_link, token=other_teacher, link_id=link_id)
    assert run(links.list_share_links, token=other_teacher) == []
    for bad in ({"entity_type": "exam"}, {"visibility": "everyone"}, {"expires_in_days": "999"}):
        with pytest.raises(InvalidInput):
            run(
                links.create_share_link,
                token=teacher,
                **{"entity_type": "course", "entity_id": course["course"], **bad},
            )


def test_token_guessing_is_rate_limited_per_ip(teacher: str, course: dict[str, str]) -> None:
    raw = share(teacher, "course", course["course"])
    for n in range(links.LOOKUPS_PER_MINUTE):
        with pytest.raises(LinkUnavailable):
            visit(f"guess-{n}", ip="198.51.100.66")
    with pytest.raises(RateLimited):
        visit(raw, ip="198.51.100.66")  # even the right token, from the guessing IP
    assert visit(raw, ip="198.51.100.67").course_title == "Shared course"


def test_the_list_shows_its_dates_in_the_viewers_time_zone(teacher: str) -> None:
    from zoneinfo import ZoneInfo

    from learning_app.models.users import UserProfile
    from tests.integration.people import user_id

    with session_scope() as session:
        profile = session.exec(
            select(UserProfile).where(col(UserProfile.user_id) == user_id(teacher))
        ).one()
        profile.timezone = "Asia/Kolkata"  # UTC+05:30: no UTC time reads the same
        session.add(profile)
    course_id = new_course(teacher)
    share(teacher, "course", course_id, expires_in_days=7)
    (shown,) = run(links.list_share_links, token=teacher)
    zone = ZoneInfo("Asia/Kolkata")
    created = utc_now().astimezone(zone)
    assert shown.created_label.endswith(" IST")
    assert shown.created_label.startswith(f"{created:%a} {created.day} {created:%b}")
    hour, minute = map(int, shown.created_label.split(", ")[1].removesuffix(" IST").split(":"))
    assert abs((hour * 60 + minute) - (created.hour * 60 + created.minute)) <= 1
    expires = (utc_now() + timedelta(days=7)).astimezone(zone)
    assert shown.expires_label.startswith(f"{expires:%a} {expires.day} {expires:%b}")
    never = share(teacher, "course", course_id)
    assert never and run(links.list_share_links, token=teacher)[0].expires_label == ""


def test_the_list_names_every_target_in_statements_that_do_not_grow_with_it(
    teacher: str, course: dict[str, str]
) -> None:
    """Each link's course or lesson title and the course to manage it from come from one
    statement per kind of target, not one or two per link."""
    from tests.integration.test_viewing import statements_of

    def listed() -> tuple[list[links.ShareLinkView], int]:
        with session_scope() as session, statements_of(session) as sent:
            shown = links.list_share_links(session, token=teacher)
        return shown, len(sent)

    share(teacher, "course", course["course"])
    share(teacher, "lesson", course["one"])
    _, with_two = listed()
    for _ in range(3):
        share(teacher, "lesson", course["two"])
        share(teacher, "course", course["course"])
    shown, with_eight = listed()
    assert len(shown) == 8 and with_eight == with_two
    titles = {(s.entity_type, s.entity_title, s.course_id) for s in shown}
    assert titles == {
        ("course", "Shared course", course["course"]),
        ("lesson", "One", course["course"]),
        ("lesson", "Two", course["course"]),
    }

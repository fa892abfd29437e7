"""A locked lesson's text stays out of everything else that could show it: search (words,
meaning, and the Postgres fallback), the tutor's passages, and share links."""

from __future__ import annotations

import uuid

import pytest

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.postgres import session_scope
from learning_app.models.sharing import SharedToken
from learning_app.services.access.courses import optional_viewer
from learning_app.services.errors import InvalidInput
from learning_app.services.material import ingestion
from learning_app.services.search.documents import KINDS
from learning_app.services.search.fallback import fallback_search
from learning_app.services.search.index import SearchIndex
from learning_app.services.search.results import audience_of
from learning_app.services.sharing import links
from learning_app.services.sharing.links import GatedLesson, LinkUnavailable
from learning_app.services.tutor import answering
from tests.integration.exams.helpers import run
from tests.integration.mastery_paths.world import (
    SECRET_WORD,
    World,
    build,
    count,
    enrol,
    require,
    take,
)
from tests.integration.people import person
from tests.integration.search.helpers import find, fresh_index, sync_search

IP = "203.0.113.9"


index = pytest.fixture(fresh_index)


@pytest.fixture
def world(teacher: str, student: str) -> World:
    made = build(teacher, public=True)
    enrol(student, made.course)
    for lesson in (made.intro, made.deep):
        ingestion.ingest_lesson(uuid.UUID(lesson), get_embedder())
    return made


def lesson_hits(token: str | None, query: str) -> list[str]:
    """The lesson ids a search finds, by words and by meaning."""
    found = find(token, query, embedder=get_embedder())
    return [hit.id for hit in found.hits if hit.type == "lesson"]


def fallback_hits(token: str | None, query: str) -> list[str]:
    """The lesson ids the Postgres fallback finds (what answers while Typesense is down)."""
    with session_scope() as session:
        audience = audience_of(session, optional_viewer(session, token))
        kinds = [KINDS["lessons"], KINDS["courses"]]
        hits = fallback_search(session, audience, query, kinds, None, 10)
    return [hit.id for hit in hits if hit.type == "lesson"]


def test_search_hides_a_locked_lessons_text_until_the_quiz_is_passed(
    index: SearchIndex, teacher: str, student: str, world: World
) -> None:
    passed = person("bea")
    enrol(passed, world.course)
    require(teacher, world, lesson_id=world.deep)
    take(passed, world.quiz1, right=2)
    sync_search()

    for query in (SECRET_WORD, "zymurgi", "yeast fermentation of barley sugars"):
        assert lesson_hits(student, query) == [], query
        assert lesson_hits(None, query) == [], query  # a visitor cannot pass the quiz
        assert world.deep in lesson_hits(passed, query), query
        assert world.deep in lesson_hits(teacher, query), query
    assert fallback_hits(student, SECRET_WORD) == []
    assert fallback_hits(None, SECRET_WORD) == []
    assert fallback_hits(passed, SECRET_WORD) == [world.deep]
    # The open lesson is still found by everyone.
    assert lesson_hits(student, "Welcome") == [world.intro]

    take(student, world.quiz1, right=2)
    assert world.deep in lesson_hits(student, SECRET_WORD)
    assert fallback_hits(student, SECRET_WORD) == [world.deep]


def ask(token: str, course_id: str, question: str) -> list[str]:
    """The lesson ids the tutor's answer cites."""
    with session_scope() as session:
        context, _ = answering.ask(
            session,
            token=token,
            course_id=course_id,
            question=question,
            embedder=get_embedder(),
            chat=None,
        )
    return [citation.lesson_id for citation in context.citations]


def test_the_tutor_does_not_cite_a_locked_lesson(teacher: str, student: str, world: World) -> None:
    question = "What is the science of fermentation in brewing called?"
    assert world.deep in ask(student, world.course, question)
    require(teacher, world, lesson_id=world.deep)
    assert world.deep not in ask(student, world.course, question)
    assert world.deep in ask(teacher, world.course, question)
    take(student, world.quiz1, right=2)
    assert world.deep in ask(student, world.course, question)


def share(teacher: str, kind: str, entity_id: str) -> str:
    created = run(links.create_share_link, token=teacher, entity_type=kind, entity_id=entity_id)
    return created.path.removeprefix("/share/")


def visit(raw: str, *, lesson_id: str = "") -> links.SharedContent:
    return run(links.open_share_link, raw_token=raw, client_ip=IP, lesson_id=lesson_id)


def test_share_links_never_open_a_gated_lesson(teacher: str, world: World) -> None:
    old_link = share(teacher, "lesson", world.deep)
    course_link = share(teacher, "course", world.course)
    assert visit(old_link).lesson_title == "Fermentation"
    assert visit(course_link, lesson_id=world.deep).lesson_title == "Fermentation"

    require(teacher, world, lesson_id=world.deep)
    links_before = count(SharedToken)
    with pytest.raises(InvalidInput, match="cannot be shared by a link"):
        share(teacher, "lesson", world.deep)
    assert count(SharedToken) == links_before
    with pytest.raises(GatedLesson, match="This lesson is not available through a link"):
        visit(old_link)
    content = visit(course_link)
    assert [item.title for item in content.lessons] == ["Getting started"]
    with pytest.raises(LinkUnavailable):
        visit(course_link, lesson_id=world.deep)
    assert visit(course_link, lesson_id=world.intro).lesson_title == "Getting started"
    # A lesson without requirements is still shared as before.
    assert visit(share(teacher, "lesson", world.intro)).lesson_title == "Getting started"

"""Search against the real Typesense and Postgres: relevance, visibility, sync and bad input."""

from __future__ import annotations

import pytest

from learning_app.adapters.postgres import session_scope
from learning_app.adapters.redis_store import get_redis
from learning_app.models.users import UserRole
from learning_app.services.courses import authoring, lessons, reading
from learning_app.services.progress.events import BUFFER_KEY
from learning_app.services.search import queries
from learning_app.services.search.index import SearchIndex, check_drift, default_index
from learning_app.services.search.results import SearchResults
from tests.integration.people import new_course, new_lesson, person, publish
from tests.integration.search.helpers import find, sync_search, titles


def test_a_typo_finds_the_lesson(index: SearchIndex, teacher: str) -> None:
    course_id = new_course(teacher, "Python basics", is_public=True)
    new_lesson(teacher, course_id, "List comprehensions")
    new_lesson(teacher, course_id, "Dictionaries")
    publish(teacher, course_id)
    sync_search()

    results = find(None, "comprehensoins")
    assert titles(results)[0] == "List comprehensions"
    hit = results.hits[0]
    assert hit.type == "lesson"
    assert hit.url == f"/courses/{course_id}/lessons/{hit.id}"
    assert not results.degraded
    assert titles(find(None, "dictio"))[0] == "Dictionaries"  # prefix


def _add_synonyms(token: str, words: str) -> None:
    from learning_app.services.search.synonyms import add_synonym_group

    with session_scope() as session:
        add_synonym_group(session, token=token, words=words)


def test_synonyms_that_a_teacher_adds_take_effect(index: SearchIndex, teacher: str) -> None:
    course_id = new_course(teacher, "Web pages", is_public=True)
    new_lesson(teacher, course_id, "JavaScript closures")
    publish(teacher, course_id)
    sync_search()
    assert find(None, "js").hits == []

    _add_synonyms(teacher, "JS, javascript")
    sync_search()
    assert titles(find(None, "js")) == ["JavaScript closures"]
    assert all(d.clean for d in _drift())


def test_a_student_cannot_manage_synonyms(index: SearchIndex, student: str) -> None:
    from learning_app.services.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        _add_synonyms(student, "a, b")


def _drift() -> list:
    with session_scope() as session:
        return check_drift(session, default_index())


def test_facets_count_types_courses_and_tags(index: SearchIndex, teacher: str) -> None:
    from learning_app.services.questions.bank import QuestionDraft, create_question

    python = new_course(teacher, "Python loops", is_public=True)
    rust = new_course(teacher, "Rust loops", is_public=True)
    new_lesson(teacher, python, "For loops")
    new_lesson(teacher, rust, "Loop labels")
    with session_scope() as session:
        create_question(
            session,
            token=teacher,
            course_id=python,
            draft=QuestionDraft(
                type="short_answer",
                prompt="Which loop runs at least once?",
                accepted_answers=["do while"],
                tags=["Loops", "Basics"],
            ),
        )
    publish(teacher, python)
    publish(teacher, rust)
    sync_search()

    results = find(teacher, "loop")
    assert {f.value: f.count for f in results.types} == {"course": 2, "lesson": 2, "question": 1}
    assert {f.label: f.count for f in results.courses} == {"Python loops": 3, "Rust loops": 2}
    assert {f.value for f in results.tags} == {"Loops", "Basics"}

    only_rust = find(teacher, "loop", course_id=rust)
    assert {hit.course_id for hit in only_rust.hits} == {rust}
    assert titles(find(teacher, "loop", tag="loops")) == ["Which loop runs at least once?"]
    assert {hit.type for hit in find(teacher, "loop", type="lesson").hits} == {"lesson"}
    # Students never search questions, whatever they ask for.
    assert find(None, "loop", type="question").hits == []
    assert "question" not in {f.value for f in find(None, "loop").types}


def _public_draft_and_private(teacher: str, animal: str) -> str:
    """A public course with a published and a draft lesson and a private course with one,
    all named after `animal`, published: the private course's id."""
    public = new_course(teacher, f"Public {animal} course", is_public=True)
    new_lesson(teacher, public, f"{animal.title()} stripes published")
    new_lesson(teacher, public, f"{animal.title()} stripes draft", publish=False)
    private = new_course(teacher, f"Private {animal} course")
    new_lesson(teacher, private, f"{animal.title()} herds private")
    publish(teacher, public)
    publish(teacher, private)
    return private


def test_each_person_sees_only_what_they_may_read(index: SearchIndex, teacher: str) -> None:
    other = person("otto", UserRole.TEACHER)
    student = person("ada")
    private = _public_draft_and_private(teacher, "zebra")
    draft_course = new_course(other, "Zebra drafts of Otto", is_public=True)
    new_lesson(other, draft_course, "Zebra secrets of Otto")
    sync_search()

    visitor = set(titles(find(None, "zebra")))
    assert visitor == {"Public zebra course", "Zebra stripes published"}
    assert set(titles(find(student, "zebra"))) == visitor

    with session_scope() as session:
        reading.enroll(session, token=student, course_id=private)
    enrolled = set(titles(find(student, "zebra")))
    assert enrolled == visitor | {"Private zebra course", "Zebra herds private"}

    # Teachers see their own drafts, never another teacher's.
    mine = set(titles(find(teacher, "zebra")))
    assert "Zebra stripes draft" in mine
    assert not mine & {"Zebra drafts of Otto", "Zebra secrets of Otto"}
    assert {"Zebra drafts of Otto", "Zebra secrets of Otto"} <= set(titles(find(other, "zebra")))
    # Filtering by a course you cannot read finds nothing of it.
    assert find(student, "zebra", course_id=draft_course).hits == []


def test_suggestions_show_what_the_viewer_may_read_and_count_nothing(
    index: SearchIndex, teacher: str
) -> None:
    student = person("ada")
    _public_draft_and_private(teacher, "okapi")
    sync_search()
    buffered = get_redis().llen(BUFFER_KEY)

    def suggested(token: str | None, query: str) -> SearchResults:
        with session_scope() as session:
            return queries.suggest(session, token=token, query=query, limit=6)

    shown = suggested(student, "okpai")  # a typo, as someone types
    assert set(titles(shown)) == {"Public okapi course", "Okapi stripes published"}
    assert shown.found == len(shown.hits) and not (shown.types or shown.courses or shown.tags)
    assert set(titles(suggested(teacher, "okapi"))) >= {"Okapi stripes draft"}
    assert len(suggested(teacher, "okapi").hits) <= 6
    # A pause in typing is not a search: the results page records the one the user makes.
    assert get_redis().llen(BUFFER_KEY) == buffered
    assert find(student, "okapi").found == 2
    assert get_redis().llen(BUFFER_KEY) == buffered + 1


def test_unpublishing_and_deleting_leave_the_index(index: SearchIndex, teacher: str) -> None:
    course_id = new_course(teacher, "Walrus course", is_public=True)
    lesson_id = new_lesson(teacher, course_id, "Walrus tusks")
    publish(teacher, course_id)
    sync_search()
    assert titles(find(None, "walrus")) != []

    with session_scope() as session:
        lessons.update_lesson(
            session, token=teacher, lesson_id=lesson_id, title="Walrus whiskers",
            body_markdown="Long whiskers.", summary="",
        )  # fmt: skip
    sync_search()
    assert "Walrus whiskers" in titles(find(None, "walrus"))

    with session_scope() as session:
        authoring.unpublish_course(session, token=teacher, course_id=course_id)
    sync_search()
    assert find(None, "walrus").hits == []

    with session_scope() as session:
        authoring.delete_course(session, token=teacher, course_id=course_id)
    sync_search()
    assert find(teacher, "walrus").hits == []
    assert all(d.clean for d in _drift())


@pytest.mark.parametrize(
    "query",
    [
        "python && status:=draft",
        "x:=[1] || published:=false",
        "`published:=false`",
        "(course_public:=false) || teacher_ids:=[*]",
        "🐍 pythön ünïcode",
        "\x00\x02 control \x03",
        "-python",
        '"unterminated',
        "*",
    ],
)
def test_odd_queries_never_widen_what_a_visitor_sees(
    index: SearchIndex, teacher: str, query: str
) -> None:
    course_id = new_course(teacher, "Python hidden", is_public=False)
    new_lesson(teacher, course_id, "Python hidden lesson")
    publish(teacher, course_id)
    sync_search()

    results = find(None, query)
    assert results.hits == []
    assert not results.degraded


def test_empty_and_overlong_queries_get_a_clear_answer(index: SearchIndex, teacher: str) -> None:
    course_id = new_course(teacher, "Ocelot course", is_public=True)
    publish(teacher, course_id)
    sync_search()

    empty = find(None, "   ")
    assert (empty.query, empty.hits, empty.notices) == ("", [], [])
    long = find(None, "ocelot " + "x" * 5_000)
    assert len(long.query) <= 200
    assert long.notices and "200 characters" in long.notices[0]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"type": "users"}, "type"),
        ({"course_id": "x] || published:=false"}, "course"),
        ({"tag": "t" * 65}, "tag"),
    ],
)
def test_bad_filters_are_refused(index: SearchIndex, filters: dict, field: str) -> None:
    from learning_app.services.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        find(None, "python", **filters)
    assert refused.value.field == field


def test_a_tag_filter_with_filter_syntax_matches_nothing(index: SearchIndex, teacher: str) -> None:
    course_id = new_course(teacher, "Tapir course", is_public=True)
    publish(teacher, course_id)
    sync_search()
    assert find(teacher, "tapir", tag="x] || course_public:=true").hits == []


def test_a_ready_course_file_is_found_by_its_text_and_only_by_its_readers(
    index: SearchIndex, teacher: str, student: str, s3_bucket: str
) -> None:
    from learning_app.services.accounts import viewers
    from learning_app.services.material import documents
    from learning_app.services.search.documents import KINDS
    from learning_app.services.search.fallback import fallback_search
    from learning_app.services.search.results import audience_of
    from tests.integration.material.helpers import ingest, upload

    private = new_course(teacher, "Oceanography")
    publish(teacher, private)
    notes = b"# Tides\n\nSpring tides happen when the sun and the moon line up.\n"
    file_id = upload(teacher, private, "tides.md", notes).document.id
    sync_search()
    assert find(teacher, "tides").hits == []  # not ingested yet: not searchable
    assert ingest(file_id) == "ready"
    sync_search()

    hit = find(teacher, "sprnig tides").hits[0]  # a typo, in the extracted text
    assert (hit.type, hit.title, hit.url) == ("document", "tides.md", documents.file_url(file_id))
    assert find(student, "spring tides").hits == []  # not enrolled in this private course
    with session_scope() as session:
        reading.enroll(session, token=student, course_id=private)
    sync_search()
    assert titles(find(student, "spring tides")) == ["tides.md"]
    with session_scope() as session:  # the Postgres fallback finds it too, for the same reader
        viewer = viewers.viewer_for_session(session, student)
        hits = fallback_search(
            session, audience_of(session, viewer), "spring tides", [KINDS["documents"]], None, 5
        )
    assert [(h.type, h.title) for h in hits] == [("document", "tides.md")]

    with session_scope() as session:
        documents.delete_document(session, token=teacher, document_id=file_id)
    sync_search()
    assert find(teacher, "spring tides").hits == []
    assert all(d.clean for d in _drift())

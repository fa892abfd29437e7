"""Search inside the material: every passage of lessons and course files, one hit per source
linking to the passage's section or page, by words (typos too) and by meaning."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator

import pytest

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.postgres import session_scope
from learning_app.bench.sample_files import pdf_bytes
from learning_app.models.users import UserRole
from learning_app.services.courses import lessons, reading
from learning_app.services.errors import InvalidInput
from learning_app.services.markdown_render import heading_anchor
from learning_app.services.material import ingestion
from learning_app.services.material.documents import file_url
from learning_app.services.search.index import SearchIndex, check_drift, default_index
from learning_app.settings import reset_settings_cache
from tests.integration.material.helpers import ingest, upload
from tests.integration.people import new_course, new_lesson, person, publish
from tests.integration.search.helpers import find, run_cli, sync_search, titles

# Over 1,000 characters per section: the words of the last one are far past any preview.
FILLER = " ".join(["Rocks form slowly over long ages under heavy layers."] * 30)
GEOLOGY = (
    f"# Mountains\n\n{FILLER}\n\n# Erosion\n\n{FILLER}\n\n"
    "# Isostasy explained\n\nWhen the ice melts, the crust rises again: geologists call this "
    "postglacial rebound.\n"
)
SEAFLOOR_PAGES = [
    "Oceans cover most of the planet.",
    "Ridges split the crust apart.",
    "The abyssal plain lies beneath four kilometres of seawater.",
]
INFLATION = (
    "# Prices\n\nInflation is a general rise in prices that erodes what each unit of currency "
    "can purchase."
)
PARAPHRASE = "why money buys less over time"  # not one word in common with INFLATION


def _embed_lesson(lesson_id: str) -> None:
    ingestion.ingest_lesson(uuid.UUID(lesson_id), get_embedder())


def test_a_term_in_a_late_lesson_section_links_to_that_section(
    index: SearchIndex, teacher: str
) -> None:
    course_id = new_course(teacher, "Geology", is_public=True)
    lesson_id = new_lesson(teacher, course_id, "Landforms", body=GEOLOGY)
    publish(teacher, course_id)
    sync_search()  # no embedding job has run: the passages come from the body itself

    (hit,) = find(None, "postglacial").hits
    assert (hit.type, hit.id, hit.title) == ("lesson", lesson_id, "Landforms")
    assert hit.heading == "Isostasy explained"
    anchor = heading_anchor("Isostasy explained")
    assert hit.url == f"/courses/{course_id}/lessons/{lesson_id}#{anchor}"
    assert any(part.marked and part.text.lower() == "postglacial" for part in hit.parts)
    # A typo in a passage's word, and a word in every passage and the preview: still one hit.
    assert [h.id for h in find(None, "postglacail").hits] == [lesson_id]
    assert [h.id for h in find(None, "rocks").hits] == [lesson_id]
    assert all(d.clean for d in _drift())


def test_a_lesson_in_two_courses_is_one_hit_per_course(index: SearchIndex, teacher: str) -> None:
    first = new_course(teacher, "Geology", is_public=True)
    second = new_course(teacher, "Glaciers", is_public=True)
    lesson_id = new_lesson(teacher, first, "Landforms", body=GEOLOGY)
    with session_scope() as session:
        lessons.attach_lesson(session, token=teacher, course_id=second, lesson_id=lesson_id)
    publish(teacher, first)
    publish(teacher, second)
    sync_search()

    hits = find(None, "postglacial").hits
    assert sorted(h.course_id for h in hits) == sorted([first, second])
    assert {h.url.split("#")[0] for h in hits} == {
        f"/courses/{c}/lessons/{lesson_id}" for c in (first, second)
    }

    with session_scope() as session:  # edited: the passages are replaced in both places
        lessons.update_lesson(
            session, token=teacher, lesson_id=lesson_id, title="Landforms",
            body_markdown="# Ice\n\nMoraines mark where glaciers stopped.", summary="",
        )  # fmt: skip
    sync_search()
    assert find(None, "postglacial").hits == []
    assert len(find(None, "moraines").hits) == 2
    assert all(d.clean for d in _drift())


def test_a_word_on_a_files_last_page_links_to_that_page(
    index: SearchIndex, teacher: str, s3_bucket: str
) -> None:
    course_id = new_course(teacher, "Oceans", is_public=True)
    publish(teacher, course_id)
    file_id = upload(teacher, course_id, "seafloor.pdf", pdf_bytes(SEAFLOOR_PAGES)).document.id
    assert ingest(file_id) == "ready"
    sync_search()

    for query in ("abyssal", "abysal"):  # and with a typo
        (hit,) = find(None, query).hits
        assert (hit.type, hit.id, hit.title, hit.page) == ("document", file_id, "seafloor.pdf", 3)
        assert hit.url == file_url(file_id, 3)
        assert "abyssal plain" in hit.snippet

    answer = run_cli("search", "abyssal", "--json")
    assert answer.returncode == 0, answer.stderr
    (shown,) = json.loads(answer.stdout)["hits"]
    assert shown == {
        "type": "document",
        "id": file_id,
        "title": "seafloor.pdf",
        "course": "Oceans",
        "snippet": shown["snippet"],
    }
    assert "abyssal" in shown["snippet"]


def test_a_paraphrase_finds_the_lesson_by_meaning(index: SearchIndex, teacher: str) -> None:
    course_id = new_course(teacher, "Economics", is_public=True)
    lesson_id = new_lesson(teacher, course_id, "Rising prices", body=INFLATION)
    new_lesson(teacher, course_id, "Landforms", body=GEOLOGY)
    publish(teacher, course_id)
    sync_search()
    for lesson in lessons_of(course_id):
        _embed_lesson(lesson)

    assert find(None, PARAPHRASE).hits == []  # no word in common: words alone find nothing
    results = find(None, PARAPHRASE, embedder=get_embedder())
    assert [hit.id for hit in results.hits] == [lesson_id]
    assert results.hits[0].url == f"/courses/{course_id}/lessons/{lesson_id}#section-prices"
    assert results.found == 1 and [(f.value, f.count) for f in results.types] == [("lesson", 1)]
    # Words and meaning agree on the lesson: still one hit.
    assert [hit.id for hit in find(None, "inflation", embedder=get_embedder()).hits] == [lesson_id]


def lessons_of(course_id: str) -> list[str]:
    from sqlmodel import select

    from learning_app.models.content import CourseLesson

    with session_scope() as session:
        rows = session.exec(
            select(CourseLesson.lesson_id).where(CourseLesson.course_id == course_id)
        )
        return [str(lesson_id) for lesson_id in rows.all()]


def test_passages_are_seen_only_by_readers_by_words_and_by_meaning(
    index: SearchIndex, teacher: str, student: str, s3_bucket: str
) -> None:
    other = person("otto", UserRole.TEACHER)
    public = new_course(teacher, "Public economics", is_public=True)
    new_lesson(teacher, public, "Draft prices", body=INFLATION, publish=False)
    private = new_course(teacher, "Private economics")
    new_lesson(teacher, private, "Private prices", body=INFLATION)
    file_id = upload(teacher, private, "prices.md", INFLATION.encode()).document.id
    unpublished = new_course(other, "Otto economics", is_public=True)
    new_lesson(other, unpublished, "Otto prices", body=INFLATION)
    publish(teacher, public)
    publish(teacher, private)
    assert ingest(file_id) == "ready"
    sync_search()
    for course_id in (public, private, unpublished):
        for lesson in lessons_of(course_id):
            _embed_lesson(lesson)

    def seen(token: str | None) -> dict[str, set[str]]:
        return {
            query: set(titles(find(token, query, embedder=get_embedder())))
            for query in ("currency", PARAPHRASE)
        }

    nothing = {"currency": set(), PARAPHRASE: set()}
    assert seen(None) == nothing
    assert seen(student) == nothing
    mine = {"Draft prices", "Private prices", "prices.md"}
    assert seen(teacher) == {"currency": mine, PARAPHRASE: mine}
    assert not set().union(*seen(teacher).values()) & {"Otto prices"}
    assert set(titles(find(other, PARAPHRASE, embedder=get_embedder()))) == {"Otto prices"}
    # A course filter on a course the student cannot read finds nothing there either.
    assert find(student, PARAPHRASE, embedder=get_embedder(), course_id=private).hits == []

    with session_scope() as session:
        reading.enroll(session, token=student, course_id=private)
    enrolled = {"Private prices", "prices.md"}
    assert seen(student) == {"currency": enrolled, PARAPHRASE: enrolled}
    only_files = find(student, PARAPHRASE, embedder=get_embedder(), type="document")
    assert titles(only_files) == ["prices.md"]


@pytest.fixture
def typesense_down(index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app's Typesense address points at a port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("TYPESENSE_URL", f"http://127.0.0.1:{port}")
    reset_settings_cache()
    yield
    monkeypatch.undo()
    reset_settings_cache()


def test_without_typesense_postgres_finds_the_passage_and_its_place(
    typesense_down: None, teacher: str, s3_bucket: str
) -> None:
    course_id = new_course(teacher, "Geology", is_public=True)
    lesson_id = new_lesson(teacher, course_id, "Landforms", body=GEOLOGY)
    prices_id = new_lesson(teacher, course_id, "Rising prices", body=INFLATION)
    publish(teacher, course_id)
    file_id = upload(teacher, course_id, "seafloor.pdf", pdf_bytes(SEAFLOOR_PAGES)).document.id
    assert ingest(file_id) == "ready"
    _embed_lesson(prices_id)

    found = find(None, "postglacial")
    assert found.degraded
    (hit,) = found.hits
    assert (
        hit.url
        == f"/courses/{course_id}/lessons/{lesson_id}#{heading_anchor('Isostasy explained')}"
    )
    assert any(part.marked for part in hit.parts)
    (page,) = find(None, "abyssal").hits
    assert (page.title, page.page, page.url) == ("seafloor.pdf", 3, file_url(file_id, 3))
    # The vector leg needs no Typesense.
    by_meaning = find(None, PARAPHRASE, embedder=get_embedder())
    assert by_meaning.degraded and [hit.id for hit in by_meaning.hits] == [prices_id]


@pytest.mark.parametrize(
    ("filters", "field"),
    [({"type": "users"}, "type"), ({"course_id": "x] || published:=false"}, "course")],
)
def test_bad_filters_are_refused_before_either_leg(
    index: SearchIndex, filters: dict, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        find(None, PARAPHRASE, embedder=get_embedder(), **filters)
    assert refused.value.field == field
    long = find(None, "inflation " + "x" * 5_000, embedder=get_embedder())
    assert len(long.query) <= 200 and "200 characters" in long.notices[0]


def _drift() -> list:
    with session_scope() as session:
        return check_drift(session, default_index())

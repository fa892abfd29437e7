"""What a page's first statement notes for the reads after it (`services/held_facts.py`): in a
course with no prerequisite, for a student with no accommodation, the lesson page, the exam
page and the exam's Start skip the prerequisite and accommodation statements, and take the
course's lesson order and the exam's question count from it. Once a teacher adds a
prerequisite or an accommodation, the next page reads it and honours it: nothing is
remembered beyond one unit of work. A signed-in search and a tutor's question read the
embedding model's row (and search whether anything is locked) with the viewer.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.postgres import session_scope
from learning_app.models.base import utc_now
from learning_app.services import held_facts
from learning_app.services.access import viewing
from learning_app.services.access.courses import ordered_lesson_ids
from learning_app.services.attempts import results, taking
from learning_app.services.courses import reading
from learning_app.services.errors import PermissionDenied
from learning_app.services.exams import accommodations, authoring
from learning_app.services.exams.authoring import DrawRuleDraft, ExamDraft, ExamQuestionDraft
from learning_app.services.exams.listing import question_totals
from learning_app.services.material import ingestion
from learning_app.services.questions import bank
from learning_app.services.questions.bank import OptionDraft, QuestionDraft
from learning_app.services.search.index import SearchIndex
from learning_app.services.search.queries import search
from learning_app.services.search.results import SearchResults
from learning_app.services.tutor import answering, retrieval
from tests.integration.exams.helpers import run
from tests.integration.mastery_paths.world import World, build, enrol, require
from tests.integration.people import new_lesson
from tests.integration.search.helpers import fresh_index, sync_search
from tests.integration.test_viewing import statements_of

# `prerequisites._unmet`'s statement and `accommodations.terms_for_exams`' (the read-ahead's
# own EXISTS tests name both tables too).
PREREQUISITES, ACCOMMODATIONS = "FROM prerequisite p JOIN exam e", "SELECT accommodation.id"


@pytest.fixture
def world(teacher: str, student: str) -> World:
    made = build(teacher)
    enrol(student, made.course)
    return made


def sent_by(unit: Callable[[Session], Any]) -> list[str]:
    """The statements one unit of work sends, whether or not it is refused."""
    with (
        session_scope() as session,
        statements_of(session) as sent,
        contextlib.suppress(PermissionDenied),
    ):
        unit(session)
    return sent


def pages(student: str, world: World) -> dict[str, Callable[[Session], Any]]:
    return {
        "lesson": lambda s: reading.read_lesson(
            s, token=student, course_id=world.course, lesson_id=world.deep
        ),
        "course": lambda s: reading.course_outline(s, token=student, course_id=world.course),
        "exam": lambda s: results.exam_intro(s, token=student, exam_id=world.quiz2),
        "start": lambda s: taking.begin_attempt(s, token=student, exam_id=world.quiz2),
    }


def exam_with_draw(teacher: str, course_id: str) -> str:
    """A published exam of one fixed question and a draw of two tagged ones."""
    ids = []
    for n, tags in enumerate(([], ["drawn"], ["drawn"])):
        draft = QuestionDraft(
            type="true_false",
            prompt=f"Statement {n} is true.",
            options=[OptionDraft("True", True), OptionDraft("False")],
            tags=tags,
        )
        ids.append(run(bank.create_question, token=teacher, course_id=course_id, draft=draft).id)
    draft = ExamDraft(
        title="Drawn", questions=[ExamQuestionDraft(ids[0])], draws=[DrawRuleDraft("drawn", 2)]
    )
    exam_id = run(authoring.save_exam, token=teacher, course_id=course_id, draft=draft).id
    run(authoring.set_exam_published, token=teacher, exam_id=exam_id, published=True)
    return exam_id


def reads(sent: list[str], table: str) -> bool:
    return any(table in " ".join(statement.split()) for statement in sent)


def test_with_nothing_to_find_the_pages_skip_both_statements(student: str, world: World) -> None:
    counts = {}
    for name, unit in pages(student, world).items():
        sent = sent_by(unit)
        assert not reads(sent, PREREQUISITES), name
        assert not reads(sent, ACCOMMODATIONS), name
        counts[name] = len(sent)
    # The viewer with the page's rows, then: the lesson's progress; the attempts; the
    # attempts (locked), the draw and the insert.
    assert counts["lesson"] == 2 and counts["exam"] == 2 and counts["start"] == 4


def test_the_lesson_order_and_question_count_read_ahead_are_the_statements_own(
    teacher: str, student: str, world: World
) -> None:
    """What the lesson's and the exam's read-ahead hold is what `ordered_lesson_ids` and
    `question_totals` read on their own: a draft lesson in the course, an exam with a draw."""
    draft = new_lesson(teacher, world.course, "Still a draft", publish=False)
    lesson_id, course_id = uuid.UUID(world.deep), uuid.UUID(world.course)
    for token, include_drafts in ((student, False), (teacher, True)):
        with session_scope() as session:
            viewing.viewer_in_lesson(session, token, world.course, world.deep)
            held = ordered_lesson_ids(session, course_id, include_drafts=include_drafts)
        with session_scope() as session:
            read = ordered_lesson_ids(session, course_id, include_drafts=include_drafts)
        assert held == read and lesson_id in held
        assert (uuid.UUID(draft) in held) is include_drafts
    drawn = exam_with_draw(teacher, world.course)
    for exam_id in (world.quiz2, drawn):
        with session_scope() as session:
            viewing.viewer_in_exam(session, student, exam_id)
            held_total = question_totals(session, [uuid.UUID(exam_id)])
        with session_scope() as session:
            assert question_totals(session, [uuid.UUID(exam_id)]) == held_total
    assert held_total[uuid.UUID(drawn)] == 3  # one fixed question and a draw of two


def test_a_prerequisite_added_later_is_read_and_locks(
    teacher: str, student: str, world: World
) -> None:
    units = pages(student, world)
    sent_by(units["lesson"])  # a page read before the change remembers nothing after it
    require(teacher, world, lesson_id=world.deep)
    require(teacher, world, exam_id=world.quiz2)
    for name in ("lesson", "course", "exam"):
        assert reads(sent_by(units[name]), PREREQUISITES), name
    with pytest.raises(PermissionDenied, match="This lesson unlocks when"):
        run(reading.read_lesson, token=student, course_id=world.course, lesson_id=world.deep)
    outline = run(reading.course_outline, token=student, course_id=world.course)
    assert [lesson.locked_reason != "" for lesson in outline.lessons] == [False, True]
    intro = run(results.exam_intro, token=student, exam_id=world.quiz2)
    assert intro.blocked_reason.startswith("Unlocks when") and not intro.can_start
    assert reads(sent_by(units["start"]), PREREQUISITES)
    with pytest.raises(PermissionDenied, match="This exam unlocks when"):
        run(taking.begin_attempt, token=student, exam_id=world.quiz2)


@pytest.mark.parametrize("for_exam", [True, False], ids=["the exam's own", "the course's"])
def test_an_accommodation_added_later_is_read_and_honoured(
    teacher: str, student: str, world: World, for_exam: bool
) -> None:
    units = pages(student, world)
    assert run(results.exam_intro, token=student, exam_id=world.quiz2).can_start
    run(
        accommodations.grant_accommodation,
        token=teacher,
        course_id=world.course,
        student_email="ada@example.com",
        exam_id=world.quiz2 if for_exam else None,
        closes_at=utc_now() - timedelta(days=1),  # the student's own dates: closed for them
    )
    assert reads(sent_by(units["exam"]), ACCOMMODATIONS)
    intro = run(results.exam_intro, token=student, exam_id=world.quiz2)
    assert intro.blocked_reason == "This exam has closed." and not intro.can_start
    assert reads(sent_by(units["start"]), ACCOMMODATIONS)
    with pytest.raises(PermissionDenied, match=r"This exam has closed\."):
        run(taking.begin_attempt, token=student, exam_id=world.quiz2)


# Search's own reads, noted by the viewer's statement: the standalone model lookup and
# `locked_lesson_places`' statement (the read-ahead's subqueries name both tables too).
MODEL_ROW, LOCKED_PLACES = "SELECT embedding_model.id, embedding_model.name", "FROM prerequisite p"


index = pytest.fixture(fresh_index)


def search_as(token: str | None) -> Callable[[Session], SearchResults]:
    return lambda s: search(s, token=token, query="fermentation of barley", embedder=get_embedder())


def test_search_reads_the_model_and_the_locks_with_the_viewer(
    index: SearchIndex, teacher: str, student: str, world: World
) -> None:
    for lesson in (world.intro, world.deep):
        ingestion.ingest_lesson(uuid.UUID(lesson), get_embedder())
    sync_search()
    sent = sent_by(search_as(student))
    assert not reads(sent, MODEL_ROW) and not reads(sent, LOCKED_PLACES)
    with session_scope() as session:
        found = search_as(student)(session)
    assert world.deep in [hit.id for hit in found.hits]
    # A visitor has no viewer's statement: both are read on their own.
    sent = sent_by(search_as(None))
    assert reads(sent, MODEL_ROW) and reads(sent, LOCKED_PLACES)

    require(teacher, world, lesson_id=world.deep)  # now a lesson the student can read is gated
    assert reads(sent_by(search_as(student)), LOCKED_PLACES)
    with session_scope() as session:
        found = search_as(student)(session)
    assert world.deep not in [hit.id for hit in found.hits]


def test_the_tutor_reads_the_model_and_the_readable_lessons_with_the_course(
    student: str, world: World
) -> None:
    for lesson in (world.intro, world.deep):
        ingestion.ingest_lesson(uuid.UUID(lesson), get_embedder())

    def ask(session: Session) -> answering.TutorContext:
        question = "What is the science of fermentation in brewing called?"
        return answering.prepare(
            session,
            token=student,
            course_id=world.course,
            question=question,
            embedder=get_embedder(),
        )

    sent_by(ask)  # the worker's first question looks for the model's index once
    sent = sent_by(ask)
    assert not reads(sent, MODEL_ROW)
    assert not reads(sent, "FROM pg_indexes")
    assert not reads(sent, "SELECT course_lesson.lesson_id")  # the readable lessons
    assert not reads(sent, "SELECT reltuples FROM pg_class")  # the index's estimate
    assert len(sent) == 4  # the course, the chunks in scope, the passages and their sentences
    with session_scope() as session:
        context = ask(session)
        model = ingestion.register_model(session, get_embedder())
        assert held_facts.held_index_estimate(session, model.id) is not None
        held = retrieval.indexed_chunks(session, model)  # from what the course statement read
    assert world.deep in [citation.lesson_id for citation in context.citations]
    with session_scope() as session:
        assert held == retrieval.indexed_chunks(session, model)  # the statement's own answer

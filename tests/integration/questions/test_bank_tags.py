"""The bank's tag list against the real Postgres: the course has one tag list for its
questions and flashcards, and the bank's filter lists only the tags its questions carry."""

from __future__ import annotations

from learning_app.services.questions import bank
from learning_app.services.questions.bank import TagCount
from learning_app.services.questions.drafts import QuestionDraft
from learning_app.services.review import flashcards
from tests.integration.exams.helpers import run
from tests.integration.people import new_course


def _question(teacher: str, course: str, tags: list[str]) -> str:
    draft = QuestionDraft(type="essay", prompt="Why test?", tags=tags)
    return run(bank.create_question, token=teacher, course_id=course, draft=draft).id


def test_the_bank_lists_only_tags_its_questions_carry(teacher: str) -> None:
    course = new_course(teacher)
    _question(teacher, course, ["basics", "loops"])
    archived = _question(teacher, course, ["history"])
    run(bank.set_question_archived, token=teacher, question_id=archived, archived=True)
    run(
        flashcards.create_flashcard,
        token=teacher,
        course_id=course,
        front="What is a list?",
        back="An ordered collection.",
        tags=["lists", "loops"],
    )

    used = run(bank.list_tags, token=teacher, course_id=course, used_only=True)
    everything = run(bank.list_tags, token=teacher, course_id=course)

    # A tag only flashcards use is left out; one only archived questions carry stays, so the
    # filter still finds them when archived questions are shown.
    assert used == [TagCount("basics", 1), TagCount("history", 0), TagCount("loops", 1)]
    # The exam editor's draw rules keep every tag of the course.
    assert everything == [
        TagCount("basics", 1),
        TagCount("history", 0),
        TagCount("lists", 0),
        TagCount("loops", 1),
    ]

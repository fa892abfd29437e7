"""The review queue and FSRS scheduling against the real Postgres and Redis: due dates move as
FSRS says, reviews count once, days are the student's own, and only what the student may read
is ever in the queue."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, update
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.models.base import utc_now
from learning_app.models.review import Flashcard, ReviewCard, ReviewLog
from learning_app.models.teaching import Prerequisite
from learning_app.models.users import UserProfile
from learning_app.services.attempts import taking
from learning_app.services.courses import authoring, prerequisites, reading
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied
from learning_app.services.review import queue, reviews
from learning_app.services.review.queue import QueueEntry
from tests.integration.exams.helpers import exam_of, run, save, true_false_question
from tests.integration.people import new_course, new_lesson, person, publish, user_id


def count(model: type, **where: object) -> int:
    with session_scope() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.exec(query).one())


def add_card(course_id: str, front: str = "Mitochondria", **fields: object) -> str:
    with session_scope() as session:
        card = Flashcard(
            course_id=uuid.UUID(course_id),
            front_markdown=front,
            back_markdown=f"Back of {front}",
            **fields,
        )
        session.add(card)
        session.flush()
        return str(card.id)


def due(token: str, now: datetime | None = None) -> list[QueueEntry]:
    return run(queue.due_queue, token=token, now=now)


def rate(token: str, entry: QueueEntry, rating: object, now: datetime | None = None):
    return run(
        reviews.rate_flashcard, token=token, entry=entry, rating=rating, duration_ms=4000, now=now
    )


@pytest.fixture
def course(teacher: str, student: str) -> str:
    course_id = new_course(teacher)
    publish(teacher, course_id)
    run(reading.enroll, token=student, course_id=course_id)
    return course_id


def test_good_moves_the_due_date_out_and_again_brings_it_back(student: str, course: str) -> None:
    card_id = add_card(course)
    now = utc_now()
    [entry] = due(student, now)
    assert entry.flashcard_id == card_id and entry.review_card_id is None and entry.reps == 0

    first = rate(student, entry, 3, now)  # Good: the second learning step, 10 minutes
    assert first.counted and timedelta(minutes=9) < first.due - now <= timedelta(minutes=11)
    later = now + timedelta(minutes=11)
    graduated = rate(student, first.next_entry, "3", later)  # Good again: into review, in days
    assert graduated.due - later >= timedelta(days=1)
    assert due(student, later) == []  # nothing else due today

    lapse_at = graduated.due + timedelta(hours=1)
    [back] = due(student, lapse_at)
    forgot = rate(student, back, 1, lapse_at)  # Again: relearning, back in 10 minutes
    assert forgot.due - lapse_at <= timedelta(minutes=10)
    with session_scope() as session:
        row = session.exec(select(ReviewCard)).one()
        assert (row.reps, row.lapses, row.state) == (3, 1, 3)
        logs = session.exec(select(ReviewLog).order_by(ReviewLog.sequence)).all()
    assert [(log.sequence, log.rating) for log in logs] == [(0, 3), (1, 3), (2, 1)]
    assert logs[2].state_before == 2 and logs[2].stability_before is not None


def test_a_review_sent_twice_counts_once(student: str, course: str) -> None:
    add_card(course)
    [entry] = due(student)
    assert rate(student, entry, 3).counted
    again = rate(student, entry, 1)  # a double click, or a resent websocket event
    assert not again.counted
    assert count(ReviewLog) == 1 and count(ReviewCard) == 1


def test_a_bad_rating_is_refused_and_writes_nothing(student: str, course: str) -> None:
    add_card(course)
    [entry] = due(student)
    for bad in (0, 5, "good", None):
        with pytest.raises(InvalidInput, match="Again, Hard, Good or Easy"):
            rate(student, entry, bad)
    assert count(ReviewCard) == 0 and count(ReviewLog) == 0


def test_due_today_is_the_students_own_day(student: str, course: str) -> None:
    add_card(course)
    [entry] = due(student)
    rate(student, entry, 3)
    now = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    with session_scope() as session:
        # 20:00 UTC: still Dec 4 in Los Angeles, already Dec 5 in Auckland (UTC+13).
        session.execute(update(ReviewCard).values(due=datetime(2026, 12, 4, 20, 0, tzinfo=UTC)))
    me = uuid.UUID(user_id(student))

    def set_zone(name: str) -> None:
        with session_scope() as session:
            session.execute(
                update(UserProfile).where(UserProfile.user_id == me).values(timezone=name)
            )

    set_zone("America/Los_Angeles")
    assert len(due(student, now)) == 1
    set_zone("Pacific/Auckland")
    assert due(student, now) == []  # its day (Dec 4) ends at 11:00 UTC; the card is tomorrow's
    assert len(due(student, now + timedelta(hours=2))) == 1  # now Dec 5 there


def test_unpublishing_or_leaving_the_course_takes_its_cards_out(
    teacher: str, student: str, course: str
) -> None:
    add_card(course)
    [entry] = due(student)
    rate(student, entry, 1)
    assert len(due(student, utc_now() + timedelta(minutes=2))) == 1

    run(authoring.unpublish_course, token=teacher, course_id=course)
    soon = utc_now() + timedelta(minutes=2)
    assert due(student, soon) == []
    with pytest.raises(NotFound):
        rate(student, entry, 3)  # a review sent from an old page is refused too
    publish(teacher, course)
    [back] = due(student, soon)

    run(reading.leave_course, token=student, course_id=course)
    assert due(student, soon) == []
    with pytest.raises(NotFound):
        rate(student, back, 3, soon)
    run(reading.enroll, token=student, course_id=course)
    assert due(student, soon) == [back]  # the memory state was kept


def test_another_students_card_is_refused(student: str, course: str) -> None:
    add_card(course)
    [entry] = due(student)
    mine = rate(student, entry, 1).next_entry
    mallory = person("mallory")
    run(reading.enroll, token=mallory, course_id=course)
    with pytest.raises(NotFound):
        rate(mallory, mine, 4)
    with pytest.raises(NotFound):
        run(reviews.item_view, token=mallory, entry=mine)
    assert count(ReviewLog) == 1


def test_archived_cards_and_others_personal_cards_stay_out(student: str, course: str) -> None:
    add_card(course, archived_at=utc_now())
    other = uuid.UUID(user_id(person("bob")))
    add_card(course, "Bob's own card", owner_id=other, source="tutor")
    mine = add_card(course, "My own card", owner_id=uuid.UUID(user_id(student)), source="tutor")
    assert [e.flashcard_id for e in due(student)] == [mine]


def test_a_lesson_card_waits_until_the_lesson_is_opened(
    teacher: str, student: str, course: str
) -> None:
    lesson_id = new_lesson(teacher, course, "Cells")
    add_card(course, "Nucleus", lesson_id=uuid.UUID(lesson_id))
    assert due(student) == []
    run(reading.read_lesson, token=student, course_id=course, lesson_id=lesson_id)
    assert len(due(student)) == 1


def test_a_card_of_a_lesson_locked_later_waits_with_its_lesson(
    teacher: str, student: str, course: str
) -> None:
    lesson_id = new_lesson(teacher, course, "Cells")
    add_card(course, "Nucleus", lesson_id=uuid.UUID(lesson_id))
    run(reading.read_lesson, token=student, course_id=course, lesson_id=lesson_id)
    [entry] = due(student)
    reviewed = rate(student, entry, 1)  # Again: due again within the day
    quiz = exam_of(teacher, course, [true_false_question(teacher, course)], title="Cell quiz")
    run(
        prerequisites.set_prerequisite,
        token=teacher,
        course_id=course,
        lesson_id=lesson_id,
        required_exam_id=quiz,
        min_percent=80,
    )
    later = reviewed.due + timedelta(minutes=1)
    assert due(student, later) == []  # its state stays, out of the queue
    for forged in (
        lambda: run(reviews.item_view, token=student, entry=reviewed.next_entry),
        lambda: rate(student, reviewed.next_entry, 3, later),
    ):
        with pytest.raises(PermissionDenied, match="unlocks when you pass Cell quiz"):
            forged()
    assert count(ReviewLog) == 1
    with session_scope() as session:
        session.execute(delete(Prerequisite))
    assert [e.review_card_id for e in due(student, later)] == [reviewed.next_entry.review_card_id]


def test_new_cards_are_limited_per_day(student: str, course: str) -> None:
    for n in range(queue.NEW_CARDS_PER_DAY + 5):
        add_card(course, f"Term {n}")
    entries = due(student)
    assert len(entries) == queue.NEW_CARDS_PER_DAY
    for entry in entries[:5]:
        rate(student, entry, 4)  # Easy: out of today's queue
    assert len(due(student)) == queue.NEW_CARDS_PER_DAY - 5  # no new ones beyond today's 20


@pytest.fixture
def true_false_exam(teacher: str, course: str) -> tuple[str, str, str]:
    """Two true/false questions (True is right for both) and an exam of them."""
    right_id = true_false_question(teacher, course)
    wrong_id = true_false_question(teacher, course)
    return right_id, wrong_id, exam_of(teacher, course, [right_id, wrong_id])


def take_true_false_exam(student: str, exam_id: str, true_for: set[str]) -> None:
    """Answer True to the questions in `true_for` and False to the others, and submit."""
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    for line in view.questions:
        option = line.options[0 if line.question_id in true_for else 1]
        save(student, view.attempt_id, line.question_id, {"option_id": option.id})
    run(taking.submit_attempt, token=student, attempt_id=view.attempt_id)


def test_exam_answers_become_reviews_and_are_answered_in_place(
    student: str, true_false_exam: tuple[str, str, str]
) -> None:
    right_id, wrong_id, exam_id = true_false_exam
    take_true_false_exam(student, exam_id, true_for={right_id})

    assert due(student) == []  # scheduled in days, not minutes after the exam
    with session_scope() as session:
        cards = {str(c.question_id): c for c in session.exec(select(ReviewCard)).all()}
    assert cards[wrong_id].due < cards[right_id].due
    assert count(ReviewLog) == 2

    # The day the wrong answer comes back (a day later; the right one two days later). A
    # queue holds everything due before its day's local midnight, so "now + 25 h" reached the
    # right answer's day too whenever the test ran in the hour before midnight.
    tomorrow = cards[wrong_id].due
    [entry] = due(student, tomorrow)
    assert entry.question_id == wrong_id
    shown = run(reviews.item_view, token=student, entry=entry)
    assert shown.kind == "question" and shown.choices[0].body == "True"
    with pytest.raises(InvalidInput):
        run(reviews.rate_flashcard, token=student, entry=entry, rating=3, duration_ms=1)
    with pytest.raises(InvalidInput):  # not one of the options shown
        run(
            reviews.answer_question,
            token=student,
            entry=entry,
            response={"option_id": str(uuid.uuid4())},
            duration_ms=1000,
            now=tomorrow,
        )
    slow = run(
        reviews.answer_question,
        token=student,
        entry=entry,
        response={"option_id": shown.choices[0].id},
        duration_ms=45_000,
        now=tomorrow,
    )
    assert slow.correct and slow.review.rating == 2 and slow.correct_answer == "True"


def test_exam_answers_log_their_first_review_once_and_keep_a_reviewed_questions_state(
    student: str, true_false_exam: tuple[str, str, str]
) -> None:
    right_id, wrong_id, exam_id = true_false_exam

    def cards() -> dict[str, tuple[object, ...]]:
        with session_scope() as session:
            rows = session.exec(select(ReviewCard).where(ReviewCard.user_id == user_id(student)))
            return {
                str(c.question_id): (c.id, c.state, c.step, c.stability, c.due, c.reps)
                for c in rows
            }

    take_true_false_exam(student, exam_id, true_for={right_id})
    first = cards()
    with session_scope() as session:
        logs = {
            (str(log.review_card_id), log.rating, log.sequence, log.state_before)
            for log in session.exec(select(ReviewLog)).all()
        }
    good, again = 3, 1
    assert logs == {
        (str(first[right_id][0]), good, 0, 1),
        (str(first[wrong_id][0]), again, 0, 1),
    }
    assert all(card[5] == 1 for card in first.values())  # one review each

    take_true_false_exam(
        student, exam_id, true_for={wrong_id}
    )  # the other way round: the questions are already reviewed
    assert cards() == first
    assert count(ReviewLog) == 2


def test_a_student_retires_their_own_card_and_no_one_elses(student: str, course: str) -> None:
    mine = add_card(course, "Saved answer", owner_id=uuid.UUID(user_id(student)), source="tutor")
    course_card = add_card(course, "Course card")
    entries = {e.flashcard_id: e for e in due(student)}
    with pytest.raises(NotFound):  # a course's card is not the student's to retire
        run(reviews.retire_my_card, token=student, entry=entries[course_card])
    mallory = person("mallory")
    with pytest.raises(NotFound):
        run(reviews.retire_my_card, token=mallory, entry=entries[mine])
    run(reviews.retire_my_card, token=student, entry=entries[mine])
    assert [e.flashcard_id for e in due(student)] == [course_card]
    assert count(Flashcard) == 2  # archived, not deleted

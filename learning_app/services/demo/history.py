"""Thirty days of the demo world, played through the services as students and teachers.

Each student gets a fixed character from a seeded random generator: when they joined, how keen
they are (the chance they study on a given day), how well they learn (the chance of a right
answer, less for harder questions, more on a second try) and the hour they like to study.
Then, day by day, they enrol, review the flashcards due (`reviewing`), read lessons and mark
them complete, take quizzes and finals (answering every question type, essays included), and
ask the tutor; all of it through the same service calls and analytics events as the app, with
the clock of `models.base` set to the simulated moment. Teachers share two links and mark essays
a day after they arrive, except the latest in each course of teacher@example.com, which wait for
a mark.

Ada studies every day of the last two weeks at least (a live streak) in three courses, and
started a fourth a few days ago; Grace joined three days ago. Students with nothing left to do,
or on a slow day, look back at a lesson they have read.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.postgres import session_scope
from learning_app.models.base import simulated_clock
from learning_app.models.exams import ExamAttempt
from learning_app.services.attempts.attempt_view import AttemptQuestion
from learning_app.services.attempts.taking import save_answer, start_attempt
from learning_app.services.attempts.taking import submit_attempt as submit
from learning_app.services.courses.reading import enroll, mark_lesson_complete, read_lesson
from learning_app.services.demo.kinds import DemoEssay, DemoQuestion
from learning_app.services.demo.people import ADA, GRACE, STUDENTS, DemoPerson
from learning_app.services.demo.reviewing import review_due_cards
from learning_app.services.demo.seeded import DemoWorld, SeededCourse
from learning_app.services.demo.teaching import mark_essays, moment_of, share_links, visitors_open
from learning_app.services.tutor.answering import ask

RANDOM_SEED = 17  # fixed: the same world, and the same screenshots, every time
ANSWER_SECONDS = 50  # between two answers of an exam
ADA_STREAK_DAYS = 14


@dataclass
class Learner:
    person: DemoPerson
    token: str
    skill: float  # 0..1
    keenness: float  # chance of studying on a day after joining
    joined: int  # days before today
    hour: int  # when they like to study (UTC)
    courses: list[SeededCourse]
    later: tuple[int, SeededCourse] | None = None  # a course started later: (days ago, course)
    pace: float = 1.0  # chance a study day moves on to a new lesson (else a review)
    gives_up_at: int | None = None  # the lesson (by position) they open but never finish
    next_lesson: dict[str, int] = field(default_factory=dict)  # by course id
    attempts: dict[str, int] = field(default_factory=dict)  # by exam id
    done_exams: set[str] = field(default_factory=set)  # passed, or waiting for a mark
    # Each student's own random numbers: one student's history never shifts another's.
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def studies_on(self, days_ago: int, rng: random.Random) -> bool:
        if days_ago > self.joined:
            return False
        if self.person == ADA and days_ago < ADA_STREAK_DAYS:
            return True
        return days_ago == self.joined or rng.random() < self.keenness


@dataclass(frozen=True)
class TutorQuestion:
    """A question a student asks the tutor at `moment`."""

    token: str
    course_id: str
    question: str
    moment: datetime


@dataclass
class Played:
    """What the history leaves to do or to tell: the share links made (what they open, path),
    and the tutor questions, asked by `ask_tutor` once the material is ingested."""

    links: list[tuple[str, str]] = field(default_factory=list)
    tutor_questions: list[TutorQuestion] = field(default_factory=list)


def simulate(world: DemoWorld) -> Played:
    """Play the whole history (every tutor question is only noted: see `ask_tutor`)."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311 - a simulation, not a secret
    learners = _learners(world, rng)
    played = Played()
    for days_ago in range(world.size.days, -1, -1):
        if days_ago == max(world.size.days - 8, 1):
            played.links += share_links(world, days_ago)
        if played.links and days_ago < world.size.days - 8:
            visitors_open(world, played.links[0][1], days_ago, rng)
        for learner in learners:
            if learner.studies_on(days_ago, learner.rng):
                _study_day(world, learner, days_ago, learner.rng, played)
    mark_essays(world)
    return played


def ask_tutor(questions: list[TutorQuestion]) -> None:
    """Ask the noted questions, each at its own moment. They come after the history because
    the material is ingested while the history is played (the seed's two slow halves, one on
    the database and one on the embedding model, side by side); no other history reads the
    tutor's answers, so asking later changes nothing else."""
    embedder = get_embedder()
    for asked in questions:
        with session_scope() as session, simulated_clock(asked.moment):
            ask(
                session,
                token=asked.token,
                course_id=asked.course_id,
                question=asked.question,
                embedder=embedder,
                chat=None,  # the offline extractive answerer, fast and deterministic
            )


def _learners(world: DemoWorld, rng: random.Random) -> list[Learner]:
    by_key = {course.content.key: course for course in world.courses}
    last = world.size.days - 1
    learners = []
    for person in STUDENTS[: world.size.students]:
        token = world.tokens[person.email]
        if person == ADA:
            courses = [by_key["python"], by_key["biology"], by_key["music"]]
            later = (min(5, last), by_key["history"])
            learners.append(Learner(person, token, 0.62, 0.45, last, 18, courses, later, 0.65))
        elif person == GRACE:
            grace = Learner(person, token, 0.6, 1.0, min(3, last), 20, [by_key["python"]], pace=0.6)
            learners.append(grace)
        else:
            picked = rng.sample(world.courses, k=rng.choice((1, 1, 2, 2, 3)))
            joined = round(last * rng.random() ** 0.6)  # most joined early, a few lately
            skill, keenness = rng.uniform(0.35, 0.95), rng.uniform(0.12, 0.5)
            learner = Learner(person, token, skill, keenness, joined, rng.randint(7, 21), picked)
            if rng.random() < 0.3:  # some lose interest part of the way through
                learner.gives_up_at = rng.randint(1, 3)
            learners.append(learner)
    for learner in learners:
        learner.rng = random.Random(f"{RANDOM_SEED}:{learner.person.email}")  # noqa: S311
    return learners


def _study_day(
    world: DemoWorld,
    learner: Learner,
    days_ago: int,
    rng: random.Random,
    played: Played,
) -> None:
    clock = moment_of(world, days_ago, learner.hour, rng)
    with session_scope() as session:
        starting = list(learner.courses) if days_ago == learner.joined else []
        if learner.later and learner.later[0] == days_ago:
            starting.append(learner.later[1])
            learner.courses.append(learner.later[1])
        for course in starting:
            with simulated_clock(clock):
                enroll(session, token=learner.token, course_id=course.course_id)
            learner.next_lesson[course.course_id] = 0
            clock += timedelta(minutes=1)
        clock = review_due_cards(
            session,
            token=learner.token,
            skill=learner.skill,
            clock=clock,
            seed=f"{RANDOM_SEED}:{learner.person.email}:{days_ago}",
        )
        course = _course_for_today(learner, rng) if rng.random() < learner.pace else None
        if course is None:  # everything done, or a slow day: look back at a lesson read before
            course = rng.choice(learner.courses)
            seen = course.lesson_ids[: max(1, learner.next_lesson[course.course_id])]
            with simulated_clock(clock):
                read_lesson(
                    session,
                    token=learner.token,
                    course_id=course.course_id,
                    lesson_id=rng.choice(seen),
                )
            _maybe_ask(world, learner, course, clock, rng, played)
            return
        lessons = course.lesson_ids
        for _ in range(2 if rng.random() < 0.3 and learner.person not in (ADA, GRACE) else 1):
            done = learner.next_lesson[course.course_id]
            if done >= len(lessons):
                break
            clock, completed = _read(session, learner, course, done, clock, rng)
            if not completed:
                break
        progress = learner.next_lesson[course.course_id]
        quiz, final = course.exam_ids["quiz"], course.exam_ids["final"]
        if progress >= 2 and _may_take(learner, quiz, 3) and rng.random() < 0.5:
            clock = _take_exam(session, learner, course, quiz, clock, rng)
        elif progress == len(lessons) and _may_take(learner, final, 2) and rng.random() < 0.6:
            clock = _take_exam(session, learner, course, final, clock, rng)
        _maybe_ask(world, learner, course, clock, rng, played)


def _maybe_ask(
    world: DemoWorld,
    learner: Learner,
    course: SeededCourse,
    clock: datetime,
    rng: random.Random,
    played: Played,
) -> None:
    """Now and then a question for the tutor, from the course's list (up to the world's
    number: each one embeds the question and ranks passages)."""
    chance = 0.4 if learner.person == ADA else 0.15
    wants, question = rng.random() < chance, rng.choice(course.content.tutor_questions)
    if not wants or len(played.tutor_questions) >= world.size.tutor_questions:
        return
    moment = clock + timedelta(minutes=3)
    played.tutor_questions.append(TutorQuestion(learner.token, course.course_id, question, moment))


def _course_for_today(learner: Learner, rng: random.Random) -> SeededCourse | None:
    """A course with lessons or exams still to do; the least advanced one more often."""
    open_ = [
        c
        for c in learner.courses
        if learner.next_lesson.get(c.course_id, 0) < len(c.lesson_ids)
        or c.exam_ids["final"] not in learner.done_exams
    ]
    if not open_:
        return None
    weights = [(1 + len(c.lesson_ids) - learner.next_lesson[c.course_id]) ** 2 for c in open_]
    return rng.choices(open_, weights=weights)[0]


def _read(
    session: Session,
    learner: Learner,
    course: SeededCourse,
    index: int,
    clock: datetime,
    rng: random.Random,
) -> tuple[datetime, bool]:
    """Open the lesson, and mark it complete after reading it, or leave it for another day;
    the clock after it, and whether it was completed."""
    lesson_id = course.lesson_ids[index]
    with simulated_clock(clock):
        read_lesson(session, token=learner.token, course_id=course.course_id, lesson_id=lesson_id)
    clock += timedelta(minutes=course.content.lessons[index].minutes + rng.randint(-4, 6))
    if learner.gives_up_at is not None and index >= learner.gives_up_at:
        return clock, False
    if rng.random() > 0.55 + 0.4 * learner.skill:
        return clock, False  # not finished today: it is the next lesson again next time
    with simulated_clock(clock):
        mark_lesson_complete(
            session, token=learner.token, course_id=course.course_id, lesson_id=lesson_id
        )
    learner.next_lesson[course.course_id] = index + 1
    return clock + timedelta(minutes=1), True


def _may_take(learner: Learner, exam_id: str, allowed: int) -> bool:
    return exam_id not in learner.done_exams and learner.attempts.get(exam_id, 0) < allowed


def _chance_right(learner: Learner, question: DemoQuestion, attempt_number: int) -> float:
    # A first try is shakier; a retake after seeing the feedback goes better.
    chance = 0.3 + learner.skill - 0.8 * question.difficulty + 0.12 * (attempt_number - 2)
    return min(0.97, max(0.05, chance))


def _take_exam(
    session: Session,
    learner: Learner,
    course: SeededCourse,
    exam_id: str,
    clock: datetime,
    rng: random.Random,
) -> datetime:
    number = learner.attempts.get(exam_id, 0) + 1
    with simulated_clock(clock):
        view = start_attempt(session, token=learner.token, exam_id=exam_id)
    for question in view.questions:
        content = course.questions[question.question_id]
        right = rng.random() < _chance_right(learner, content, number)
        clock += timedelta(seconds=ANSWER_SECONDS + rng.randint(0, 40))
        with simulated_clock(clock):
            save_answer(
                session,
                token=learner.token,
                attempt_id=view.attempt_id,
                question_id=question.question_id,
                response=_response(question, content, right, learner, course, rng),
            )
    clock += timedelta(seconds=30)
    with simulated_clock(clock):
        submit(session, token=learner.token, attempt_id=view.attempt_id)
    learner.attempts[exam_id] = number
    attempt = session.get(ExamAttempt, uuid.UUID(view.attempt_id))
    if attempt is not None and attempt.passed is not False:  # passed, or an essay to mark
        learner.done_exams.add(exam_id)
    return clock + timedelta(minutes=2)


def _response(
    question: AttemptQuestion,
    content: DemoQuestion,
    right: bool,
    learner: Learner,
    course: SeededCourse,
    rng: random.Random,
) -> dict[str, Any]:
    correct = {body for body, is_correct in content.options if is_correct}
    right_ids = [o.id for o in question.options if o.body in correct]
    wrong_ids = [o.id for o in question.options if o.body not in correct]
    if question.type in ("single_choice", "true_false"):
        return {"option_id": right_ids[0] if right or not wrong_ids else rng.choice(wrong_ids)}
    if question.type == "multiple_choice":
        if right:
            return {"option_ids": right_ids}
        # A near miss: one right option forgotten, or one wrong option added.
        if rng.random() < 0.5 and len(right_ids) > 1:
            return {"option_ids": right_ids[1:]}
        return {"option_ids": [*right_ids, rng.choice(wrong_ids)]}
    if question.type == "short_answer":
        return {"text": content.accepted_answers[0] if right else content.wrong_answer}
    if question.type == "numeric":
        return {"value": f"{content.numeric_answer:g}" if right else content.wrong_answer}
    return {"text": _essay(learner, course.content.essays, rng).text}


def _essay(learner: Learner, essays: tuple[DemoEssay, ...], rng: random.Random) -> DemoEssay:
    level = learner.skill + rng.gauss(0, 0.12)
    ranked = sorted(essays, key=lambda e: e.share_of_points)  # weakest first
    if level > 0.8:
        return ranked[-1]
    return ranked[0] if level < 0.55 else ranked[len(ranked) // 2]

"""The world `learning-app bench load` runs in: one published course with twelve lessons (indexed
for search and ingested for the tutor), a practice exam for the signed-in students and a final
exam for the spike, and the students themselves. Written under a unique tag, deleted after."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import insert

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.postgres import session_scope
from learning_app.bench.fixtures import (
    BenchCourse,
    add_exam,
    create_course,
    drop_course,
    start_sessions,
    student_email,
)
from learning_app.models.base import utc_now
from learning_app.models.content import CourseLesson, Lesson, PublishStatus
from learning_app.models.exams import ExamType
from learning_app.services.accounts.passwords import hash_password
from learning_app.services.material import ingestion
from learning_app.services.search.index import default_index, sync_entity

STUDENT_PASSWORD = "bench-load-password-1"  # noqa: S105 - the bench's own throwaway accounts

# (title, what a student would ask about it, the lesson's two sections)
TOPICS: list[tuple[str, str, str, str]] = [
    (
        "Tides",
        "What causes the tides?",
        "The Moon's gravity pulls the oceans into two bulges, one facing the Moon and one "
        "opposite it. As the Earth turns, a coast passes through both bulges each day.",
        "Spring tides come when the Sun and Moon line up at new and full moon; neap tides "
        "come at the quarter moons, when their pulls partly cancel.",
    ),
    (
        "Photosynthesis",
        "How do plants make sugar from light?",
        "Chlorophyll in the chloroplasts absorbs red and blue light. The light reactions split "
        "water, release oxygen and store energy in ATP and NADPH.",
        "The Calvin cycle uses that energy to fix carbon dioxide into sugars, which the plant "
        "burns for energy or builds into cellulose and starch.",
    ),
    (
        "Volcanoes",
        "Why do some volcanoes explode?",
        "Magma rich in silica is viscous and traps gas. When pressure drops near the surface, "
        "the gas expands violently and shatters the magma into ash.",
        "Runny basalt magma, as in Hawaii, lets gas escape gently and builds broad shield "
        "volcanoes from flowing lava.",
    ),
    (
        "Fractions",
        "How do I add two fractions?",
        "To add fractions, rewrite them over a common denominator, add the numerators, and "
        "keep the denominator. One half plus one third is three sixths plus two sixths.",
        "Simplify the result by dividing the numerator and denominator by their greatest "
        "common divisor.",
    ),
    (
        "The water cycle",
        "What is evaporation in the water cycle?",
        "The Sun heats oceans and lakes; water evaporates into vapour, rises, cools and "
        "condenses into clouds.",
        "Precipitation returns the water as rain or snow, which runs off into rivers or "
        "soaks into the ground as groundwater.",
    ),
    (
        "Electric circuits",
        "What does Ohm's law say?",
        "Ohm's law says the current through a resistor equals the voltage across it divided "
        "by its resistance: I = V / R.",
        "In a series circuit the current is the same everywhere; in a parallel circuit the "
        "voltage across each branch is the same.",
    ),
    (
        "The Roman Republic",
        "How was the Roman Republic governed?",
        "Two consuls elected each year led the Republic, advised by the Senate, while "
        "assemblies of citizens voted on laws.",
        "Tribunes protected the plebeians and could veto decisions of magistrates.",
    ),
    (
        "Cell division",
        "What happens during mitosis?",
        "In mitosis a cell copies its chromosomes and divides into two identical daughter "
        "cells: prophase, metaphase, anaphase and telophase.",
        "Meiosis instead makes four sex cells with half the chromosomes each, shuffling genes.",
    ),
    (
        "Supply and demand",
        "Why do prices rise when supply falls?",
        "When supply falls and demand stays the same, buyers compete for fewer goods and the "
        "price rises until the quantity demanded matches what is offered.",
        "The equilibrium price is where the supply and demand curves cross.",
    ),
    (
        "Plate tectonics",
        "What moves the tectonic plates?",
        "Convection in the mantle and the pull of sinking slabs move the rigid plates of the "
        "lithosphere a few centimetres a year.",
        "Plates meet at divergent, convergent and transform boundaries, where earthquakes and "
        "mountains form.",
    ),
    (
        "Sorting algorithms",
        "How does merge sort work?",
        "Merge sort splits a list in half, sorts each half recursively and merges the two "
        "sorted halves, taking n log n steps.",
        "Quicksort partitions around a pivot instead; it is fast on average but quadratic in "
        "its worst case.",
    ),
    (
        "Poetry and metre",
        "What is iambic pentameter?",
        "Iambic pentameter is a line of five iambs, each an unstressed syllable followed by a "
        "stressed one, as in many of Shakespeare's sonnets.",
        "Free verse drops a regular metre and rhyme and relies on rhythm and imagery.",
    ),
]

# Searches the students type, some with typos, all of which the course answers.
QUERIES = [
    "tides",
    "photosynthesis",
    "volcanoe",
    "fractions",
    "water cycle",
    "ohms law",
    "roman republic",
    "mitosis",
    "supply demand",
    "tectonic plates",
    "merge sort",
    "iambic pentameter",
    "photosyntesis",
    "electric circuit",
]


@dataclass
class LoadWorld:
    course: BenchCourse
    lesson_ids: list[str]
    practice_exam_id: str
    spike_exam_id: str
    accounts: list[dict[str, str]]  # the signing-in students' email and password
    spike_tokens: list[str]  # the spike students' session ids, signed in beforehand


def _lesson_body(title: str, first: str, second: str) -> str:
    return f"# {title}\n\n## The idea\n\n{first}\n\n## Going further\n\n{second}\n"


def create_load_world(users: int, spike_students: int) -> LoadWorld:
    """Write the world, index it for search and ingest its lessons for the tutor (the jobs the
    outbox also enqueued will find the work done: both are idempotent)."""
    now = utc_now()
    with session_scope() as session:
        course = create_course(
            session, users + spike_students, password_hash=hash_password(STUDENT_PASSWORD)
        )
        lessons = [
            {
                "id": uuid.uuid4(),
                "owner_id": course.teacher_id,
                "title": title,
                "summary": question,
                "body_markdown": _lesson_body(title, first, second),
                "status": PublishStatus.PUBLISHED,
                "published_at": now,
            }
            for title, question, first, second in TOPICS
        ]
        session.execute(insert(Lesson), lessons)
        session.execute(
            insert(CourseLesson),
            [
                {"course_id": course.course_id, "lesson_id": lesson["id"], "position": i}
                for i, lesson in enumerate(lessons)
            ],
        )
        practice = add_exam(
            session, course, title="Practice", kind=ExamType.PRACTICE, max_attempts=None
        )
        final = add_exam(session, course, title="Final", kind=ExamType.FINAL, max_attempts=1)
    lesson_ids = [str(lesson["id"]) for lesson in lessons]
    embedder = get_embedder()
    for lesson_id in lesson_ids:
        ingestion.ingest_lesson(uuid.UUID(lesson_id), embedder)
    with session_scope() as session:
        index = default_index()
        sync_entity(session, index, "course", str(course.course_id))
        for lesson_id in lesson_ids:
            sync_entity(session, index, "lesson", lesson_id)
    spike_tokens = start_sessions(course, "bench load", course.student_ids[users:])
    accounts = [
        {"email": student_email(course.tag, n + 1), "password": STUDENT_PASSWORD}
        for n in range(users)
    ]
    return LoadWorld(course, lesson_ids, str(practice), str(final), accounts, spike_tokens)


def drop_load_world(world: LoadWorld) -> None:
    """Delete the world and take its course and lessons out of the search index."""
    drop_course(world.course)
    with session_scope() as session:
        index = default_index()
        sync_entity(session, index, "course", str(world.course.course_id))
        for lesson_id in world.lesson_ids:
            sync_entity(session, index, "lesson", lesson_id)

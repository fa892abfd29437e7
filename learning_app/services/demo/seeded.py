"""What the seed has written, as the history and the tests need it: the size of the world,
each course's ids, and a session token per person to act as them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from learning_app.services.demo.kinds import DemoCourse, DemoQuestion
from learning_app.services.demo.people import STUDENTS


@dataclass(frozen=True)
class WorldSize:
    """How much history to simulate. `FULL` is what `learning-app seed` writes; `SMALL` (same
    courses and content, fewer students and days) keeps tests that only need a populated app
    fast."""

    students: int
    days: int
    tutor_questions: int  # at most, over the whole history: each one embeds and ranks


FULL = WorldSize(students=len(STUDENTS), days=30, tutor_questions=40)
SMALL = WorldSize(students=6, days=7, tutor_questions=6)


@dataclass
class SeededCourse:
    """A course as written, with the ids the history needs."""

    content: DemoCourse
    course_id: str
    owner_email: str
    lesson_ids: list[str] = field(default_factory=list)
    questions: dict[str, DemoQuestion] = field(default_factory=dict)  # by question id
    exam_ids: dict[str, str] = field(default_factory=dict)  # by exam type: quiz, final
    document_ids: list[str] = field(default_factory=list)  # the PDF and the DOCX


@dataclass
class DemoWorld:
    """What the seed has written so far, and a session token per person to act as them."""

    now: datetime  # the real moment the seed started: history ends just before it
    size: WorldSize
    tokens: dict[str, str] = field(default_factory=dict)
    courses: list[SeededCourse] = field(default_factory=list)

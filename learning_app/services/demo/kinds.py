"""The shapes of the demo world's content: what a `content_*` module declares for one course.

Content modules hold only data (texts, questions, answers students give); `world` writes them
through the services and `history` plays students through them. A lesson's Markdown names its
pictures as `![alt](picture:<file>.png)`; `world` uploads each picture through the material
upload path and rewrites the link to `/files/<id>`, exactly what the lesson editor inserts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PICTURE_SCHEME = "picture:"


@dataclass(frozen=True)
class DemoLesson:
    title: str
    summary: str
    body_markdown: str
    minutes: int = 10  # about how long it takes to read: the simulated students take as long


@dataclass(frozen=True)
class DemoQuestion:
    """One question of the bank. `wrong_answer` is what a student who gets it wrong types (short
    answer, numeric); `difficulty` (0 easy .. 1 hard) lowers the chance a student gets it right,
    so the teacher's "hardest questions" chart has a real order."""

    type: str  # a QuestionType value
    prompt: str
    explanation: str = ""
    points: float = 1.0
    options: tuple[tuple[str, bool], ...] = ()
    accepted_answers: tuple[str, ...] = ()
    numeric_answer: float | None = None
    numeric_tolerance: float | None = None
    wrong_answer: str = ""
    difficulty: float = 0.3
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoEssay:
    """An essay answer a student writes, and the points (of the question's) a teacher gives."""

    text: str
    share_of_points: float
    feedback: str


@dataclass(frozen=True)
class DemoExam:
    title: str
    description: str
    type: str  # an ExamType value
    question_prompts: tuple[str, ...]  # the bank questions it holds, by prompt
    time_limit_minutes: int = 15
    max_attempts: int = 3
    passing_score: float = 60


@dataclass(frozen=True)
class DemoMaterial:
    """Course material generated as a PDF (pages of paragraphs) and a DOCX (headed sections)."""

    pdf_name: str
    pdf_pages: tuple[tuple[str, str], ...]  # (heading, text) per page
    docx_name: str
    docx_sections: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DemoCourse:
    key: str  # short name used by the history and the pictures
    title: str
    slug: str
    description: str
    owner_email: str
    lessons: tuple[DemoLesson, ...]
    questions: tuple[DemoQuestion, ...]
    exams: tuple[DemoExam, ...]
    material: DemoMaterial
    essays: tuple[DemoEssay, ...] = ()
    tutor_questions: tuple[str, ...] = ()
    co_teacher_emails: tuple[str, ...] = field(default=())

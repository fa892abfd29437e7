"""Demo data for a new installation: a teacher, two students, a course, questions and an exam."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from learning_app.models.base import utc_now
from learning_app.models.content import (
    Course,
    CourseLesson,
    CourseTeacher,
    CourseTeacherRole,
    Enrollment,
    Lesson,
    PublishStatus,
)
from learning_app.models.exams import Exam, ExamQuestion, ExamType, FeedbackPolicy
from learning_app.models.progress import UserStats
from learning_app.models.questions import Question, QuestionOption, QuestionTag, QuestionType, Tag
from learning_app.models.users import User, UserProfile, UserRole
from learning_app.services.accounts.passwords import hash_password
from learning_app.services.material.work_queue import ingest_lesson_later

DEMO_COURSE_TITLE = "Introduction to Python"
DEMO_DRAFT_COURSE_TITLE = "Data Structures (draft)"

# (role, email, password): printed by `learning-app seed` and `make run`, never used in production.
DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("admin", "admin@example.com", "demo-admin-1"),
    ("teacher", "teacher@example.com", "demo-teacher-1"),
    ("student", "ada@example.com", "demo-student-1"),
    ("student", "grace@example.com", "demo-student-2"),
]
_DISPLAY_NAMES = {
    "admin@example.com": "Alex Admin",
    "teacher@example.com": "Rosa Rivera",
    "ada@example.com": "Ada Lovelace",
    "grace@example.com": "Grace Hopper",
}

_LESSONS: list[tuple[str, str, str]] = [
    (
        "Variables and types",
        "Name values and learn Python's basic types.",
        "# Variables and types\n\nA **variable** names a value:\n\n```python\nage = 36\n"
        'name = "Ada"\n```\n\nPython infers the type: `int`, `float`, `str` and `bool` are the '
        "basic ones. Use `type(x)` to check.\n",
    ),
    (
        "Control flow",
        "Make decisions with if and repeat work with loops.",
        '# Control flow\n\n## Conditions\n\n```python\nif score >= 60:\n    print("passed")\n'
        'else:\n    print("try again")\n```\n\n## Loops\n\n`for` walks over a sequence; '
        "`while` repeats until a condition is false.\n",
    ),
    (
        "Functions",
        "Package reusable steps into functions.",
        "# Functions\n\n```python\ndef area(width: float, height: float) -> float:\n"
        "    return width * height\n```\n\nA function takes **parameters** and may "
        "**return** a value. Without `return`, it returns `None`.\n",
    ),
]


def _account(session: Session, email: str, password: str, role: UserRole) -> User:
    user = User(email=email, password_hash=hash_password(password), email_verified_at=utc_now())
    session.add(user)
    session.flush()
    session.add(UserProfile(user_id=user.id, role=role, display_name=_DISPLAY_NAMES[email]))
    session.add(UserStats(user_id=user.id))
    return user


def _questions(session: Session, course: Course, teacher: User) -> list[Question]:
    basics = Tag(course_id=course.id, name="basics")
    session.add(basics)
    single = Question(
        course_id=course.id,
        author_id=teacher.id,
        type=QuestionType.SINGLE_CHOICE,
        prompt_markdown="Which type does `3.5` have?",
        explanation_markdown="Numbers with a decimal point are `float`.",
    )
    multiple = Question(
        course_id=course.id,
        author_id=teacher.id,
        type=QuestionType.MULTIPLE_CHOICE,
        prompt_markdown="Which of these are loops in Python?",
        points=2,
        explanation_markdown="`for` and `while` are loops; `if` is a condition.",
    )
    true_false = Question(
        course_id=course.id,
        author_id=teacher.id,
        type=QuestionType.TRUE_FALSE,
        prompt_markdown="A function without `return` returns `None`.",
        explanation_markdown="Falling off the end of a function returns `None`.",
    )
    short = Question(
        course_id=course.id,
        author_id=teacher.id,
        type=QuestionType.SHORT_ANSWER,
        prompt_markdown="Which built-in function tells you the type of a value?",
        accepted_answers=["type", "type()"],
        explanation_markdown="`type(x)` returns the type of `x`.",
    )
    numeric = Question(
        course_id=course.id,
        author_id=teacher.id,
        type=QuestionType.NUMERIC,
        prompt_markdown="What does `area(2.5, 4)` return?",
        numeric_answer=10.0,
        numeric_tolerance=0.01,
        explanation_markdown="2.5 * 4 = 10.",
    )
    essay = Question(
        course_id=course.id,
        author_id=teacher.id,
        type=QuestionType.ESSAY,
        points=3,
        prompt_markdown="Explain in a few sentences why functions make code easier to test.",
        explanation_markdown="Small functions with clear inputs and outputs can be checked alone.",
    )
    questions = [single, multiple, true_false, short, numeric, essay]
    session.add_all(questions)
    session.flush()
    options = {
        single.id: [("int", False), ("float", True), ("str", False)],
        multiple.id: [("for", True), ("while", True), ("if", False)],
        true_false.id: [("True", True), ("False", False)],
    }
    for question_id, choices in options.items():
        session.add_all(
            QuestionOption(question_id=question_id, body=body, is_correct=correct, position=i)
            for i, (body, correct) in enumerate(choices)
        )
    session.flush()
    session.add_all(QuestionTag(question_id=q.id, tag_id=basics.id) for q in questions)
    return questions


def seed_demo_data(session: Session) -> bool:
    """Write the demo data into an empty database; return False (and write nothing) otherwise."""
    if session.exec(select(User.id).limit(1)).first() is not None:
        return False
    accounts = {
        email: _account(session, email, password, UserRole(role))
        for role, email, password in DEMO_LOGINS
    }
    teacher = accounts["teacher@example.com"]
    now = utc_now()

    course = Course(
        owner_id=teacher.id,
        title=DEMO_COURSE_TITLE,
        slug="introduction-to-python",
        description="Variables, control flow and functions: your first steps in Python.",
        status=PublishStatus.PUBLISHED,
        is_public=True,
        published_at=now,
    )
    draft = Course(
        owner_id=teacher.id,
        title=DEMO_DRAFT_COURSE_TITLE,
        slug="data-structures",
        description="Lists, dictionaries and sets. Not published yet.",
    )
    session.add_all([course, draft])
    session.flush()
    session.add_all(
        CourseTeacher(course_id=c.id, user_id=teacher.id, role=CourseTeacherRole.OWNER)
        for c in (course, draft)
    )
    for position, (title, summary, body) in enumerate(_LESSONS):
        lesson = Lesson(
            owner_id=teacher.id,
            title=title,
            summary=summary,
            body_markdown=body,
            status=PublishStatus.PUBLISHED,
            estimated_minutes=10,
            published_at=now,
        )
        session.add(lesson)
        session.flush()
        session.add(CourseLesson(course_id=course.id, lesson_id=lesson.id, position=position))
        # The tutor answers from the lessons once a worker has ingested them (`make run`
        # starts one), as it would after a teacher saved them.
        ingest_lesson_later(session, lesson.id)

    questions = _questions(session, course, teacher)
    exam = Exam(
        course_id=course.id,
        author_id=teacher.id,
        title="Python basics quiz",
        description="Six questions on the first three lessons.",
        type=ExamType.QUIZ,
        time_limit_minutes=15,
        max_attempts=3,
        opens_at=now - timedelta(days=1),
        passing_score=60,
        shuffle_options=True,
        feedback_policy=FeedbackPolicy.AFTER_SUBMIT,
        status=PublishStatus.PUBLISHED,
        published_at=now,
    )
    session.add(exam)
    session.flush()
    session.add_all(
        ExamQuestion(exam_id=exam.id, question_id=q.id, position=i) for i, q in enumerate(questions)
    )
    session.add(Enrollment(course_id=course.id, user_id=accounts["ada@example.com"].id))
    session.flush()
    return True

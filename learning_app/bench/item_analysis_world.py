"""The world of `learning-app bench item-analysis`, generated inside Postgres and dropped after.

One published course taught by one teacher, with N students enrolled (2,000 by default) and:

- the analysed exam: 40 questions (single choice with 4 options, every tenth a multiple choice
  worth 2 points with 2 correct options) and M graded attempts (10,000 by default: the
  students take it in turns, several attempts each, as an unlimited practice exam allows);
- `OTHER_EXAMS` more exams of `OTHER_QUESTIONS` questions, one graded attempt per student each,
  so the course's gradebook has several columns.

Answers follow a two-parameter logistic model: a student of ability `a` (normal, drawn once per
student) gets question `q` right with probability `1 / (1 + exp(-slope_q * (a - difficulty_q)))`.
Difficulties spread from easy to hard, so item analysis finds questions too easy and too hard;
two questions have a negative slope (an answer key that rewards weak students) and one a slope
of 0 (a coin toss), so it finds those too. A wrong answer picks a wrong option at random.

Everything is one transaction of `INSERT ... SELECT` over `generate_series` (no row goes through
Python), followed by VACUUM ANALYZE as autovacuum would do some minutes later.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from learning_app.adapters.postgres import session_scope
from learning_app.bench.fixtures import vacuum_analyze

QUESTIONS = 40
OTHER_EXAMS = 3
OTHER_QUESTIONS = 10
NEGATIVE_ITEMS = (13, 31)  # positions whose "correct" option is the one weak students pick
FLAT_ITEM = 22  # position answered right half the time whoever answers it

_LOAD = [
    """INSERT INTO "user" (id, email, email_verified_at)
       VALUES (:teacher, :prefix || 'teacher@example.test', now())""",
    """INSERT INTO user_profile (user_id, role, display_name)
       VALUES (:teacher, 'teacher', 'Bench teacher')""",
    """INSERT INTO course (id, owner_id, title, slug, status, published_at)
       VALUES (:course, :teacher, 'Bench item analysis', :prefix || 'course', 'published',
               now() - interval '1 year')""",
    """INSERT INTO course_teacher (course_id, user_id, role) VALUES (:course, :teacher, 'owner')""",
    # Box-Muller: a standard normal ability per student (1 - random() is never 0).
    """CREATE TEMP TABLE bench_students ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, g AS n,
              sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS ability
       FROM generate_series(0, :students - 1) g""",
    """INSERT INTO "user" (id, email, email_verified_at)
       SELECT id, :prefix || 's' || n || '@example.test', now() FROM bench_students""",
    """INSERT INTO user_profile (user_id, role, display_name)
       SELECT id, 'student', 'Student ' || n FROM bench_students""",
    """INSERT INTO enrollment (id, course_id, user_id, enrolled_at)
       SELECT gen_random_uuid(), :course, id, now() - interval '300 days' FROM bench_students""",
    """CREATE TEMP TABLE bench_exams ON COMMIT DROP AS
       SELECT CASE WHEN g = 0 THEN CAST(:exam AS uuid) ELSE gen_random_uuid() END AS id, g AS no,
              CASE WHEN g = 0 THEN :questions ELSE :other_questions END AS questions
       FROM generate_series(0, :other_exams) g""",
    """INSERT INTO exam (id, course_id, author_id, title, type, status, published_at, created_at)
       SELECT id, :course, :teacher,
              CASE WHEN no = 0 THEN 'Analysed exam' ELSE 'Quiz ' || no END,
              CASE WHEN no = 0 THEN 'practice' ELSE 'quiz' END::exam_type, 'published',
              now() - interval '200 days', now() - interval '200 days' + no * interval '1 day'
       FROM bench_exams""",
    """CREATE TEMP TABLE bench_questions ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, x.id AS exam_id, p AS position,
              -2.5 + 5.0 * p / greatest(x.questions - 1, 1) AS difficulty,
              CASE WHEN x.no = 0 AND p = ANY(CAST(:negative AS int[])) THEN -0.8
                   WHEN x.no = 0 AND p = :flat THEN 0.0 ELSE 1.5 END AS slope,
              (p * 7) % 4 AS correct_pos, x.no = 0 AND p % 10 = 9 AS multiple,
              CASE WHEN x.no = 0 AND p % 10 = 9 THEN 2.0 ELSE 1.0 END AS points,
              ARRAY[gen_random_uuid(), gen_random_uuid(), gen_random_uuid(),
                    gen_random_uuid()] AS option_ids
       FROM bench_exams x CROSS JOIN LATERAL generate_series(0, x.questions - 1) p""",
    """INSERT INTO question (id, course_id, author_id, type, prompt_markdown, points)
       SELECT id, :course, :teacher,
              CASE WHEN multiple THEN 'multiple_choice' ELSE 'single_choice' END::question_type,
              'Bench question ' || position || ' of ' || exam_id, points
       FROM bench_questions""",
    """INSERT INTO question_option (id, question_id, body, is_correct, position)
       SELECT q.option_ids[o + 1], q.id, 'Option ' || chr(65 + o),
              o = q.correct_pos OR (q.multiple AND o = (q.correct_pos + 1) % 4), o
       FROM bench_questions q CROSS JOIN generate_series(0, 3) o""",
    """INSERT INTO exam_question (exam_id, question_id, position)
       SELECT exam_id, id, position FROM bench_questions""",
    # Attempt g of the analysed exam is student g % N's attempt number g / N + 1; every
    # student takes each other exam once.
    """CREATE TEMP TABLE bench_attempts ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, CAST(:exam AS uuid) AS exam_id, s.id AS user_id,
              g / :students + 1 AS attempt_number, s.ability
       FROM generate_series(0, :attempts - 1) g JOIN bench_students s ON s.n = g % :students
       UNION ALL
       SELECT gen_random_uuid(), x.id, s.id, 1, s.ability
       FROM bench_exams x CROSS JOIN bench_students s WHERE x.no > 0""",
    """CREATE TEMP TABLE bench_answers ON COMMIT DROP AS
       SELECT a.id AS attempt_id, q.id AS question_id, q.multiple, q.points, q.correct_pos,
              q.option_ids, random() < 1 / (1 + exp(-q.slope * (a.ability - q.difficulty)))
                  AS correct,
              random() AS pick
       FROM bench_attempts a JOIN bench_questions q ON q.exam_id = a.exam_id""",
    """CREATE TEMP TABLE bench_order ON COMMIT DROP AS
       SELECT exam_id, sum(points) AS max_score,
              jsonb_agg(jsonb_build_object('question_id', id, 'option_ids', to_jsonb(option_ids),
                                           'points', points) ORDER BY position) AS question_order
       FROM bench_questions GROUP BY exam_id""",
    # Multiple choice, wrong: half pick one correct option only (half the points), half one
    # correct and one wrong option (nothing); see the README's partial-credit rule.
    """INSERT INTO exam_attempt (id, exam_id, user_id, attempt_number, status, started_at,
                                 submitted_at, graded_at, score, max_score, percent, passed,
                                 question_order)
       SELECT a.id, a.exam_id, a.user_id, a.attempt_number, 'graded', t.at, t.at, t.at,
              s.score, o.max_score, round((100 * s.score / o.max_score)::numeric, 2),
              100 * s.score / o.max_score >= 60, o.question_order
       FROM bench_attempts a
       JOIN bench_order o ON o.exam_id = a.exam_id
       JOIN (SELECT attempt_id,
                    sum(CASE WHEN correct THEN points WHEN multiple AND pick < 0.5 THEN 1
                             ELSE 0 END) AS score
             FROM bench_answers GROUP BY attempt_id) s ON s.attempt_id = a.id
       CROSS JOIN LATERAL (SELECT now() - interval '100 days'
                                  + a.attempt_number * interval '1 day'
                                  + random() * interval '12 hours' AS at) t""",
    """INSERT INTO attempt_answer (id, attempt_id, question_id, response, is_correct,
                                   points_awarded, graded_at, answered_at)
       SELECT gen_random_uuid(), attempt_id, question_id,
              CASE WHEN NOT multiple THEN jsonb_build_object('option_id',
                       option_ids[1 + CASE WHEN correct THEN correct_pos
                                      ELSE (correct_pos + 1 + floor(pick * 3)::int) % 4 END])
                   WHEN correct THEN jsonb_build_object('option_ids', jsonb_build_array(
                       option_ids[1 + correct_pos], option_ids[1 + (correct_pos + 1) % 4]))
                   WHEN pick < 0.5 THEN jsonb_build_object('option_ids', jsonb_build_array(
                       option_ids[1 + correct_pos]))
                   ELSE jsonb_build_object('option_ids', jsonb_build_array(
                       option_ids[1 + correct_pos], option_ids[1 + (correct_pos + 2) % 4]))
              END,
              correct,
              CASE WHEN correct THEN points WHEN multiple AND pick < 0.5 THEN 1 ELSE 0 END,
              now(), now()
       FROM bench_answers""",
]

_DROP = [
    """DELETE FROM exam_attempt WHERE exam_id IN
       (SELECT x.id FROM exam x JOIN course c ON c.id = x.course_id WHERE c.slug LIKE :p)""",
    """DELETE FROM course WHERE slug LIKE :p""",
    """DELETE FROM "user" WHERE email LIKE :p""",
]

_TOUCHED = (
    '"user"',
    "user_profile",
    "course",
    "course_teacher",
    "enrollment",
    "exam",
    "question",
    "question_option",
    "exam_question",
    "exam_attempt",
    "attempt_answer",
)


@dataclass(frozen=True)
class ItemAnalysisWorld:
    key: str
    course_id: uuid.UUID
    exam_id: uuid.UUID
    teacher_id: uuid.UUID
    students: int
    attempts: int
    load_s: float
    vacuum_s: float


def load_world(*, students: int, attempts: int) -> ItemAnalysisWorld:
    """Generate the world (one transaction: a failed load leaves nothing), then vacuum."""
    if students < 1 or attempts < 1:
        raise ValueError("students and attempts must be at least 1")
    key = uuid.uuid4().hex[:8]
    course, exam, teacher = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    params: dict[str, object] = {
        "prefix": f"bench-items-{key}-",
        "course": course,
        "exam": exam,
        "teacher": teacher,
        "students": students,
        "attempts": attempts,
        "questions": QUESTIONS,
        "other_exams": OTHER_EXAMS,
        "other_questions": OTHER_QUESTIONS,
        "negative": list(NEGATIVE_ITEMS),
        "flat": FLAT_ITEM,
    }
    start = time.perf_counter()
    with session_scope() as session:
        for statement in _LOAD:
            session.execute(sa.text(statement), params)
    load_s = time.perf_counter() - start
    vacuum_s = vacuum_analyze(_TOUCHED)
    return ItemAnalysisWorld(
        key, course, exam, teacher, students, attempts, round(load_s, 1), round(vacuum_s, 1)
    )


def drop_world(world: ItemAnalysisWorld) -> float:
    """Delete every row of the world; returns the seconds it took."""
    start = time.perf_counter()
    with session_scope() as session:
        for statement in _DROP:
            session.execute(sa.text(statement), {"p": f"bench-items-{world.key}-%"})
    return round(time.perf_counter() - start, 1)

"""The world `learning-app bench review` measures in: N students (default 10,000) with M memory
states each (default 500), i.e. 5 million `review_card` rows, generated inside Postgres with
`generate_series` in one transaction (all or nothing), straight into the real schema and its
indexes, as the app would hold them.

Shape: a teacher with 20 published courses of 10 lessons; each course has 120 items, 100
flashcards and 20 numeric questions interleaved, spread over its lessons. Student n is
enrolled in courses n, n+7, n+14, ... (mod 20): in the first ceil(M / 120) of them they have
opened every lesson and hold memory states of the first items in order; in one more they have
just started (two lessons opened, no states), so everyone also has new cards waiting.

Memory states: 1 % learning and 2 % relearning (minutes-long steps, so due now), the rest in
review with a stability of 1-60 days. Each student has their own share of review cards due
(1-9 %, an irregular reviewer has more), overdue by up to three weeks; the others are due up to
four months ahead. That puts ~40 (20-60) states in a typical student's queue today. One card in
ten has its last review logged. States are generated item by item across all students, so one
student's 500 rows lie on ~500 different pages, as after months of use (a review moves its row),
not packed into a few pages that one read would bring into the cache.

Every name carries the key `review-<N>x<M>`: with `--keep` the world stays, and the next run
of the same size finds it (by the marker in its courses' descriptions) instead of loading it
again. Without it the world is deleted at the end.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from learning_app.adapters.postgres import session_scope
from learning_app.bench.fixtures import vacuum_analyze

COURSES = 20
LESSONS_PER_COURSE = 10
ITEMS_PER_COURSE = 120  # every 6th item is a question: 100 flashcards and 20 questions
# Course slots of one student are n + j * STRIDE (mod COURSES); STRIDE is coprime with
# COURSES, so a student's slots are distinct courses.
STRIDE = 7
LOGGED_ONE_IN = 10
ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "Australia/Sydney",
)


@dataclass(frozen=True)
class ReviewWorld:
    """A loaded (or found) world: its key, and how long loading it took (0 when found)."""

    key: str
    students: int
    cards_per_student: int
    load_s: float
    vacuum_s: float
    reused: bool

    @property
    def prefix(self) -> str:
        """The start of every email and slug of this world."""
        return f"bench-{self.key}-"


def world_key(students: int, cards_per_student: int) -> str:
    return f"review-{students}x{cards_per_student}"


def _marker(key: str) -> str:
    # A run that fails mid-load rolls back entirely; a course with this description is a
    # world that finished loading.
    return f"bench {key}: complete"


def state_slots(cards_per_student: int) -> int:
    """How many courses of a student hold memory states."""
    return -(-cards_per_student // ITEMS_PER_COURSE)


def check_size(students: int, cards_per_student: int) -> None:
    if students < 1 or cards_per_student < 1:
        raise ValueError("students and cards per student must be at least 1")
    if state_slots(cards_per_student) + 1 > COURSES:
        most = (COURSES - 1) * ITEMS_PER_COURSE
        raise ValueError(f"at most {most} cards per student ({COURSES} courses)")


_LOAD = [
    """INSERT INTO "user" (id, email, email_verified_at)
       VALUES (:teacher, :prefix || 'teacher@example.test', now())""",
    """INSERT INTO user_profile (user_id, role, display_name)
       VALUES (:teacher, 'teacher', 'Bench teacher')""",
    """INSERT INTO user_stats (user_id) VALUES (:teacher)""",
    """CREATE TEMP TABLE bench_courses ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, g AS no FROM generate_series(0, :courses - 1) g""",
    """INSERT INTO course (id, owner_id, title, slug, description, status, published_at)
       SELECT id, :teacher, 'Bench review course ' || (no + 1), :prefix || no, :marker,
              'published', now() - interval '1 year'
       FROM bench_courses""",
    """INSERT INTO course_teacher (course_id, user_id, role)
       SELECT id, :teacher, 'owner' FROM bench_courses""",
    """CREATE TEMP TABLE bench_lessons ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, c.id AS course_id, c.no AS course_no, p AS position
       FROM bench_courses c CROSS JOIN generate_series(0, :lessons - 1) p""",
    """INSERT INTO lesson (id, owner_id, title, status, published_at)
       SELECT id, :teacher, 'Lesson ' || (position + 1), 'published', now() FROM bench_lessons""",
    """INSERT INTO course_lesson (course_id, lesson_id, position)
       SELECT course_id, id, position FROM bench_lessons""",
    """CREATE TEMP TABLE bench_items ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, l.course_id, l.course_no, k AS item_no,
              k % 6 = 5 AS is_question, l.id AS lesson_id
       FROM generate_series(0, :items - 1) k
       JOIN bench_lessons l ON l.position = k * :lessons / :items""",
    """INSERT INTO flashcard (id, course_id, lesson_id, author_id, front_markdown,
                             back_markdown, created_at, updated_at)
       SELECT id, course_id, lesson_id, :teacher, 'Front ' || item_no, 'Back ' || item_no,
              now() - interval '1 year' + item_no * interval '1 minute',
              now() - interval '1 year'
       FROM bench_items WHERE NOT is_question""",
    """INSERT INTO question (id, course_id, author_id, type, prompt_markdown, numeric_answer)
       SELECT id, course_id, :teacher, 'numeric', 'Question ' || item_no, item_no
       FROM bench_items WHERE is_question""",
    """CREATE TEMP TABLE bench_students ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, g AS n, 0.01 + random() * 0.08 AS due_share
       FROM generate_series(0, :students - 1) g""",
    """INSERT INTO "user" (id, email, email_verified_at)
       SELECT id, :prefix || 's' || n || '@example.test', now() FROM bench_students""",
    """INSERT INTO user_profile (user_id, role, display_name, timezone)
       SELECT id, 'student', 'Student ' || n, (CAST(:zones AS text[]))[1 + n % :zone_count]
       FROM bench_students""",
    """INSERT INTO user_stats (user_id) SELECT id FROM bench_students""",
    """ANALYZE bench_courses""",
    """ANALYZE bench_items""",
    """ANALYZE bench_students""",
    # Slots 0 .. slots-1 hold memory states, slot `slots` is the course just started.
    """INSERT INTO enrollment (id, course_id, user_id, enrolled_at)
       SELECT gen_random_uuid(), c.id, s.id,
              now() - (:slots + 1 - j) * interval '40 days'
       FROM bench_students s CROSS JOIN generate_series(0, :slots) j
       JOIN bench_courses c ON c.no = (s.n + j * :stride) % :courses""",
    """INSERT INTO lesson_progress (id, user_id, lesson_id, course_id, status,
                                   first_viewed_at, last_viewed_at, completed_at)
       SELECT gen_random_uuid(), s.id, l.id, l.course_id,
              CASE WHEN j < :slots THEN 'completed' ELSE 'in_progress' END
                  ::lesson_progress_status,
              now() - interval '30 days', now() - interval '2 days',
              CASE WHEN j < :slots THEN now() - interval '20 days' END
       FROM bench_students s CROSS JOIN generate_series(0, :slots) j
       JOIN bench_lessons l ON l.course_no = (s.n + j * :stride) % :courses
       WHERE j < :slots OR l.position < 2""",
    # Three levels: random draws (a volatile select list is evaluated per row), then the
    # state and due moment they give, then the remaining columns that follow from those.
    """INSERT INTO review_card (id, user_id, course_id, flashcard_id, question_id, state, step,
                               stability, difficulty, due, last_review, reps, lapses,
                               created_at, updated_at)
       SELECT gen_random_uuid(), user_id, course_id,
              CASE WHEN NOT is_question THEN item_id END,
              CASE WHEN is_question THEN item_id END,
              state,
              CASE state WHEN 2 THEN NULL WHEN 3 THEN 0 ELSE floor(r_gap * 2)::int END,
              CASE WHEN state = 2 THEN gap_days * (0.8 + 0.4 * r_diff) ELSE 0.3 + 3 * r_gap END,
              2 + 7 * r_diff,
              due,
              last_review,
              CASE WHEN state = 1 THEN 1 ELSE 2 + floor(r_gap * 12)::int END,
              CASE WHEN state = 3 THEN 1 + floor(r_diff * 3)::int
                   ELSE floor(r_diff * r_diff * 3)::int END,
              LEAST(last_review, now() - interval '1 day'
                    - (1 - k::float8 / :cards) * interval '300 days'),
              last_review
       FROM (
           SELECT *,
                  CASE WHEN state = 2 THEN LEAST(due - gap_days * interval '1 day',
                                                 now() - interval '1 hour')
                       ELSE due - interval '10 minutes' END AS last_review
           FROM (
               SELECT k, user_id, course_id, item_id, is_question, r_gap, r_diff,
                      1 + r_gap * 59 AS gap_days,
                      CASE WHEN r_state < 0.01 THEN 1 WHEN r_state < 0.03 THEN 3 ELSE 2 END
                          AS state,
                      CASE WHEN r_state < 0.03 THEN now() - r_due * interval '3 days'
                           WHEN r_due < due_share
                               THEN now() + interval '6 hours'
                                    - power(r_due / due_share, 2) * interval '21 days'
                           ELSE now() + interval '1 day'
                                + power((r_due - due_share) / (1 - due_share), 1.5)
                                  * interval '120 days'
                      END AS due
               FROM (
                   SELECT k.k, s.id AS user_id, s.due_share, i.course_id, i.id AS item_id,
                          i.is_question, random() AS r_state, random() AS r_due,
                          random() AS r_gap, random() AS r_diff
                   FROM generate_series(0, :cards - 1) AS k(k)
                   CROSS JOIN bench_students s
                   JOIN bench_items i ON i.course_no = (s.n + (k.k / :items) * :stride) % :courses
                                     AND i.item_no = k.k % :items
               ) draws
           ) timed
       ) states""",
    """INSERT INTO review_log (id, review_card_id, user_id, course_id, sequence, rating,
                              reviewed_at, duration_ms, state_before, step_before,
                              stability_before, difficulty_before, due_before,
                              last_review_before)
       SELECT gen_random_uuid(), rc.id, rc.user_id, rc.course_id, rc.reps - 1,
              CASE WHEN rc.state = 3 THEN 1 ELSE 3 END, rc.last_review,
              2000 + (random() * 12000)::int, 2, NULL, rc.stability / 2, rc.difficulty,
              rc.last_review, rc.last_review - interval '10 days'
       FROM review_card rc JOIN bench_courses c ON c.id = rc.course_id
       WHERE random() < 1.0 / :logged_one_in""",
]

_FIND = sa.text("SELECT count(*) FROM course WHERE slug LIKE :prefix || '%' AND description = :m")

# Deleted children first, by course, so the cascades below find nothing left to do row by row.
_DROP = [
    """DELETE FROM review_log WHERE course_id IN (SELECT id FROM course WHERE slug LIKE :p)""",
    """DELETE FROM review_card WHERE course_id IN (SELECT id FROM course WHERE slug LIKE :p)""",
    """DELETE FROM lesson_progress
       WHERE course_id IN (SELECT id FROM course WHERE slug LIKE :p)""",
    """DELETE FROM enrollment WHERE course_id IN (SELECT id FROM course WHERE slug LIKE :p)""",
    """DELETE FROM course WHERE slug LIKE :p""",
    """DELETE FROM lesson WHERE owner_id IN (SELECT id FROM "user" WHERE email LIKE :p)""",
    """DELETE FROM "user" WHERE email LIKE :p""",
]

_TOUCHED = (
    '"user"',
    "user_profile",
    "user_stats",
    "course",
    "lesson",
    "course_lesson",
    "flashcard",
    "question",
    "enrollment",
    "lesson_progress",
    "review_card",
    "review_log",
)


def find_or_load_world(students: int, cards_per_student: int) -> ReviewWorld:
    """The world of this size: found if a kept one exists, loaded otherwise (a half-loaded one
    cannot exist: the load is one transaction)."""
    check_size(students, cards_per_student)
    key = world_key(students, cards_per_student)
    prefix = f"bench-{key}-"
    with session_scope() as session:
        found = session.execute(_FIND, {"prefix": prefix, "m": _marker(key)}).scalar()
    if found == COURSES:
        return ReviewWorld(key, students, cards_per_student, 0.0, 0.0, reused=True)
    drop_world(key)  # leftovers of an interrupted drop
    params: dict[str, object] = {
        "teacher": uuid.uuid4(),
        "prefix": prefix,
        "marker": _marker(key),
        "courses": COURSES,
        "lessons": LESSONS_PER_COURSE,
        "items": ITEMS_PER_COURSE,
        "students": students,
        "cards": cards_per_student,
        "slots": state_slots(cards_per_student),
        "stride": STRIDE,
        "zones": list(ZONES),
        "zone_count": len(ZONES),
        "logged_one_in": LOGGED_ONE_IN,
    }
    start = time.perf_counter()
    with session_scope() as session:
        for statement in _LOAD:
            session.execute(sa.text(statement), params)
    load_s = time.perf_counter() - start
    vacuum_s = vacuum_analyze(_TOUCHED)
    return ReviewWorld(
        key, students, cards_per_student, round(load_s, 1), round(vacuum_s, 1), reused=False
    )


def drop_world(key: str) -> float:
    """Delete every row of the world `key`; returns the seconds it took."""
    start = time.perf_counter()
    pattern = f"bench-{key}-%"
    with session_scope() as session:
        for statement in _DROP:
            session.execute(sa.text(statement), {"p": pattern})
    return round(time.perf_counter() - start, 1)

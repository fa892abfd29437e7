"""Experience points: every rule that earns XP, in one place.

XP is derived from the raw events, never added up incrementally, so changing a rule here and
recomputing (`learning-app events recompute-stats`) gives everyone the figure the new rules
say. Rules count first times only: reopening a lesson or retaking a passed exam earns nothing
more, so XP cannot be farmed.
"""

from __future__ import annotations

from dataclasses import dataclass

XP_RULES: dict[str, int] = {
    # per lesson completed, the first time, in each course it belongs to
    "lesson_completed": 10,
    # per exam passed, the first time
    "exam_passed": 50,
    # per calendar day (in the student's time zone) with any activity
    "active_day": 2,
}


@dataclass(frozen=True)
class Achievements:
    lessons_completed: int
    exams_passed: int
    active_days: int


def xp_for(done: Achievements) -> int:
    return (
        XP_RULES["lesson_completed"] * done.lessons_completed
        + XP_RULES["exam_passed"] * done.exams_passed
        + XP_RULES["active_day"] * done.active_days
    )

"""How the item-analysis section words its figures: no verdict on alpha from a handful of
attempts, and an answer count that says how many essays are marked."""

from __future__ import annotations

from learning_app.pages.progress.item_analysis_rows import FIRM_ATTEMPTS, alpha_words, answers_text
from learning_app.services.exams.item_analysis import ItemStatistics


def _item(answers: int, marked: int) -> ItemStatistics:
    return ItemStatistics(
        question_id="q",
        number=1,
        prompt="Why write tests?",
        type="essay",
        points=2,
        answers=answers,
        marked=marked,
        blank=0,
        facility=50.0,
        discrimination=None,
    )


def test_alpha_gets_a_verdict_only_from_enough_graded_attempts() -> None:
    assert "even for a final" in alpha_words(0.85, FIRM_ATTEMPTS)
    few = alpha_words(0.85, 3)
    assert "only 3 graded attempts" in few and "first impression" in few
    assert "even for a final" not in few
    assert alpha_words(None, 100) == ""


def test_answers_say_how_many_are_marked_while_essays_wait() -> None:
    assert answers_text(_item(3, 2)) == "3 (2 marked)"
    assert answers_text(_item(3, 3)) == "3"

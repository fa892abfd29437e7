"""What the item-analysis section shows of an exam's figures, as rows of text: each question's
figures, the flagged ones in the order to look at them, and alpha in plain words."""

from __future__ import annotations

from dataclasses import dataclass, field

from learning_app.services.exams.item_analysis import ItemStatistics

NO_FIGURE = "—"
TYPE_NAMES = {
    "single_choice": "Single choice",
    "multiple_choice": "Multiple choice",
    "true_false": "True/false",
    "short_answer": "Short answer",
    "numeric": "Numeric",
    "essay": "Essay",
}
# Below this many graded attempts alpha and discrimination move a lot with each new attempt
# (their standard errors shrink with the square root of the count), so the page gives them
# as a first impression rather than a verdict.
FIRM_ATTEMPTS = 30
# Shown beside a question no teacher wrote (QuestionOrigin); written ones show nothing.
ORIGIN_NOTES = {"drafted": "Drafted by the language model", "imported": "Imported"}


@dataclass(frozen=True)
class OptionRow:
    text: str  # "float (correct)"
    picks: str  # "5 (100.0%)"


@dataclass(frozen=True)
class ItemRow:
    label: str  # "Q3"
    prompt: str
    type_name: str
    facility: str
    discrimination: str
    answers: str  # "12", or "12 (10 marked)"
    flags: list[str] = field(default_factory=list)
    options: list[OptionRow] = field(default_factory=list)
    origin_note: str = ""


@dataclass(frozen=True)
class ReviewRow:
    """A flagged question in the order to look at it: "Q3 · Drafted by the language model"."""

    label: str
    reasons: str  # the flags' reasons, joined


def review_row(item: ItemStatistics) -> ReviewRow:
    note = ORIGIN_NOTES.get(item.origin)
    label = f"Q{item.number} · {note}" if note else f"Q{item.number}"
    return ReviewRow(label, "; ".join(flag.reason for flag in item.flags))


def figure(value: float | None, unit: str = "") -> str:
    return NO_FIGURE if value is None else f"{value:.1f}{unit}"


def item_row(item: ItemStatistics) -> ItemRow:
    return ItemRow(
        label=f"Q{item.number}",
        prompt=item.prompt,
        type_name=TYPE_NAMES.get(item.type, item.type),
        facility=figure(item.facility, "%"),
        discrimination=figure(item.discrimination),
        answers=answers_text(item),
        flags=[flag.reason for flag in item.flags],
        origin_note=ORIGIN_NOTES.get(item.origin, ""),
        options=[
            OptionRow(
                f"{o.text} (correct)" if o.is_correct else o.text, f"{o.picks} ({o.percent:.1f}%)"
            )
            for o in item.options
        ],
    )


def answers_text(item: ItemStatistics) -> str:
    """ "12", or "12 (10 marked)" while essays wait: the facility counts marked answers only."""
    if item.marked < item.answers:
        return f"{item.answers} ({item.marked} marked)"
    return str(item.answers)


def alpha_words(alpha: float | None, graded: int) -> str:
    """What alpha says about the scores, for a teacher who has not met the statistic; no
    verdict from fewer than `FIRM_ATTEMPTS` graded attempts."""
    if alpha is None:
        return ""
    if graded < FIRM_ATTEMPTS:
        verdict = (
            f"With only {graded} graded attempts it can still change a lot with each new one: "
            "read it, and the discrimination figures, as a first impression."
        )
    elif alpha >= 0.8:
        verdict = "The scores are consistent enough to grade on, even for a final."
    elif alpha >= 0.7:
        verdict = "The scores are consistent enough for a class test."
    elif alpha >= 0.5:
        verdict = "The scores are only somewhat consistent: flagged questions are worth a look."
    else:
        verdict = (
            "The scores depend a lot on which questions were asked: fix or replace the flagged "
            "questions before relying on this exam."
        )
    return (
        "Cronbach's alpha says how consistently the questions measure the same thing, from 0 "
        "(not at all) to 1 (perfectly). " + verdict
    )

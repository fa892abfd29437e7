"""Item analysis of an exam for its teachers: which questions work, after Moodle's quiz statistics.

Definitions (the aggregates come from `item_statistics`, computed by Postgres):

- **Facility** of a question: the mean score on it as a percent of its points
  (100 x avg(points awarded) / points). For a right-or-wrong question, the share who got it right.
  A question's points are what the exam gives it now (its override in the exam, else the draw
  rule's, else the question's own); points are locked once a question has been answered.
- **Discrimination index**: 100 x the Pearson correlation of the points on the question with
  the score on the rest of the test (the attempt's score minus this question), over graded
  attempts. Near 100: strong students get it right and weak ones do not; below 0: the reverse.
- **Cronbach's alpha** (KR-20 when every question is right-or-wrong):
  k / (k - 1) x (1 - sum of the k questions' score variances / variance of the total scores),
  over graded attempts, sample variances. It needs every graded attempt to have answered the
  same k questions, so an exam that draws questions at random (or was changed between
  attempts) gets no alpha, only a note saying why; each drawn question still gets its own
  facility and discrimination over the attempts that drew it.

Flags (after Moodle's documentation of the statistics report; only with `MIN_ANSWERS_TO_FLAG`
marked answers, below which one student moves a figure by 20 points): facility at or above
`TOO_EASY`, at or below `TOO_HARD`, a discrimination index below 0 (check the answer key) or
below `WEAK_DISCRIMINATION` (Moodle calls 0-19 "very weak"). `to_review` lists the flagged
questions in the order to look at them: the ones no teacher wrote first (drafted by the
language model, then imported), each group in the exam's order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from learning_app.models.exams import Exam
from learning_app.models.questions import QuestionOrigin, QuestionType
from learning_app.services.access.courses import require_course_editor
from learning_app.services.access.exams import load_exam
from learning_app.services.access.roles import require_viewer
from learning_app.services.errors import PermissionDenied
from learning_app.services.exams.item_statistics import (
    ExamFigures,
    ItemFigures,
    exam_figures,
    forget_figures,
)
from learning_app.services.markdown_render import render_plain

NOT_A_TEACHER = "Only the course's teachers can see its item analysis."
TOO_EASY = 90.0  # Moodle: 90-94% "very easy", 95-100% "extremely easy"
TOO_HARD = 20.0  # Moodle: 11-20% "difficult", 6-10% "very difficult"
WEAK_DISCRIMINATION = 20.0  # Moodle: 0-19 "very weak", negative "probably invalid"
MIN_ANSWERS_TO_FLAG = 5
PROMPT_EXCERPT = 80
# Types scored right or wrong, for which facility reads "n% got it right".
RIGHT_OR_WRONG = {
    QuestionType.SINGLE_CHOICE.value,
    QuestionType.TRUE_FALSE.value,
    QuestionType.SHORT_ANSWER.value,
    QuestionType.NUMERIC.value,
}


@dataclass(frozen=True)
class OptionFrequency:
    option_id: str
    text: str
    is_correct: bool
    picks: int
    percent: float  # of the question's answers; multiple choice can add up to more than 100


@dataclass(frozen=True)
class ItemFlag:
    kind: str  # "too_easy", "too_hard", "negative", "no_discrimination"
    reason: str


@dataclass(frozen=True)
class ItemStatistics:
    question_id: str
    number: int  # 1-based, in the exam's order; drawn questions follow the fixed ones
    prompt: str  # an excerpt in plain words
    type: str
    points: float
    answers: int  # answers in counted attempts, blanks and unmarked essays included
    marked: int
    blank: int
    facility: float | None  # percent, 1 decimal
    discrimination: float | None  # -100..100, 1 decimal; None when a score never varies
    options: list[OptionFrequency] = field(default_factory=list)
    flags: list[ItemFlag] = field(default_factory=list)
    origin: str = QuestionOrigin.WRITTEN.value  # written, drafted or imported


# Which flagged questions a teacher should look at first: those no teacher wrote.
_REVIEW_PRIORITY = {QuestionOrigin.DRAFTED.value: 0, QuestionOrigin.IMPORTED.value: 1}


def to_review(items: list[ItemStatistics]) -> list[ItemStatistics]:
    """The flagged items, drafted ones first, then imported, then written; each in exam order."""
    flagged = [item for item in items if item.flags]
    return sorted(flagged, key=lambda item: (_REVIEW_PRIORITY.get(item.origin, 2), item.number))


@dataclass(frozen=True)
class ItemAnalysis:
    exam_id: str
    title: str
    attempts: int  # submitted attempts counted: graded or awaiting grading
    graded: int
    mean_percent: float | None
    sd_percent: float | None
    alpha: float | None  # 3 decimals
    alpha_note: str  # why alpha is missing, "" when it is there
    items: list[ItemStatistics]
    computed_at: float  # epoch seconds of the figures (kept up to RECOMPUTE_AFTER_S)


@dataclass(frozen=True)
class ExamChoice:
    exam_id: str
    title: str


# The labels, read live on every view (a few dozen rows by primary key): edits to wording
# show at once, and the kept figures hold numbers only.
_QUESTION_LABELS = sa.text(
    """
    SELECT q.id, q.type, q.prompt_markdown, q.origin, eq.position,
           coalesce(eq.points,
                    (SELECT max(dr.points) FROM exam_draw_rule dr
                     JOIN question_tag qt ON qt.tag_id = dr.tag_id AND qt.question_id = q.id
                     WHERE dr.exam_id = :exam),
                    q.points) AS points
    FROM question q LEFT JOIN exam_question eq ON eq.question_id = q.id AND eq.exam_id = :exam
    WHERE q.id = ANY(:ids)
    """
)
_OPTION_LABELS = sa.text(
    """
    SELECT question_id, id, body, is_correct FROM question_option
    WHERE question_id = ANY(:ids) ORDER BY question_id, position
    """
)
_COURSE_EXAMS = sa.text(
    "SELECT id, title FROM exam WHERE course_id = :course ORDER BY created_at, id"
)


def _excerpt(markdown: str) -> str:
    text = render_plain(markdown[: PROMPT_EXCERPT * 20])
    return text if len(text) <= PROMPT_EXCERPT else text[: PROMPT_EXCERPT - 1] + "…"


def item_flags(
    facility: float | None, discrimination: float | None, marked: int, qtype: str
) -> list[ItemFlag]:
    """Why a question may need fixing, in words a teacher can act on."""
    if marked < MIN_ANSWERS_TO_FLAG or facility is None:
        return []
    flags = []
    scored = (
        f"{facility:.0f}% of students got it right"
        if qtype in RIGHT_OR_WRONG
        else (f"students scored {facility:.0f}% on it on average")
    )
    if facility >= TOO_EASY:
        flags.append(ItemFlag("too_easy", f"Too easy: {scored}"))
    elif facility <= TOO_HARD:
        flags.append(ItemFlag("too_hard", f"Too hard: only {scored}"))
    if discrimination is None:
        if TOO_HARD < facility < TOO_EASY:
            flags.append(
                ItemFlag("no_discrimination", "Does not discriminate: everyone scored the same")
            )
    elif discrimination < 0:
        flags.append(
            ItemFlag(
                "negative",
                "Negative discrimination: check the answer key "
                "(students who did well on the rest of the test did worse on this one)",
            )
        )
    elif discrimination < WEAK_DISCRIMINATION:
        flags.append(
            ItemFlag(
                "no_discrimination",
                "Does not discriminate: strong students did no better than weak ones",
            )
        )
    return flags


def cronbach_alpha(figures: ExamFigures) -> tuple[float | None, str]:
    """Alpha from the per-question variances and the total variance, or why there is none."""
    items, graded = figures.items, figures.totals.graded
    if graded < 2:
        return None, "Alpha needs at least 2 graded attempts."
    if len(items) < 2:
        return None, "Alpha needs at least 2 questions."
    if any(item.graded_answers != graded for item in items):
        return None, (
            "Alpha needs every attempt to answer the same questions; in this exam they "
            "differ (questions drawn at random, or the exam changed between attempts)."
        )
    total = figures.totals.score_variance
    if not total:
        return None, "Every graded attempt has the same score, so alpha cannot be computed."
    k = len(items)
    item_variance = sum(item.variance or 0.0 for item in items)
    return round(k / (k - 1) * (1 - item_variance / total), 3), ""


def _item(
    figures: ItemFigures,
    label: sa.Row,
    number: int,
    options: list[sa.Row],
    picks: dict[str, int],
) -> ItemStatistics:
    points = float(label.points)
    facility = (
        round(100 * figures.mean_points / points, 1)
        if figures.mean_points is not None and points > 0
        else None
    )
    discrimination = (
        round(100 * figures.rest_correlation, 1) if figures.rest_correlation is not None else None
    )
    frequencies = [
        OptionFrequency(
            option_id=str(option.id),
            text=_excerpt(option.body),
            is_correct=option.is_correct,
            picks=picks.get(str(option.id), 0),
            percent=round(100 * picks.get(str(option.id), 0) / figures.answers, 1),
        )
        for option in options
    ]
    return ItemStatistics(
        question_id=figures.question_id,
        number=number,
        prompt=_excerpt(label.prompt_markdown),
        type=label.type,
        points=points,
        answers=figures.answers,
        marked=figures.marked,
        blank=figures.blank,
        facility=facility,
        discrimination=discrimination,
        options=frequencies,
        flags=item_flags(facility, discrimination, figures.marked, label.type),
        origin=str(label.origin),
    )


def _require_exam_editor(session: Session, token: str, exam_id: str) -> Exam:
    viewer = require_viewer(session, token)
    exam = load_exam(session, exam_id)
    try:
        require_course_editor(session, viewer, exam.course_id)
    except PermissionDenied:
        raise PermissionDenied(NOT_A_TEACHER) from None
    return exam


def exam_item_analysis(
    session: Session, *, token: str, exam_id: str, recompute: bool = False
) -> ItemAnalysis:
    """The exam's item analysis, for its course's teachers and admins only.

    `recompute` drops the kept figures first ("Recalculate now").
    """
    exam = _require_exam_editor(session, token, exam_id)
    if recompute:
        forget_figures(exam.id)
    figures = exam_figures(session, exam.id)
    ids = [uuid.UUID(item.question_id) for item in figures.items]
    labels = {
        str(row.id): row for row in session.execute(_QUESTION_LABELS, {"exam": exam.id, "ids": ids})
    }
    options: dict[str, list[sa.Row]] = {}
    for row in session.execute(_OPTION_LABELS, {"ids": ids}):
        options.setdefault(str(row.question_id), []).append(row)
    ordered = sorted(
        (item for item in figures.items if item.question_id in labels),
        key=lambda item: (
            labels[item.question_id].position is None,
            labels[item.question_id].position or 0,
            labels[item.question_id].prompt_markdown,
        ),
    )
    alpha, note = cronbach_alpha(figures) if figures.totals.attempts else (None, "")
    totals = figures.totals
    return ItemAnalysis(
        exam_id=str(exam.id),
        title=exam.title,
        attempts=totals.attempts,
        graded=totals.graded,
        mean_percent=round(totals.mean_percent, 1) if totals.mean_percent is not None else None,
        sd_percent=round(totals.sd_percent, 1) if totals.sd_percent is not None else None,
        alpha=alpha,
        alpha_note=note,
        items=[
            _item(
                item,
                labels[item.question_id],
                number,
                options.get(item.question_id, []),
                figures.picks.get(item.question_id, {}),
            )
            for number, item in enumerate(ordered, start=1)
        ],
        computed_at=figures.computed_at,
    )


def exams_for_analysis(session: Session, *, token: str, course_id: str) -> list[ExamChoice]:
    """The course's exams, drafts included, for the item analysis picker (teachers only)."""
    viewer = require_viewer(session, token)
    try:
        course = require_course_editor(session, viewer, course_id)
    except PermissionDenied:
        raise PermissionDenied(NOT_A_TEACHER) from None
    return [
        ExamChoice(str(row.id), row.title)
        for row in session.execute(_COURSE_EXAMS, {"course": course.id})
    ]

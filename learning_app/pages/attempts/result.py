"""`/attempts/[attempt_id]/result`: an attempt's score, and the feedback its exam allows."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from learning_app.components.courses import loaded_page
from learning_app.components.markdown import rendered_markdown
from learning_app.components.wording import count_text
from learning_app.services.attempts import results
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import rendered
from learning_app.state.course_pages import LoadedPageState, route_arg


@dataclass(frozen=True)
class ReviewLine:
    number: int
    prompt_html: str
    points: float
    points_awarded: str  # "" until graded, and while the exam's policy hides it
    # "correct" | "partial" | "wrong" | "awaiting" | "unanswered", or "answered" while the
    # exam's feedback policy hides whether it was right
    verdict: str
    your_answer: str
    correct_answer: str
    explanation_html: str
    option_feedback: str
    teacher_feedback: str


def _verdict(answer: results.AnswerReview, feedback_visible: bool) -> str:
    if answer.awaiting_grading:
        return "awaiting"
    if not answer.your_answer:
        return "unanswered"
    if not feedback_visible:
        return "answered"
    if answer.is_correct:
        return "correct"
    return "partial" if (answer.points_awarded or 0) > 0 else "wrong"


class AttemptResultState(LoadedPageState, AuthState):
    exam_title: str = ""
    loaded_exam_id: str = ""  # not `exam_id`, a route segment name (see route_arg)
    student_name: str = ""
    is_own: bool = True
    attempt_number: int = 0
    status: str = ""
    auto_submitted: bool = False
    score: float = 0.0
    max_score: float = 0.0
    percent: float = 0.0
    verdict: str = ""  # "passed" | "failed" | "awaiting"
    passing_score: float = 0.0
    feedback_note: str = ""
    lines: list[ReviewLine] = []

    @rx.event
    @opens_page(signed_in=True)
    async def load(self) -> None:
        self._start_loading()
        with self._loading():
            result = await self._fetch(
                results.attempt_result, attempt_id=route_arg(self, "attempt_id")
            )
            texts = [(a.prompt_markdown, a.explanation_markdown) for a in result.answers]
            shown = await rendered([text for pair in texts for text in pair])
            self._show_result(result, shown)

    def _show_result(self, result: results.AttemptResult, rendered: list[str]) -> None:
        """`rendered`: each answer's prompt and explanation as HTML, in order."""
        self.exam_title, self.loaded_exam_id = result.exam_title, result.exam_id
        self.student_name, self.is_own = result.student_name, result.is_own
        self.attempt_number, self.status = result.attempt_number, result.status
        self.auto_submitted = result.auto_submitted
        self.score, self.max_score, self.percent = result.score, result.max_score, result.percent
        self.passing_score, self.feedback_note = result.passing_score, result.feedback_note
        self.verdict = (
            "awaiting" if result.passed is None else ("passed" if result.passed else "failed")
        )
        self.lines = [
            ReviewLine(
                number=a.number,
                prompt_html=rendered[2 * index],
                points=a.points,
                points_awarded="" if a.points_awarded is None else f"{a.points_awarded:g}",
                verdict=_verdict(a, result.feedback_visible),
                your_answer=a.your_answer,
                correct_answer=a.correct_answer,
                explanation_html=rendered[2 * index + 1],
                option_feedback=a.option_feedback,
                teacher_feedback=a.teacher_feedback,
            )
            for index, a in enumerate(result.answers)
        ]


def _verdict_badge(verdict: rx.Var[str]) -> rx.Component:
    return rx.match(
        verdict,
        ("correct", rx.badge("Correct", color_scheme="green")),
        ("partial", rx.badge("Partly correct", color_scheme="amber")),
        ("awaiting", rx.badge("Awaiting grading", color_scheme="blue")),
        ("unanswered", rx.badge("Not answered", color_scheme="gray")),
        ("answered", rx.badge("Answered", color_scheme="gray")),
        rx.badge("Incorrect", color_scheme="red"),
    )


def _labelled(label: str, value: rx.Var[str]) -> rx.Component:
    return rx.cond(
        value != "",
        rx.box(
            rx.text(label, weight="medium", size="2"),
            rx.text(value, white_space="pre-wrap"),
        ),
    )


def _line(line: ReviewLine) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Question " + line.number.to_string(), size="4", as_="h2"),
                _verdict_badge(line.verdict),
                rx.spacer(),
                rx.text(
                    rx.cond(line.points_awarded != "", line.points_awarded, "-")
                    + " / "
                    + line.points.to_string()
                    + " pt",
                ),
                width="100%",
                align="center",
            ),
            rendered_markdown(line.prompt_html),
            _labelled("Your answer", line.your_answer),
            _labelled("Correct answer", line.correct_answer),
            _labelled("About your choice", line.option_feedback),
            rx.cond(
                line.explanation_html != "",
                rx.box(
                    rx.text("Explanation", weight="medium", size="2"),
                    rendered_markdown(line.explanation_html),
                ),
            ),
            _labelled("Teacher's feedback", line.teacher_feedback),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _summary() -> rx.Component:
    s = AttemptResultState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(s.percent.to_string() + "%", size="8", as_="p"),
                rx.match(
                    s.verdict,
                    ("passed", rx.badge("Passed", color_scheme="green", size="3")),
                    ("failed", rx.badge("Not passed", color_scheme="red", size="3")),
                    rx.badge("Awaiting grading", color_scheme="blue", size="3"),
                ),
                align="center",
                spacing="4",
            ),
            rx.text(
                "Score "
                + s.score.to_string()
                + " of "
                + count_text(s.max_score, "point")
                + " · "
                + s.passing_score.to_string()
                + "% needed to pass",
            ),
            rx.cond(
                s.verdict == "awaiting",
                rx.text(
                    "A teacher still has to grade your essay answers; the score will update.",
                    color_scheme="gray",
                ),
            ),
            rx.cond(
                s.auto_submitted,
                rx.text("Submitted automatically when time ran out.", color_scheme="gray"),
            ),
            spacing="2",
        ),
        width="100%",
        role="status",
    )


def _result() -> rx.Component:
    s = AttemptResultState
    return rx.vstack(
        rx.link("← Back to the exam", href="/exams/" + s.loaded_exam_id, size="2"),
        rx.heading(s.exam_title + ": results", size="7", as_="h1"),
        rx.text(
            rx.cond(s.is_own, "Your attempt ", s.student_name + "'s attempt ")
            + s.attempt_number.to_string(),
            color_scheme="gray",
        ),
        _summary(),
        rx.cond(
            s.feedback_note != "",
            rx.callout(s.feedback_note, icon="info", color_scheme="gray"),
        ),
        rx.foreach(s.lines, _line),
        spacing="4",
        width="100%",
        max_width="48rem",
    )


def attempt_result_page() -> rx.Component:
    return loaded_page(
        AttemptResultState, _result(), rx.link("Back to my courses", href="/my-courses")
    )

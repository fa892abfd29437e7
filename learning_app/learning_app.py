"""The Reflex app: pages from the route table, plus plain HTTP routes such as `/health`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import reflex as rx
from reflex.utils.format import format_event_handler

from learning_app.adapters.closing import connections_closed_at_exit
from learning_app.adapters.embeddings import embedder_loaded
from learning_app.adapters.heap import freeze_heap
from learning_app.components.markdown import MARKDOWN_STYLESHEET
from learning_app.components.share_dialog import ShareLinksState
from learning_app.health_api import build_http_api
from learning_app.jobs.runner import worker_lifespan
from learning_app.pages.accounts.dev_mailbox import MailboxState, dev_mailbox_page
from learning_app.pages.accounts.password import (
    PasswordResetState,
    forgot_password_page,
    reset_password_page,
)
from learning_app.pages.accounts.settings import account_settings_page
from learning_app.pages.accounts.sign_in import MagicLinkState, sign_in_page
from learning_app.pages.accounts.sign_in import magic_link_page as magic_link_landing
from learning_app.pages.accounts.sign_up import VerifyEmailState, sign_up_page, verify_email_page
from learning_app.pages.admin.users import AdminUsersState, admin_users_page
from learning_app.pages.attempts.grading_queue import GradingState, grading_page
from learning_app.pages.attempts.result import AttemptResultState, attempt_result_page
from learning_app.pages.attempts.take import attempt_page
from learning_app.pages.attempts.take_state import AttemptState
from learning_app.pages.courses.catalog import CatalogueState, home_page
from learning_app.pages.courses.course import CourseState, course_page
from learning_app.pages.courses.editor import course_editor_page
from learning_app.pages.courses.editor_state import CourseEditorState
from learning_app.pages.courses.lesson_editor import LessonEditorState, lesson_editor_page
from learning_app.pages.courses.lesson_reader import LessonReaderState, lesson_reader_page
from learning_app.pages.courses.my_courses import MyCoursesState, my_courses_page
from learning_app.pages.courses.teach import TeachState, teach_page
from learning_app.pages.courses.teachers import CourseTeachersState
from learning_app.pages.exams.accommodations import AccommodationsState, accommodations_page
from learning_app.pages.exams.bank_page import questions_and_exams_page
from learning_app.pages.exams.course_section import CourseExamsState
from learning_app.pages.exams.editor import exam_editor_page
from learning_app.pages.exams.editor_state import ExamEditorState
from learning_app.pages.exams.gradebook import gradebook_page
from learning_app.pages.exams.gradebook_state import GradebookState
from learning_app.pages.exams.intro import ExamIntroState, exam_intro_page
from learning_app.pages.exams.listing import ExamListState
from learning_app.pages.material.sections import MaterialState
from learning_app.pages.progress.course_dashboard import CourseDashboardState, course_dashboard_page
from learning_app.pages.progress.dashboard import DashboardState, dashboard_page
from learning_app.pages.questions.bank_state import QuestionBankState
from learning_app.pages.questions.drafting import QuestionDraftingState
from learning_app.pages.questions.form_state import QuestionFormState
from learning_app.pages.questions.transfer_section import BankTransferState
from learning_app.pages.review.card_bank import card_bank_page
from learning_app.pages.review.card_bank_state import CardBankState
from learning_app.pages.review.card_drafts import CardDraftingState
from learning_app.pages.review.dashboard_section import ReviewFiguresState
from learning_app.pages.review.review_page import review_page
from learning_app.pages.review.review_state import ReviewState
from learning_app.pages.search.results import SearchPageState, search_page
from learning_app.pages.search.synonyms import SynonymsState, synonyms_page
from learning_app.pages.sharing.my_links import my_share_links_page
from learning_app.pages.sharing.shared_page import SharedPageState, shared_page
from learning_app.pages.tutor.ask import TutorState, tutor_page
from learning_app.settings import get_settings
from learning_app.state.auth import AuthState
from learning_app.state.page_loads import PageLoadsInline
from learning_app.state.unexpected_errors import backend_exception_handler
from learning_app.state.written_trees import release_written_trees


@dataclass(frozen=True)
class Route:
    path: str
    title: str
    page: rx.app.ComponentCallable
    on_load: list[rx.event.EventType] = field(default_factory=list)


# A page's viewer check runs inside its first load (`opens_page`); these events are the check
# alone, for pages with nothing of their own to load or whose state is not under `AuthState`.
_viewer = AuthState.load_viewer
_signed_in = AuthState.require_signed_in
ROUTES: list[Route] = [
    Route("/", "Courses", home_page, [_viewer, CatalogueState.load]),
    Route("/sign-in", "Sign in", sign_in_page, [_viewer]),
    Route("/sign-up", "Sign up", sign_up_page, [_viewer]),
    Route("/auth/magic-link", "Signing in", magic_link_landing, [MagicLinkState.consume]),
    Route("/auth/verify-email", "Verify email", verify_email_page, [VerifyEmailState.consume]),
    Route(
        "/forgot-password",
        "Forgot password",
        forgot_password_page,
        [PasswordResetState.start],
    ),
    Route(
        "/auth/reset-password",
        "Reset password",
        reset_password_page,
        [PasswordResetState.start],
    ),
    Route("/settings", "Account settings", account_settings_page, [_signed_in]),
    Route("/admin/users", "Users", admin_users_page, [AdminUsersState.open_page]),
    Route("/my-courses", "My courses", my_courses_page, [MyCoursesState.load]),
    Route("/teach", "Teaching", teach_page, [TeachState.load]),
    Route("/search", "Search", search_page, [SearchPageState.load]),
    Route("/teach/synonyms", "Search synonyms", synonyms_page, [SynonymsState.load]),
    Route(
        "/dashboard",
        "My progress",
        dashboard_page,
        [DashboardState.load, ReviewFiguresState.load],
    ),
    Route("/review", "Review", review_page, [ReviewState.load]),
    Route(
        "/teach/courses/[course_id]/dashboard",
        "Course dashboard",
        course_dashboard_page,
        [CourseDashboardState.load],
    ),
    Route(
        "/teach/courses/[course_id]",
        "Edit course",
        course_editor_page,
        [CourseEditorState.load, CourseTeachersState.load, MaterialState.load],
    ),
    Route(
        "/teach/courses/[course_id]/lessons/[lesson_id]",
        "Edit lesson",
        lesson_editor_page,
        [LessonEditorState.load],
    ),
    Route(
        "/courses/[course_id]",
        "Course",
        course_page,
        [CourseState.load, CourseExamsState.load, MaterialState.load],
    ),
    Route("/courses/[course_id]/ask", "Ask the tutor", tutor_page, [TutorState.load]),
    Route("/teach/links", "Share links", my_share_links_page, [ShareLinksState.load_mine]),
    Route("/share/[share_token]", "Shared", shared_page, [SharedPageState.load]),
    Route(
        "/share/[share_token]/lessons/[lesson_id]",
        "Shared lesson",
        shared_page,
        [SharedPageState.load],
    ),
    Route("/exams/[exam_id]", "Exam", exam_intro_page, [ExamIntroState.load]),
    Route("/attempts/[attempt_id]", "Exam in progress", attempt_page, [AttemptState.load]),
    Route(
        "/attempts/[attempt_id]/result",
        "Exam results",
        attempt_result_page,
        [AttemptResultState.load],
    ),
    Route(
        "/courses/[course_id]/lessons/[lesson_id]",
        "Lesson",
        lesson_reader_page,
        [LessonReaderState.load],
    ),
    Route(
        "/teach/courses/[course_id]/exams",
        "Questions & exams",
        questions_and_exams_page,
        # The form is blanked first, while the page still shows its spinner: blanking it after
        # the bank has loaded would wipe what a fast teacher has already typed.
        [
            QuestionFormState.load,
            QuestionBankState.load,
            ExamListState.load,
            QuestionDraftingState.load,
        ],
    ),
    Route(
        "/teach/courses/[course_id]/cards",
        "Flashcards",
        card_bank_page,
        [CardBankState.load, CardDraftingState.load],
    ),
    Route(
        "/teach/courses/[course_id]/exams/[exam_id]",
        "Edit exam",
        exam_editor_page,
        [ExamEditorState.load],
    ),
    Route(
        "/teach/courses/[course_id]/accommodations",
        "Accommodations",
        accommodations_page,
        [AccommodationsState.load],
    ),
    Route(
        "/teach/courses/[course_id]/gradebook",
        "Gradebook",
        gradebook_page,
        [GradebookState.load],
    ),
    Route("/teach/grading", "Grading", grading_page, [GradingState.load]),
    # A teacher reads a student's attempt on the results page, which shows teachers
    # everything (`attempt_result` allows the course's teachers).
    Route(
        "/teach/attempts/[attempt_id]",
        "Attempt",
        attempt_result_page,
        [AttemptResultState.load],
    ),
]
if not get_settings().is_production:
    ROUTES.append(
        Route("/dev/mailbox", "Dev mailbox", dev_mailbox_page, [_viewer, MailboxState.load])
    )

# The only events `POST /_upload` may run (learning_app/upload_guard.py).
UPLOAD_HANDLERS = [MaterialState.upload, BankTransferState.upload]

release_written_trees()
app = rx.App(
    api_transformer=build_http_api(format_event_handler(h) for h in UPLOAD_HANDLERS),
    backend_exception_handler=backend_exception_handler,
    head_components=[rx.el.meta(name="color-scheme", content="light dark")],
    stylesheets=["/app.css", MARKDOWN_STYLESHEET],
)
app.add_middleware(PageLoadsInline())
# The first registered is the last to end: the connections close after the job worker stops.
app.register_lifespan_task(connections_closed_at_exit)
app.register_lifespan_task(worker_lifespan)
app.register_lifespan_task(embedder_loaded)


@asynccontextmanager
async def heap_frozen_after_start() -> AsyncIterator[None]:
    """After the steps above have loaded what the server keeps (see `adapters.heap`)."""
    freeze_heap()
    yield


app.register_lifespan_task(heap_frozen_after_start)
for route in ROUTES:
    app.add_page(
        route.page, route=route.path, title=f"{route.title} · Learning App", on_load=route.on_load
    )

"""All SQLModel tables of the app. Importing this package fills `SQLModel.metadata`.

One module per product area; `base` holds the shared conventions (naming convention, UUID
keys, timestamps, native enums) and must be imported first, which the table modules do.
"""

from learning_app.models.analytics import AnalyticsDaily, AnalyticsEvent
from learning_app.models.base import HNSW_INDEX_PREFIX, NAMING_CONVENTION, alembic_include_object
from learning_app.models.chunks import (
    HNSW_EF_CONSTRUCTION,
    HNSW_M,
    HNSW_MAX_DIMENSIONS,
    EmbeddingModel,
    LessonChunk,
    drop_hnsw_index_ddl,
    embedding_as,
    hnsw_index_ddl,
    hnsw_index_name,
    of_model,
)
from learning_app.models.content import (
    Course,
    CourseLesson,
    CourseTeacher,
    CourseTeacherRole,
    Enrollment,
    Lesson,
    PublishStatus,
)
from learning_app.models.documents import Document, DocumentStatus
from learning_app.models.exams import (
    AttemptAnswer,
    AttemptStatus,
    Exam,
    ExamAttempt,
    ExamDrawRule,
    ExamQuestion,
    ExamType,
    FeedbackPolicy,
)
from learning_app.models.progress import LessonProgress, LessonProgressStatus, UserStats
from learning_app.models.questions import Question, QuestionOption, QuestionTag, QuestionType, Tag
from learning_app.models.search import SearchSynonym
from learning_app.models.sharing import SharedToken, ShareEntityType, ShareVisibility
from learning_app.models.tutor import TutorExchange
from learning_app.models.users import User, UserProfile, UserRole

__all__ = [
    "HNSW_EF_CONSTRUCTION",
    "HNSW_INDEX_PREFIX",
    "HNSW_M",
    "HNSW_MAX_DIMENSIONS",
    "NAMING_CONVENTION",
    "AnalyticsDaily",
    "AnalyticsEvent",
    "AttemptAnswer",
    "AttemptStatus",
    "Course",
    "CourseLesson",
    "CourseTeacher",
    "CourseTeacherRole",
    "Document",
    "DocumentStatus",
    "EmbeddingModel",
    "Enrollment",
    "Exam",
    "ExamAttempt",
    "ExamDrawRule",
    "ExamQuestion",
    "ExamType",
    "FeedbackPolicy",
    "Lesson",
    "LessonChunk",
    "LessonProgress",
    "LessonProgressStatus",
    "PublishStatus",
    "Question",
    "QuestionOption",
    "QuestionTag",
    "QuestionType",
    "SearchSynonym",
    "ShareEntityType",
    "ShareVisibility",
    "SharedToken",
    "Tag",
    "TutorExchange",
    "User",
    "UserProfile",
    "UserRole",
    "UserStats",
    "alembic_include_object",
    "drop_hnsw_index_ddl",
    "embedding_as",
    "hnsw_index_ddl",
    "hnsw_index_name",
    "of_model",
]

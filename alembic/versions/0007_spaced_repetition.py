"""Spaced repetition: flashcards and their tags, each student's FSRS memory state of what they
review (`review_card`), the review log, and streak freezes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
import sqlmodel
from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Autogenerate may render sqlmodel / pgvector types; these keep such code importable.
_ = (pgvector.sqlalchemy, sqlmodel)


def upgrade() -> None:
    op.create_table(
        "streak_freeze",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("bought_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("xp_cost", sa.Integer(), nullable=False),
        sa.Column("used_on", sa.Date(), nullable=True),
        sa.CheckConstraint("xp_cost >= 0", name=op.f("ck_streak_freeze_cost_not_negative")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_streak_freeze_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_streak_freeze")),
    )
    op.create_index(op.f("ix_streak_freeze_user_id"), "streak_freeze", ["user_id"], unique=False)
    op.create_table(
        "flashcard",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("lesson_id", sa.Uuid(), nullable=True),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column(
            "source",
            sa.Enum("written", "drafted", "tutor", name="flashcard_source"),
            server_default="written",
            nullable=False,
        ),
        sa.Column("front_markdown", sa.Text(), nullable=False),
        sa.Column("back_markdown", sa.Text(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(owner_id IS NULL) = (source <> 'tutor')",
            name=op.f("ck_flashcard_personal_cards_from_tutor"),
        ),
        sa.CheckConstraint(
            "btrim(front_markdown) <> '' AND btrim(back_markdown) <> ''",
            name=op.f("ck_flashcard_sides_not_blank"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
            name=op.f("fk_flashcard_author_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_flashcard_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lesson.id"],
            name=op.f("fk_flashcard_lesson_id_lesson"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user.id"], name=op.f("fk_flashcard_owner_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flashcard")),
    )
    op.create_index(op.f("ix_flashcard_author_id"), "flashcard", ["author_id"], unique=False)
    op.create_index(op.f("ix_flashcard_course_id"), "flashcard", ["course_id"], unique=False)
    op.create_index(op.f("ix_flashcard_created_at"), "flashcard", ["created_at"], unique=False)
    op.create_index(op.f("ix_flashcard_lesson_id"), "flashcard", ["lesson_id"], unique=False)
    op.create_index(op.f("ix_flashcard_owner_id"), "flashcard", ["owner_id"], unique=False)
    op.create_table(
        "flashcard_tag",
        sa.Column("flashcard_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["flashcard_id"],
            ["flashcard.id"],
            name=op.f("fk_flashcard_tag_flashcard_id_flashcard"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tag.id"], name=op.f("fk_flashcard_tag_tag_id_tag"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("flashcard_id", "tag_id", name=op.f("pk_flashcard_tag")),
    )
    op.create_index(op.f("ix_flashcard_tag_tag_id"), "flashcard_tag", ["tag_id"], unique=False)
    op.create_table(
        "review_card",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("flashcard_id", sa.Uuid(), nullable=True),
        sa.Column("question_id", sa.Uuid(), nullable=True),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_review", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reps", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lapses", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "num_nonnulls(flashcard_id, question_id) = 1", name=op.f("ck_review_card_one_item")
        ),
        sa.CheckConstraint(
            "reps >= 0 AND lapses >= 0", name=op.f("ck_review_card_counters_not_negative")
        ),
        sa.CheckConstraint("state BETWEEN 1 AND 3", name=op.f("ck_review_card_state_known")),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_review_card_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["flashcard_id"],
            ["flashcard.id"],
            name=op.f("fk_review_card_flashcard_id_flashcard"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
            name=op.f("fk_review_card_question_id_question"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_review_card_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_card")),
    )
    op.create_index(op.f("ix_review_card_course_id"), "review_card", ["course_id"], unique=False)
    for item in ("flashcard_id", "question_id"):
        only = sa.text(f"{item} IS NOT NULL")
        op.create_index(
            f"ux_review_card_user_id_{item}",
            "review_card",
            ["user_id", item],
            unique=True,
            postgresql_where=only,
        )
        op.create_index(f"ix_review_card_{item}", "review_card", [item], postgresql_where=only)
    op.create_index("ix_review_card_user_id_due", "review_card", ["user_id", "due"], unique=False)
    op.create_table(
        "review_log",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("review_card_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("state_before", sa.SmallInteger(), nullable=False),
        sa.Column("step_before", sa.Integer(), nullable=True),
        sa.Column("stability_before", sa.Float(), nullable=True),
        sa.Column("difficulty_before", sa.Float(), nullable=True),
        sa.Column("due_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_review_before", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "duration_ms IS NULL OR duration_ms >= 0",
            name=op.f("ck_review_log_duration_not_negative"),
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 4", name=op.f("ck_review_log_rating_known")),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_review_log_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_card_id"],
            ["review_card.id"],
            name=op.f("fk_review_log_review_card_id_review_card"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_review_log_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_log")),
        sa.UniqueConstraint(
            "review_card_id", "sequence", name="uq_review_log_review_card_id_sequence"
        ),
    )
    op.create_index(
        "ix_review_log_course_id_reviewed_at",
        "review_log",
        ["course_id", "reviewed_at"],
        unique=False,
    )
    op.create_index(
        "ix_review_log_user_id_reviewed_at", "review_log", ["user_id", "reviewed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_review_log_user_id_reviewed_at", table_name="review_log")
    op.drop_index("ix_review_log_course_id_reviewed_at", table_name="review_log")
    op.drop_table("review_log")
    op.drop_index("ix_review_card_user_id_due", table_name="review_card")
    for item in ("flashcard_id", "question_id"):
        op.drop_index(f"ix_review_card_{item}", table_name="review_card")
        op.drop_index(f"ux_review_card_user_id_{item}", table_name="review_card")
    op.drop_index(op.f("ix_review_card_course_id"), table_name="review_card")
    op.drop_table("review_card")
    op.drop_index(op.f("ix_flashcard_tag_tag_id"), table_name="flashcard_tag")
    op.drop_table("flashcard_tag")
    op.drop_index(op.f("ix_flashcard_owner_id"), table_name="flashcard")
    op.drop_index(op.f("ix_flashcard_lesson_id"), table_name="flashcard")
    op.drop_index(op.f("ix_flashcard_created_at"), table_name="flashcard")
    op.drop_index(op.f("ix_flashcard_course_id"), table_name="flashcard")
    op.drop_index(op.f("ix_flashcard_author_id"), table_name="flashcard")
    op.drop_table("flashcard")
    op.drop_index(op.f("ix_streak_freeze_user_id"), table_name="streak_freeze")
    op.drop_table("streak_freeze")
    sa.Enum(name="flashcard_source").drop(op.get_bind(), checkfirst=True)

"""Sentence vectors for the tutor's ranking (`chunk_sentence`), the `related` answer tier, and
chunk indexes by (course or lesson, model) for the tutor's count of a course's chunks.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

Existing chunks get their sentences on their next ingestion (`learning-app reembed`, or any
edit); until then the tutor ranks them by the chunk's own vector.
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chunk_sentence",
        sa.Column("chunk_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("embedding", pgvector.sqlalchemy.Vector(), nullable=False),
        sa.CheckConstraint('start >= 0 AND "end" > start', name=op.f("ck_chunk_sentence_span_valid")),
        sa.ForeignKeyConstraint(
            ["chunk_id"],
            ["lesson_chunk.id"],
            name=op.f("fk_chunk_sentence_chunk_id_lesson_chunk"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chunk_id", "position", name=op.f("pk_chunk_sentence")),
    )
    op.drop_constraint(op.f("ck_tutor_exchange_mode_known"), "tutor_exchange", type_="check")
    op.create_check_constraint(
        "mode_known",
        "tutor_exchange",
        "mode IN ('extractive', 'generated', 'fallback', 'related', 'not_found')",
    )
    op.create_index(
        "ix_lesson_chunk_course_model", "lesson_chunk", ["course_id", "embedding_model_id"]
    )
    op.create_index(
        "ix_lesson_chunk_lesson_model", "lesson_chunk", ["lesson_id", "embedding_model_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_lesson_chunk_lesson_model", table_name="lesson_chunk")
    op.drop_index("ix_lesson_chunk_course_model", table_name="lesson_chunk")
    op.drop_constraint(op.f("ck_tutor_exchange_mode_known"), "tutor_exchange", type_="check")
    op.create_check_constraint(
        "mode_known",
        "tutor_exchange",
        "mode IN ('extractive', 'generated', 'fallback', 'not_found')",
    )
    op.drop_table("chunk_sentence")

"""The AI tutor: each user's questions and answers per course (`tutor_exchange`).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

Follows 0004 (progress views); 0003 is the search synonyms.
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Autogenerate may render sqlmodel / pgvector types; these keep such code importable.
_ = (pgvector.sqlalchemy, sqlmodel)


def upgrade() -> None:
    op.create_table(
        "tutor_exchange",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column(
            "citations",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "mode IN ('extractive', 'generated', 'fallback', 'not_found')",
            name=op.f("ck_tutor_exchange_mode_known"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_tutor_exchange_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_tutor_exchange_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tutor_exchange")),
    )
    op.create_index(
        op.f("ix_tutor_exchange_course_id"), "tutor_exchange", ["course_id"], unique=False
    )
    op.create_index(
        "ix_tutor_exchange_user_course",
        "tutor_exchange",
        ["user_id", "course_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_tutor_exchange_user_course", table_name="tutor_exchange")
    op.drop_index(op.f("ix_tutor_exchange_course_id"), table_name="tutor_exchange")
    op.drop_table("tutor_exchange")

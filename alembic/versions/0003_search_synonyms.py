"""Search synonyms (issue 6): groups of words search treats as the same.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_synonym",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("words", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "jsonb_typeof(words) = 'array' AND jsonb_array_length(words) >= 2",
            name=op.f("ck_search_synonym_words_is_a_group"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user.id"],
            name=op.f("fk_search_synonym_created_by_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_synonym")),
    )
    op.create_index(
        op.f("ix_search_synonym_created_by"), "search_synonym", ["created_by"], unique=False
    )
    op.create_index(
        op.f("ix_search_synonym_created_at"), "search_synonym", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_search_synonym_created_at"), table_name="search_synonym")
    op.drop_index(op.f("ix_search_synonym_created_by"), table_name="search_synonym")
    op.drop_table("search_synonym")

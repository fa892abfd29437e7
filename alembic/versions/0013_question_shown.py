"""Questions some attempt has shown (`question_shown`), so that whether a question is locked
is a key lookup instead of a containment test over every attempt's question order. Filled
here from the attempts so far; new attempts add their questions as they start.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "question_shown",
        sa.Column("question_id", sa.Uuid(), nullable=False),
        sa.Column(
            "first_shown_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
            name=op.f("fk_question_shown_question_id_question"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("question_id", name=op.f("pk_question_shown")),
    )
    # Every question an attempt has shown so far, when it was first shown; ids of questions
    # deleted since (an attempt keeps its order) are left out.
    op.execute(
        """
        INSERT INTO question_shown (question_id, first_shown_at)
        SELECT question.id, min(exam_attempt.started_at)
        FROM exam_attempt
        CROSS JOIN LATERAL jsonb_array_elements(exam_attempt.question_order) AS shown
        JOIN question ON question.id::text = shown ->> 'question_id'
        GROUP BY question.id
        """
    )


def downgrade() -> None:
    op.drop_table("question_shown")

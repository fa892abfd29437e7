"""Where each question came from (written, drafted by the language model, imported), for item
analysis to point at the questions no teacher wrote.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    origin = sa.Enum("written", "drafted", "imported", name="question_origin")
    origin.create(op.get_bind(), checkfirst=True)
    # Questions already in banks keep "written": nothing recorded which of them were drafted.
    op.add_column("question", sa.Column("origin", origin, server_default="written", nullable=False))


def downgrade() -> None:
    op.drop_column("question", "origin")
    sa.Enum(name="question_origin").drop(op.get_bind(), checkfirst=True)

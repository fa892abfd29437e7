"""Closed days: who was counted active on a day (`analytics_daily_user`) is kept for the last
days only, and a day whose rows are gone is marked closed, so that the flush recomputes it
instead of adding to it. Nothing is closed here: the hourly job closes the old days.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_closed_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "closed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_analytics_closed_day")),
    )


def downgrade() -> None:
    op.drop_table("analytics_closed_day")

"""Counts for the library's insight page, kept when the conversations are purged.

Revision ID: 0006_insight_counts
Revises: 0005_pinned_events
Create Date: 2026-12-07 23:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_insight_counts"
down_revision = "0005_pinned_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "hd_insight_counts",
        sa.Column("metric", sa.String(20), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("channel", sa.String(20), primary_key=True),
        sa.Column("language", sa.String(5), primary_key=True),
        sa.Column("theme", sa.String(40), primary_key=True),
        sa.Column("municipality", sa.String(60), primary_key=True),
        sa.Column("detail", sa.String(30), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    """Undo this migration."""
    op.drop_table("hd_insight_counts")

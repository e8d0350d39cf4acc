"""The name a person gives for a call-back or walk-in appointment.

Revision ID: 0007_task_names
Revises: 0006_insight_counts
Create Date: 2026-12-08 00:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_task_names"
down_revision = "0006_insight_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("hd_tasks") as batch:
        batch.add_column(sa.Column("name", sa.String(60), nullable=True))


def downgrade() -> None:
    """Undo this migration."""
    with op.batch_alter_table("hd_tasks") as batch:
        batch.drop_column("name")

"""Learning ambassadors, the chats they referred, and the counts that outlive those chats.

Revision ID: 0004_ambassadors
Revises: 0003_tasks_replies
Create Date: 2026-12-07 21:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_ambassadors"
down_revision = "0003_tasks_replies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "hd_ambassadors",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("place", sa.String(120), nullable=False),
        sa.Column("contact", sa.String(200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("hd_advisors.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "hd_referrals",
        sa.Column("sender_id", sa.String(200), primary_key=True),
        sa.Column("ambassador_id", sa.Integer(), sa.ForeignKey("hd_ambassadors.id"), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("stages", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "hd_referral_counts",
        sa.Column("ambassador_id", sa.Integer(), sa.ForeignKey("hd_ambassadors.id"), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("stage", sa.String(20), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    """Undo this migration."""
    op.drop_table("hd_referral_counts")
    op.drop_table("hd_referrals")
    op.drop_table("hd_ambassadors")

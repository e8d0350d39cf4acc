"""Task outcomes and who opened a phone number; standard replies for advisors.

Revision ID: 0003_tasks_replies
Revises: 0002_channel_tables
Create Date: 2026-12-07 21:00:00
"""

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
import yaml
from alembic import op

revision = "0003_tasks_replies"
down_revision = "0002_channel_tables"
branch_labels = None
depends_on = None

# The first standard replies; coordinators edit them in the console after this.
FIRST_REPLIES = Path(__file__).resolve().parents[2] / "data" / "canned_replies.yml"


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("hd_tasks") as batch:
        batch.add_column(sa.Column("outcome", sa.String(40), nullable=True))
        batch.add_column(sa.Column("phone_opened_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("phone_opened_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key("fk_hd_tasks_phone_opened_by", "hd_advisors", ["phone_opened_by"], ["id"])
    replies = op.create_table(
        "hd_canned_replies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("hd_advisors.id"), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False, server_default=sa.func.now()),
    )
    first = yaml.safe_load(FIRST_REPLIES.read_text(encoding="utf-8")) or []
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # naive UTC, as helpdesk.models.utcnow
    rows = [{**{key: r[key] for key in ("language", "title", "text")}, "updated_at": now} for r in first]
    op.bulk_insert(replies, rows)


def downgrade() -> None:
    """Undo this migration."""
    op.drop_table("hd_canned_replies")
    with op.batch_alter_table("hd_tasks") as batch:
        batch.drop_constraint("fk_hd_tasks_phone_opened_by", type_="foreignkey")
        batch.drop_column("phone_opened_at")
        batch.drop_column("phone_opened_by")
        batch.drop_column("outcome")

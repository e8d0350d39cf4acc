"""Channel tables and the intake records, made by Alembic like every other table.

Until now `channels.store` and `actions.records` created these with `metadata.create_all`
on first use; databases made that way already have them, so each is created only when
missing (and the inbox, new in this revision, in both cases).

Revision ID: 0002_channel_tables
Revises: 0001_helpdesk
Create Date: 2026-12-07 03:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_channel_tables"
down_revision = "0001_helpdesk"
branch_labels = None
depends_on = None


def _tables() -> list:
    """The tables of this revision, as they were on 2026-12-07 (a snapshot, not the live models)."""
    meta = sa.MetaData()
    return [
        sa.Table(
            "channel_button_offers",
            meta,
            sa.Column("channel", sa.String(32), primary_key=True),
            sa.Column("recipient_id", sa.String(128), primary_key=True),
            sa.Column("buttons", sa.Text, nullable=False),
            sa.Column("offered_at", sa.DateTime, nullable=False),
        ),
        sa.Table(
            "channel_last_inbound",
            meta,
            sa.Column("channel", sa.String(32), primary_key=True),
            sa.Column("sender_id", sa.String(128), primary_key=True),
            sa.Column("last_inbound_at", sa.DateTime, nullable=False),
        ),
        sa.Table(
            "channel_message_status",
            meta,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("channel", sa.String(32), nullable=False),
            sa.Column("message_sid", sa.String(64), nullable=False, index=True),
            sa.Column("status", sa.String(32), nullable=False),
            sa.Column("recipient_id", sa.String(128)),
            sa.Column("error_code", sa.String(16)),
            sa.Column("recorded_at", sa.DateTime, nullable=False),
            sa.UniqueConstraint("message_sid", "status", name="uq_channel_message_status"),
        ),
        sa.Table(
            "channel_sms_opt_outs",
            meta,
            sa.Column("phone", sa.String(64), primary_key=True),
            sa.Column("opted_out", sa.Boolean, nullable=False),
            sa.Column("keyword", sa.String(32)),
            sa.Column("updated_at", sa.DateTime, nullable=False),
        ),
        sa.Table(
            "channel_callback_payloads",
            meta,
            sa.Column("token", sa.String(40), primary_key=True),
            sa.Column("payload", sa.Text, nullable=False),
            sa.Column("created_at", sa.DateTime, nullable=False),
        ),
        sa.Table(
            "channel_inbox",
            meta,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("channel", sa.String(32), nullable=False),
            sa.Column("conversation_id", sa.String(200), nullable=False),
            sa.Column("message_json", sa.Text, nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("received_at", sa.DateTime, nullable=False),
            sa.Column("claimed_at", sa.DateTime, nullable=True),
            sa.Column("attempts", sa.Integer, nullable=False),
            sa.Index("ix_channel_inbox_conversation", "conversation_id", "received_at"),
            sa.Index("ix_channel_inbox_pending", "status", "channel", "received_at"),
        ),
        sa.Table(
            "development_questions",
            meta,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("sender_id", sa.String(255), nullable=False, index=True),
            sa.Column("created_at", sa.DateTime, nullable=False),
            sa.Column("role", sa.String(200)),
            sa.Column("goal", sa.String(200)),
            sa.Column("topic", sa.Text),
            sa.Column("municipality", sa.String(100)),
            sa.Column("budget", sa.String(60)),
            sa.Column("time_preference", sa.String(60)),
            sa.Column("hours_per_week", sa.String(60)),
            sa.Column("mode_preference", sa.String(60)),
            sa.Column("language", sa.String(5)),
            sa.Column("interest_profile", sa.JSON),
            sa.Column("offers_shown", sa.JSON),
        ),
    ]


def upgrade() -> None:
    """Create each table that an older run has not already made."""
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    for table in _tables():
        if table.name not in existing:
            table.create(bind)


def downgrade() -> None:
    """Drop the tables of this revision."""
    for table in reversed(_tables()):
        op.drop_table(table.name)

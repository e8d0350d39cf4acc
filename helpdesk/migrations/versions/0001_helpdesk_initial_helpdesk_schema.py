"""Initial helpdesk schema.

Revision ID: 0001_helpdesk
Revises: (none)
Create Date: 2026-11-26 22:55:06.863111
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_helpdesk"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "hd_advisors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "hd_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "hd_login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hd_login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_hd_login_failures_key_at", ["key", "attempted_at"], unique=False)

    op.create_table(
        "hd_seen_messages",
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("provider_message_id", sa.String(length=200), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "provider_message_id"),
    )
    op.create_table(
        "hd_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=20), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("transcript_synced_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["advisor_id"],
            ["hd_advisors.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sender_id", name="uq_hd_conversations_sender"),
    )
    op.create_table(
        "hd_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["advisor_id"], ["hd_advisors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_table(
        "hd_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("summary_json", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("advisor_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_kind", sa.String(length=20), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["advisor_id"],
            ["hd_advisors.id"],
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["hd_conversations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hd_cases", schema=None) as batch_op:
        batch_op.create_index("ix_hd_cases_conversation", ["conversation_id"], unique=False)

    op.create_table(
        "hd_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=20), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("media_json", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["advisor_id"],
            ["hd_advisors.id"],
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["hd_conversations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hd_messages", schema=None) as batch_op:
        batch_op.create_index("ix_hd_messages_conversation", ["conversation_id", "id"], unique=False)

    op.create_table(
        "hd_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["advisor_id"],
            ["hd_advisors.id"],
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["hd_conversations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "hd_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("sender_id", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("preferred_time", sa.String(length=200), nullable=True),
        sa.Column("consent_at", sa.DateTime(), nullable=True),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("offer_title", sa.String(length=300), nullable=True),
        sa.Column("schedule", sa.String(length=300), nullable=True),
        sa.Column("summary_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["hd_conversations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["done_by"],
            ["hd_advisors.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_table("hd_tasks")
    op.drop_table("hd_notes")
    with op.batch_alter_table("hd_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_hd_messages_conversation")

    op.drop_table("hd_messages")
    with op.batch_alter_table("hd_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_hd_cases_conversation")

    op.drop_table("hd_cases")
    op.drop_table("hd_sessions")
    op.drop_table("hd_conversations")
    op.drop_table("hd_seen_messages")
    with op.batch_alter_table("hd_login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_hd_login_failures_key_at")

    op.drop_table("hd_login_failures")
    op.drop_table("hd_events")
    op.drop_table("hd_advisors")

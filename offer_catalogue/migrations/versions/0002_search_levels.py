"""Search top-k: posting indexes by (term, weight) and by offer, and per-term weight counts.

Revision ID: 0002_search_levels
Revises: 0001_initial
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0002_search_levels"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration and fill the new table from the existing index."""
    op.create_table(
        "search_term_weights",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("offer_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", "weight"),
    )
    with op.batch_alter_table("offer_search_terms", schema=None) as batch_op:
        batch_op.create_index(
            "ix_offer_search_terms_term_weight", ["term", "weight", "offer_id"], unique=False
        )
        batch_op.create_index(
            "ix_offer_search_terms_offer_term", ["offer_id", "term", "weight"], unique=False
        )
        batch_op.drop_index("ix_offer_search_terms_offer")
    op.execute(
        "INSERT INTO search_term_weights (term, weight, offer_count) "
        "SELECT term, weight, COUNT(*) FROM offer_search_terms GROUP BY term, weight"
    )
    # A new vocabulary version makes running processes drop their cached search data.
    meta = sa.table("catalogue_meta", sa.column("key", sa.String), sa.column("value", sa.String))
    op.execute(meta.delete().where(meta.c.key == "vocabulary_version"))
    op.execute(meta.insert().values(key="vocabulary_version", value=uuid.uuid4().hex))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("offer_search_terms", schema=None) as batch_op:
        batch_op.create_index("ix_offer_search_terms_offer", ["offer_id"], unique=False)
        batch_op.drop_index("ix_offer_search_terms_offer_term")
        batch_op.drop_index("ix_offer_search_terms_term_weight")
    op.drop_table("search_term_weights")

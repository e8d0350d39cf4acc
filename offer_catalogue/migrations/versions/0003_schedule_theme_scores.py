"""Offering schedule bit masks (days_mask, day_parts), coordinates, and a tagger score per offer theme.

Revision ID: 0003_schedule_theme_scores
Revises: 0002_search_levels
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_schedule_theme_scores"
down_revision = "0002_search_levels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the nullable columns; existing rows are filled by `python -m offer_catalogue retag`."""
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("days_mask", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("day_parts", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))
    with op.batch_alter_table("offer_themes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("score", sa.Float(), nullable=True))
    # The location's coordinates, copied like the municipality so a distance needs no join.
    for column in ("latitude", "longitude"):
        op.execute(
            f"UPDATE offerings SET {column} = (SELECT locations.{column} FROM locations "
            "WHERE locations.id = offerings.location_id)"
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("offer_themes", schema=None) as batch_op:
        batch_op.drop_column("score")
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
        batch_op.drop_column("day_parts")
        batch_op.drop_column("days_mask")

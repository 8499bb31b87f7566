"""frozen group-figure releases per link and block; daily decile snapshots for result pages

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cohort_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("rubric_version", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("epsilon", sa.Float(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["quiz_links.id"],
            name=op.f("fk_cohort_releases_link_id_quiz_links"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_releases")),
        sa.UniqueConstraint("link_id", "rubric_version", "size", name="uq_cohort_releases_block"),
    )
    op.create_table(
        "compare_snapshots",
        sa.Column("rubric_id", sa.String(length=64), nullable=False),
        sa.Column("rubric_version", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("cuts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint(
            "rubric_id", "rubric_version", "day", name=op.f("pk_compare_snapshots")
        ),
    )


def downgrade() -> None:
    op.drop_table("compare_snapshots")
    op.drop_table("cohort_releases")

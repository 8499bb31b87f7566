"""statistics rollup and percentile index

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stat_rollup",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("link_key", sa.Integer(), nullable=False),
        sa.Column("rubric_id", sa.String(length=64), nullable=False),
        sa.Column("rubric_version", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind",
            "link_key",
            "rubric_id",
            "rubric_version",
            "key",
            "day",
            "value",
            name=op.f("pk_stat_rollup"),
        ),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("stat_rollup", schema=None) as batch_op:
        batch_op.create_index("ix_stat_rollup_day", ["day"], unique=False)

    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.create_index(
            "ix_results_rubric_overall", ["rubric_id", "rubric_version", "overall"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.drop_index("ix_results_rubric_overall")

    with op.batch_alter_table("stat_rollup", schema=None) as batch_op:
        batch_op.drop_index("ix_stat_rollup_day")

    op.drop_table("stat_rollup")

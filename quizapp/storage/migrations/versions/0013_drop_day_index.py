"""drop the index of results by day alone: every query that picks results by day also names the
rubric and its version (ix_results_rubric_day), and only the purge of old results read it, while
every submission paid for keeping it (a b-tree and about a page of the write-ahead log each)

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("results") as batch_op:
        batch_op.drop_index("ix_results_completed_on")


def downgrade() -> None:
    with op.batch_alter_table("results") as batch_op:
        batch_op.create_index("ix_results_completed_on", ["completed_on"], unique=False)

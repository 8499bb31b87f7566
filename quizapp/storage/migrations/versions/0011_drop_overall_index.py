"""drop the index of results by overall score: the comparison with others reads the day's
snapshot of the running totals now, and nothing else looks results up by score, while every
submission paid for keeping it

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("results") as batch_op:
        batch_op.drop_index("ix_results_rubric_overall")


def downgrade() -> None:
    with op.batch_alter_table("results") as batch_op:
        batch_op.create_index(
            "ix_results_rubric_overall", ["rubric_id", "rubric_version", "overall"], unique=False
        )

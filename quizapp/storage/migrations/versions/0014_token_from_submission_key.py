"""results keep no submission key: a result's token is made from its questionnaire page's
one-time key (models.submission_token), so the token's own unique index finds a page posted
twice, and a submission no longer inserts into a second index of random keys (at a million
results, a random leaf of another large b-tree and a page of the write-ahead log each)

A page shown before this upgrade and posted both before and after it would be stored twice;
nothing else changes for people taking the quiz. On SQLite the results table is rebuilt (a
UNIQUE column cannot be dropped in place), which takes a while for a large table (about two
minutes for a million results), and the old table's pages stay free in the file until
``sqlite3 instance/quizapp.sqlite VACUUM`` gives them back (half a minute).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_results_submission_key"), type_="unique")
        batch_op.drop_column("submission_key")


def downgrade() -> None:
    # The keys are gone; results stored since keep their page's key only inside their token.
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_key", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_results_submission_key"), ["submission_key"]
        )

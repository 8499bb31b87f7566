"""lighter submission writes: the links' index of results leaves out results taken without a
link (every query of it names a link), and on SQLite a result's scores are kept in their
primary key's b-tree alone (WITHOUT ROWID) instead of a table plus an index

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

LINKED = sa.text("link_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_results_link_day", table_name="results")
    op.create_index(
        "ix_results_link_day",
        "results",
        ["link_id", "completed_on"],
        unique=False,
        sqlite_where=LINKED,
        postgresql_where=LINKED,
    )
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "result_scores", recreate="always", table_kwargs={"sqlite_with_rowid": False}
        ):
            pass


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "result_scores", recreate="always", table_kwargs={"sqlite_with_rowid": True}
        ):
            pass
    op.drop_index("ix_results_link_day", table_name="results")
    op.create_index("ix_results_link_day", "results", ["link_id", "completed_on"], unique=False)

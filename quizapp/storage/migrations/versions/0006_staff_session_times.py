"""staff sessions keep when they started and were last used, so they can time out

Revision ID: 0006
Revises: 0005

Open sessions are deleted, not given made-up times: a session row older than this revision
only knows its day, so it cannot be checked against the timeouts. Everyone signs in again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM staff_sessions"))
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_column("started_on")
        batch_op.add_column(sa.Column("started_at", sa.DateTime(), nullable=False))
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(), nullable=False))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM staff_sessions"))
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
        batch_op.drop_column("started_at")
        batch_op.add_column(sa.Column("started_on", sa.Date(), nullable=False))

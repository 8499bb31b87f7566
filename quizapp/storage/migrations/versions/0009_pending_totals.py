"""submissions queue their running totals in rollup_pending; per-link score values and overall
score values in stat_rollup, computed here for the results already stored

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _rounded(column: str) -> str:
    """``column`` to two decimals as a float, on SQLite and PostgreSQL (which rounds numerics)."""
    if op.get_bind().dialect.name == "postgresql":
        return f"CAST(ROUND(CAST({column} AS NUMERIC), 2) AS DOUBLE PRECISION)"
    return f"ROUND({column}, 2)"


def upgrade() -> None:
    op.create_table(
        "rollup_pending",
        sa.Column("result_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["results.id"],
            name=op.f("fk_rollup_pending_result_id_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("result_id", name=op.f("pk_rollup_pending")),
    )
    # The new kinds of running total for the results already stored: each link's score values
    # (a link's dashboard then never reads its results) and overall values (the comparison).
    value = _rounded("s.score")
    # No outside input here: the text is fixed but for the dialect's rounding.
    op.execute(
        "INSERT INTO stat_rollup (kind, link_key, rubric_id, rubric_version, key, day, value, n, "  # noqa: S608
        "total) "
        f"SELECT 'val', COALESCE(r.link_id, 0), r.rubric_id, r.rubric_version, s.dimension_id, "
        f"r.completed_on, {value}, COUNT(*), 0.0 "
        "FROM result_scores s JOIN results r ON r.id = s.result_id WHERE s.score IS NOT NULL "
        f"GROUP BY COALESCE(r.link_id, 0), r.rubric_id, r.rubric_version, s.dimension_id, "
        f"r.completed_on, {value}"
    )
    op.execute(
        "INSERT INTO stat_rollup (kind, link_key, rubric_id, rubric_version, key, day, value, n, "
        "total) "
        "SELECT 'ovl', -1, rubric_id, rubric_version, '', completed_on, overall, COUNT(*), 0.0 "
        "FROM results WHERE overall IS NOT NULL "
        "GROUP BY rubric_id, rubric_version, completed_on, overall"
    )


def downgrade() -> None:
    # Pending results are folded in first, by `flask stats fold`, before a downgrade.
    op.execute("DELETE FROM stat_rollup WHERE kind = 'ovl' OR (kind = 'val' AND link_key <> -1)")
    op.drop_table("rollup_pending")

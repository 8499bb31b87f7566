"""monthly running totals beside the daily ones: kind + '/m', day = the first of the month,
added up here from the daily rows already stored

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

KINDS = "('all', 'band', 'dim', 'ans', 'val', 'ovl', 'cvn', 'cvs', 'cov')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        month = "CAST(date_trunc('month', day) AS DATE)"
    else:
        month = "date(day, 'start of month')"
    # No outside input here: the text is fixed but for the dialect's month function.
    op.execute(
        "INSERT INTO stat_rollup (kind, link_key, rubric_id, rubric_version, key, day, value, n, "  # noqa: S608
        "total) "
        f"SELECT kind || '/m', link_key, rubric_id, rubric_version, key, {month}, value, "
        "SUM(n), SUM(total) FROM stat_rollup "
        f"WHERE kind IN {KINDS} "
        f"GROUP BY kind, link_key, rubric_id, rubric_version, key, {month}, value"
    )


def downgrade() -> None:
    op.execute("DELETE FROM stat_rollup WHERE kind LIKE '%/m'")

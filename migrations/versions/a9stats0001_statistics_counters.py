"""statistics: lead funnel, lead per-day and inquiry origin counter rows kept by triggers; an index
for the median time to first contact

Revision ID: a9stats0001
Revises: a14page0001
Create Date: 2026-12-02 04:20:00

"""

from alembic import op
import sqlalchemy as sa

from leads.models.stats_counts import recount_sql, stats_drop_sql, stats_sql


# revision identifiers, used by Alembic.
revision = "a9stats0001"
down_revision = "a14page0001"
branch_labels = None
depends_on = None

_TOTAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "lead_funnel_counts",
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("contacted", sa.Boolean(), nullable=False),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("total", _TOTAL, nullable=False),
        sa.PrimaryKeyConstraint("status", "contacted", "shard"),
    )
    op.create_table(
        "lead_day_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("total", _TOTAL, nullable=False),
        sa.PrimaryKeyConstraint("day", "shard"),
    )
    op.create_table(
        "inquiry_origin_counts",
        sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("total", _TOTAL, nullable=False),
        sa.PrimaryKeyConstraint("article_id", "source", "shard"),
    )
    dialect = op.get_bind().dialect.name
    # Count the rows there are, then let the triggers keep the counts (same transaction on PostgreSQL).
    for statement in recount_sql(dialect) + stats_sql(dialect):
        op.execute(statement)
    # Not a batch operation: on SQLite that could rebuild `leads` and lose its triggers.
    op.create_index(
        "ix_leads_contacted_created",
        "leads",
        ["created_at"],
        unique=False,
        postgresql_where=sa.text("first_contacted_at IS NOT NULL AND merged_into_id IS NULL"),
        sqlite_where=sa.text("first_contacted_at IS NOT NULL AND merged_into_id IS NULL"),
    )


def downgrade():
    op.drop_index("ix_leads_contacted_created", table_name="leads")
    for statement in stats_drop_sql(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("inquiry_origin_counts")
    op.drop_table("lead_day_counts")
    op.drop_table("lead_funnel_counts")

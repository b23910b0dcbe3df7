"""leads: per-status counter rows kept by triggers; a trigram index for the name search; export_jobs

Revision ID: a9perf0001
Revises: a13i18n0001
Create Date: 2026-12-02 01:50:00

"""

from alembic import op
import sqlalchemy as sa

import leads.models.base
import leads.models.types

from leads.models.status_counts import DROP_SQL, RECOUNT_SQL, counts_sql


# revision identifiers, used by Alembic.
revision = "a9perf0001"
down_revision = 'a13i18n0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filters", leads.models.types.JSONType(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=80), nullable=True),
        sa.Column("created_at", leads.models.base.UTCDateTime(), nullable=False),
        sa.Column("finished_at", leads.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_jobs_user_id"), ["user_id"], unique=False)
    op.create_table(
        "lead_status_counts",
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("total", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("status", "shard"),
    )
    dialect = op.get_bind().dialect.name
    # Count the leads there are, then let the triggers keep the count (same transaction on PostgreSQL).
    for statement in RECOUNT_SQL + counts_sql(dialect):
        op.execute(statement)
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # The phone search is a prefix LIKE: only text_pattern_ops serves it under any collation.
        op.execute("DROP INDEX ix_leads_phone")
        op.execute("CREATE INDEX ix_leads_phone ON leads (phone text_pattern_ops)")
    op.create_index(
        "ix_leads_name_trgm",
        "leads",
        ["full_name"],
        postgresql_using="gin",
        postgresql_ops={"full_name": "gin_trgm_ops"},
    )


def downgrade():
    dialect = op.get_bind().dialect.name
    op.drop_index("ix_leads_name_trgm", table_name="leads")
    if dialect == "postgresql":
        op.execute("DROP INDEX ix_leads_phone")
        op.execute("CREATE INDEX ix_leads_phone ON leads (phone)")
    for statement in DROP_SQL[dialect]:
        op.execute(statement)
    op.drop_table("lead_status_counts")
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_jobs_user_id"))
    op.drop_table("export_jobs")

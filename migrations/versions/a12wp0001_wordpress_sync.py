"""wordpress sync: its state per site, and unpublished articles

Revision ID: a12wp0001
Revises: a7inq0001
Create Date: 2026-12-02 01:10:00.000000

"""

from alembic import op
import sqlalchemy as sa

import leads.models.base
import leads.models.types


# revision identifiers, used by Alembic.
revision = "a12wp0001"
down_revision = "a7inq0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "wordpress_syncs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_url", sa.String(length=500), nullable=False),
        sa.Column("cursor", leads.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("running_since", leads.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("validators", leads.models.types.JSONType(), nullable=False),
        sa.Column("last_started_at", leads.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", leads.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", leads.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("last_post_errors", leads.models.types.JSONType(), nullable=False),
        sa.Column("last_counts", leads.models.types.JSONType(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_url"),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unpublished_at", leads.models.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("unpublished_at")
    op.drop_table("wordpress_syncs")

"""outbox lease: a worker's renewable hold on a row it is sending

Revision ID: a8out0001
Revises: a7cnt0001
Create Date: 2026-12-02 01:00:00

"""

from alembic import op
import sqlalchemy as sa
import leads.models.base


# revision identifiers, used by Alembic.
revision = "a8out0001"
down_revision = 'a7cnt0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lease_expires_at", leads.models.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.drop_column("lease_expires_at")

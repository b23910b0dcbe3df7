"""leads.urgent_since: when the latest red flag arrived (the urgent response is due from then)

Revision ID: a7qst0001
Revises: a7inq0001
Create Date: 2026-12-02 00:45:00

"""

from alembic import op
import sqlalchemy as sa
import leads.models.base


# revision identifiers, used by Alembic.
revision = "a7qst0001"
down_revision = "a7inq0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("urgent_since", leads.models.base.UTCDateTime(), nullable=True))
    # Leads already urgent: the time of their latest red-flag event.
    op.execute(
        "UPDATE leads SET urgent_since = (SELECT max(lead_events.created_at) FROM lead_events"
        " WHERE lead_events.lead_id = leads.id AND lead_events.kind = 'red_flag')"
        " WHERE is_urgent"
    )


def downgrade():
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_column("urgent_since")

"""articles: condition profile (WordPress mapping, admin's choice) and the admin-corrected symptom list

Revision ID: a14cnd0001
Revises: a7sec0001
Create Date: 2026-12-02 01:30:00

"""

from alembic import op
import sqlalchemy as sa
import leads.models.base
import leads.models.types


# revision identifiers, used by Alembic.
revision = "a14cnd0001"
down_revision = 'a7sec0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("found_symptoms", leads.models.types.JSONType(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("symptoms_corrected_at", leads.models.base.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("wp_profile", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("admin_profile", sa.String(length=40), nullable=True))
    # The model has no server default: the column is set by every import.
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.alter_column("found_symptoms", server_default=None)
    op.execute("UPDATE articles SET found_symptoms = symptoms")
    # Every article imported so far was asked the spinal stenosis questionnaire: keep it so, as if an
    # admin had chosen it, until an admin picks another profile or resets the choice.
    op.execute("UPDATE articles SET admin_profile = 'spinal_stenosis'")


def downgrade():
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("admin_profile")
        batch_op.drop_column("wp_profile")
        batch_op.drop_column("symptoms_corrected_at")
        batch_op.drop_column("found_symptoms")

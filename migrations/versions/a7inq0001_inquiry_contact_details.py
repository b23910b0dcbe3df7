"""inquiry contact details: what each inquiry proposed, and the coordinator's decision

Revision ID: a7inq0001
Revises: 7dcae1ae5a15
Create Date: 2026-12-02 00:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7inq0001'
down_revision = '7dcae1ae5a15'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('contact_decision', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.drop_column('contact_decision')
        batch_op.drop_column('phone')
        batch_op.drop_column('full_name')

"""old article slugs, answered with a permanent redirect

Revision ID: a7cnt0001
Revises: a7qst0001
Create Date: 2026-12-02 00:50:00

"""
from alembic import op
import sqlalchemy as sa
import leads.models.base


# revision identifiers, used by Alembic.
revision = 'a7cnt0001'
down_revision = 'a7qst0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('article_slugs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('created_at', leads.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    with op.batch_alter_table('article_slugs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_slugs_article_id'), ['article_id'], unique=False)


def downgrade():
    with op.batch_alter_table('article_slugs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_slugs_article_id'))

    op.drop_table('article_slugs')

"""leads: the language the person reads (the latest inquiry's article's); articles: their translations

Revision ID: a13i18n0001
Revises: a12wp0001
Create Date: 2026-12-02 01:50:00

"""

from alembic import op
import sqlalchemy as sa
import leads.models.types


# revision identifiers, used by Alembic.
revision = "a13i18n0001"
down_revision = 'a12wp0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("translations", leads.models.types.JSONType(), nullable=False, server_default="{}")
        )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=16), nullable=False, server_default="en"))
        batch_op.create_index(batch_op.f("ix_leads_language"), ["language"], unique=False)
    # Leads before this revision take the language of their latest inquiry's article.
    op.execute(
        """
        UPDATE leads SET language = COALESCE((
            SELECT articles.language FROM inquiries JOIN articles ON articles.id = inquiries.article_id
            WHERE inquiries.lead_id = leads.id
            ORDER BY inquiries.created_at DESC, inquiries.id DESC LIMIT 1
        ), 'en')
        """
    )


def downgrade():
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_language"))
        batch_op.drop_column("language")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("translations")

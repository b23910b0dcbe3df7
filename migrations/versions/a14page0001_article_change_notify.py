"""articles: a notification at the commit of every write, so the web processes' cached pages need no query

Revision ID: a14page0001
Revises: a9perf0001
Create Date: 2026-12-02 04:30:00

"""

from alembic import op

from leads.models.article_notify import DROP_SQL, POSTGRES_SQL


# revision identifiers, used by Alembic.
revision = "a14page0001"
down_revision = "a9perf0001"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no notifications: each GET checks its page with a query
    for statement in POSTGRES_SQL:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in DROP_SQL:
        op.execute(statement)

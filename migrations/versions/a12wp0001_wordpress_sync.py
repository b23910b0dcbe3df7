"""wordpress sync state, unpublished articles; API keys, idempotency records; webhooks

Revision ID: a12wp0001
Revises: a11crm0001
Create Date: 2026-12-02 01:10:00.000000

"""

from alembic import op
import sqlalchemy as sa

import leads.models.base
import leads.models.types


# revision identifiers, used by Alembic.
revision = "a12wp0001"
down_revision = 'a11crm0001'
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
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", leads.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", leads.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", leads.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("prefix"),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", leads.models.types.JSONType(), nullable=False),
        sa.Column("created_at", leads.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope", "key"),
    )
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("events", leads.models.types.JSONType(), nullable=False),
        sa.Column("allow_health_details", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", leads.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("payload", leads.models.types.JSONType(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", leads.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", leads.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", leads.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", leads.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["endpoint_id"], ["webhook_endpoints.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_deliveries_endpoint_id"), ["endpoint_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_webhook_deliveries_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(
            "ix_webhook_deliveries_unsent_due",
            ["due_at"],
            unique=False,
            postgresql_where=sa.text("status IN ('pending', 'sending')"),
            sqlite_where=sa.text("status IN ('pending', 'sending')"),
        )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unpublished_at", leads.models.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("unpublished_at")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
    op.drop_table("idempotency_records")
    op.drop_table("api_keys")
    op.drop_table("wordpress_syncs")

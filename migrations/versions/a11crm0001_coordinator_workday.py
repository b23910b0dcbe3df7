"""next_steps (a lead's tasks), saved_views (named inbox filters), patient_messages, saved_replies, consultations, inbound_messages and inbound_attachments

Revision ID: a11crm0001
Revises: a14cnd0001
Create Date: 2026-12-02 01:30:00

"""

from alembic import op
import sqlalchemy as sa
import leads.models.base


# revision identifiers, used by Alembic.
revision = "a11crm0001"
down_revision = 'a14cnd0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "next_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("details", sa.String(length=500), nullable=False),
        sa.Column("due_at", leads.models.base.UTCDateTime(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", leads.models.base.UTCDateTime(), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", leads.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"]),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["completed_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("next_steps", schema=None) as batch_op:
        batch_op.create_index("ix_next_steps_lead_due", ["lead_id", "due_at", "id"], unique=False)
        batch_op.create_index(
            "ix_next_steps_open_assignee_due",
            ["assignee_id", "due_at"],
            unique=False,
            postgresql_where=sa.text("completed_at IS NULL"),
            sqlite_where=sa.text("completed_at IS NULL"),
        )

    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("created_at", leads.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_views_user_name"),
    )
    with op.batch_alter_table("saved_views", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_views_user_id"), ["user_id"], unique=False)


    op.create_table(
        "patient_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", leads.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"]),
        sa.ForeignKeyConstraint(["email_id"], ["outbound_emails.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email_id"),
    )
    with op.batch_alter_table("patient_messages", schema=None) as batch_op:
        batch_op.create_index("ix_patient_messages_lead_created", ["lead_id", "created_at"], unique=False)

    op.create_table(
        "saved_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", leads.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", leads.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("title"),
    )

    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=120), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("starts_at", leads.models.base.UTCDateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=16), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", leads.models.base.UTCDateTime(), nullable=True),
        sa.Column("created_at", leads.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", leads.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"]),
        sa.ForeignKeyConstraint(["coordinator_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.create_index("ix_consultations_starts", ["starts_at"], unique=False)
        batch_op.create_index("ix_consultations_lead", ["lead_id", "starts_at"], unique=False)

    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("matched_by", sa.String(length=16), nullable=True),
        sa.Column("from_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=True),
        sa.Column("received_at", leads.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.create_index("ix_inbound_messages_lead_received", ["lead_id", "received_at"], unique=False)
    op.create_table(
        "inbound_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["inbound_messages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inbound_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbound_attachments_message_id"), ["message_id"], unique=False)


def downgrade():
    with op.batch_alter_table("inbound_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_attachments_message_id"))
    op.drop_table("inbound_attachments")
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_messages_lead_received")
    op.drop_table("inbound_messages")
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_index("ix_consultations_lead")
        batch_op.drop_index("ix_consultations_starts")
    op.drop_table("consultations")
    op.drop_table("saved_replies")
    with op.batch_alter_table("patient_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_patient_messages_lead_created")
    op.drop_table("patient_messages")
    with op.batch_alter_table("saved_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_views_user_id"))
    op.drop_table("saved_views")
    with op.batch_alter_table("next_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_next_steps_open_assignee_due")
        batch_op.drop_index("ix_next_steps_lead_due")
    op.drop_table("next_steps")

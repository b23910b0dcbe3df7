"""API keys for server-to-server senders, and the answers kept for Idempotency-Key retries."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from leads.extensions import db
from leads.models.base import UTCDateTime, utcnow
from leads.models.types import JSONType


class ApiKey(db.Model):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    # The key's public part, to find the row; the whole key is only ever stored as its SHA-256.
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(db.Model):
    """The first answer to (sender, Idempotency-Key); a retry gets it back, another body a 422."""

    __tablename__ = "idempotency_records"
    __table_args__ = (sa.UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "key:<api key id>" or "client:<address>": one sender's keys never meet another's.
    scope: Mapped[str] = mapped_column(sa.String(80))
    key: Mapped[str] = mapped_column(sa.String(255))
    # SHA-256 of the request body as parsed JSON, so the same body retried matches.
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int]
    # The answer sent: a status and the article's address, nothing personal.
    body: Mapped[dict] = mapped_column(JSONType(), default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

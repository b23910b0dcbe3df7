"""The state of the WordPress sync: one row per site, kept between runs."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from leads.extensions import db
from leads.models.base import UTCDateTime
from leads.models.types import JSONType


class WordPressSync(db.Model):
    __tablename__ = "wordpress_syncs"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_url: Mapped[str] = mapped_column(sa.String(500), unique=True)
    # The newest `modified_gmt` of the last complete run: the next run asks for what changed after it.
    cursor: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set while a run holds the site, so the beat task and the command never run it twice at once.
    running_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # {request URL: {"etag", "last_modified", "ids"?}} from the last complete run, for conditional GETs.
    validators: Mapped[dict] = mapped_column(JSONType(), default=dict)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # One line when the run stopped early (a page failed); empty when it went through.
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    # [{"wp_id": int, "error": str}]: posts the last run could not import.
    last_post_errors: Mapped[list] = mapped_column(JSONType(), default=list)
    # {"created", "updated", "unchanged", "hidden"}
    last_counts: Mapped[dict] = mapped_column(JSONType(), default=dict)

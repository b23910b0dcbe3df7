"""The sweep (beat, every minute): take back rows a dead worker left, then ask for batch sends."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from flask import current_app

from leads.mail.claim import count_due, release_stuck
from leads.mail.outbox import publish_batches

log = logging.getLogger(__name__)

# Enough batch tasks to keep a few workers busy; the next sweep asks for more.
MAX_BATCHES_PER_SWEEP = 8


@dataclass(frozen=True)
class SweepResult:
    released: int
    due: int
    batches_published: int


def sweep() -> SweepResult:
    """Release stuck rows, count the due ones, publish enough batch tasks to send them."""
    released = release_stuck()
    due = count_due()
    batches = min(MAX_BATCHES_PER_SWEEP, math.ceil(due / current_app.config["OUTBOX_BATCH_SIZE"]))
    published = publish_batches(batches) if batches else 0
    if released or due:
        log.info("outbox sweep: %s released, %s due, %s batches published", released, due, published)
    return SweepResult(released, due, published)

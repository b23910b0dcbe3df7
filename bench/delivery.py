"""2,000 due confirmations delivered by the Celery worker vs plain smtplib over one connection.

The confirmations are stored through the app's own submission service, in this process, with
their broker hint sent under a key prefix no worker reads: the rows wait in the outbox as they
would after a broker outage. One sweep task (what beat sends every minute) then sets the worker
going; the clock stops when the sink has the last of them.
"""

from __future__ import annotations

import time
import uuid

import sqlalchemy as sa

from bench import baselines
from bench.load import SYMPTOMS, median
from bench.stack import SLUG, Stack
from bench.web_load import tagged, wait_for_deliveries
from leads import create_app, task_names
from leads.extensions import db
from leads.inquiries.service import InquiryData, submit_inquiry
from leads.models import Article


def store_due_confirmations(stack: Stack, count: int, tag: str) -> None:
    prefix = f"bench-unread-{uuid.uuid4().hex[:8]}:"
    app = create_app(env={**stack.env, "CELERY_KEY_PREFIX": prefix})
    with app.app_context():
        article = db.session.scalar(sa.select(Article).filter_by(slug=SLUG))
        for _ in range(count):
            submit_inquiry(
                article,
                InquiryData(
                    submission_id=uuid.uuid4().hex,
                    full_name="Bench Patient",
                    email=f"bench.{tag}.{uuid.uuid4().hex[:16]}@example.org",
                    consent_text="I agree to be contacted about my inquiry.",
                    consent_version="bench",
                    symptoms=SYMPTOMS,
                    message="Walking more than ten minutes hurts.",
                ),
            )
        db.session.remove()
        db.engine.dispose()
    import redis

    broker = redis.Redis.from_url(stack.env["REDIS_URL"])
    for key in broker.scan_iter(f"{prefix}*"):
        broker.delete(key)


def send_sweep(stack: Stack) -> None:
    app = create_app(env=stack.env)
    with app.app_context():
        app.extensions["celery"].send_task(task_names.SWEEP_OUTBOX)


def worker_round(stack: Stack, count: int, tag: str) -> dict:
    store_due_confirmations(stack, count, tag)
    cpu_before = stack.cpu()["worker"]
    started = time.monotonic()
    send_sweep(stack)
    finished = wait_for_deliveries(stack, tag, count, timeout=600)
    cpu = stack.cpu()["worker"] - cpu_before
    mine = tagged(stack, tag)
    return {
        "messages": count,
        "seconds": finished - started,
        "worker_cpu_ms_per_email": cpu * 1000 / count,
        "smtp_connections": len({d.connection for d in mine}),
        "median_bytes": int(median([d.size for d in mine])),
    }


def confirmations(stack: Stack, count: int, rounds: int) -> dict:
    ours, theirs = [], []
    for n in range(rounds):
        ours.append(worker_round(stack, count, f"batch{n}"))
        port = int(stack.env["MAIL_PORT"])
        theirs.append(
            {"messages": count, "seconds": baselines.plain_smtp(port, count, ours[-1]["median_bytes"])}
        )
    return {
        "built": ours,
        "baseline": theirs,
        "built_seconds": median([r["seconds"] for r in ours]),
        "baseline_seconds": median([r["seconds"] for r in theirs]),
        "worker_cpu_ms_per_email": median([r["worker_cpu_ms_per_email"] for r in ours]),
    }

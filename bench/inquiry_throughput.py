"""Inquiry submission: the whole POST (validate, dedup, store, outbox rows, publish) vs a bare insert.

    python -m bench.inquiry_throughput [-n 300]

The built path posts the real form through the Flask test client (CSRF and rate
limits off): it validates, normalizes, deduplicates the lead, stores the inquiry and
its follow-up outbox rows in one transaction, then publishes the due row to the
broker (Redis when REDIS_URL is set, else the server-less SQLite transport). The
baseline inserts one Lead and one Inquiry row with SQLAlchemy Core in one
transaction: the floor any design pays for durability on that database. A third
case stubs the after-commit publish, to show what the broker hint costs.
"""

from __future__ import annotations

import argparse
import os
import uuid
from unittest import mock

import sqlalchemy as sa

from bench.common import Result, backends, bench_app, import_seed, measure, print_table, save
from leads.extensions import db
from leads.models import Article, Inquiry, Lead


def run(n: int) -> list[Result]:
    return [result for backend in backends() for result in run_on(backend, n)]


def run_on(backend: str, n: int) -> list[Result]:
    results = []
    with bench_app(backend) as app:
        slug = import_seed(app)
        article = db.session.scalar(sa.select(Article).filter_by(slug=slug))
        article_id, symptoms = article.id, list(article.symptoms)
        client = app.test_client()
        run_id = uuid.uuid4().hex[:6]

        def post(i: int) -> None:
            response = client.post(
                f"/{slug}/",
                data={
                    "full_name": "Bench Patient",
                    "email": f"bench.{run_id}.{i}@example.org",
                    "preferred_contact": "email",
                    "symptoms": symptoms[:2],
                    "message": "Walking more than ten minutes hurts.",
                    "consent": "y",
                    "submission_id": uuid.uuid4().hex,
                },
            )
            assert response.status_code == 303, response.status_code

        def repeat(i: int) -> None:
            # The same person again: the lead is found by email and updated.
            response = client.post(
                f"/{slug}/",
                data={
                    "full_name": "Bench Patient",
                    "email": f"bench.{run_id}.0@example.org",
                    "preferred_contact": "email",
                    "consent": "y",
                    "submission_id": uuid.uuid4().hex,
                },
            )
            assert response.status_code == 303, response.status_code

        def bare(i: int) -> None:
            with db.engine.begin() as conn:
                lead_id = conn.execute(
                    sa.insert(Lead.__table__)
                    .values(
                        full_name="Bench Patient",
                        email=f"bare.{run_id}.{i}@example.org",
                        preferred_contact="email",
                        status="new",
                        is_urgent=False,
                        score=0,
                        last_inquiry_at=sa.func.current_timestamp(),
                        created_at=sa.func.current_timestamp(),
                        updated_at=sa.func.current_timestamp(),
                    )
                    .returning(Lead.__table__.c.id)
                ).scalar_one()
                conn.execute(
                    sa.insert(Inquiry.__table__).values(
                        lead_id=lead_id,
                        article_id=article_id,
                        submission_id=uuid.uuid4().hex,
                        symptoms=symptoms[:2],
                        message="Walking more than ten minutes hurts.",
                        preferred_contact="email",
                        consent_text="bench",
                        consent_version="bench",
                        consented_at=sa.func.current_timestamp(),
                        created_at=sa.func.current_timestamp(),
                    )
                )

        results.append(measure("POST inquiry, new lead (built)", backend, post, n))
        results.append(measure("POST inquiry, returning lead (built)", backend, repeat, n))
        # Where the time goes: the same POST without the after-commit broker publish.
        with mock.patch("leads.mail.outbox.publish", return_value=0):
            results.append(measure("POST inquiry, new lead, publish stubbed", backend, post, n))
        results.append(measure("baseline: bare INSERT lead+inquiry", backend, bare, n))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="submissions per case")
    args = parser.parse_args()
    results = run(args.n)
    print_table("Inquiry submission (Flask test client, one process, sequential)", results)
    name = "inquiry_throughput-redis" if os.environ.get("REDIS_URL") else "inquiry_throughput"
    print(f"\nsaved {save(name, results)}")


if __name__ == "__main__":
    main()

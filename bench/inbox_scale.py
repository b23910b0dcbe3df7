"""The dashboard inbox on a large table: keyset pages (built) vs OFFSET pages (baseline).

    python -m bench.inbox_scale [--leads 100000] [-n 50]

Seeds N leads, each with one inquiry, then times a whole inbox page (50 rows and its
batched side queries: latest inquiry, answers, questionnaire state, assignees) at the
top and halfway down. Beside it, the page's main query alone, halfway down, as built
(the keyset cursor of the "next page" link) and as the baseline (the same query with
OFFSET, what page-number pagination runs). Also: the per-status counts shown above the
inbox, and the number of SQL statements one page costs.
"""

from __future__ import annotations

import argparse
import random
from datetime import timedelta

import sqlalchemy as sa

from bench.common import Result, backends, bench_app, measure, print_table, save
from leads.dashboard.filters import conditions, parse_filters, status_counts
from leads.dashboard.inbox import load_page
from leads.dashboard.pagination import SORTS, decode_cursor, encode_cursor
from leads.extensions import db
from leads.models import Article, Inquiry, Lead, LeadStatus
from leads.models.base import utcnow

PAGE = 50
BATCH = 5000
STATUSES = [status.value for status in LeadStatus]


def seed(total: int) -> int:
    """`total` leads with one inquiry each, spread over a year; returns the article id."""
    article = Article(wp_id=1, slug="bench", title="Bench", html="<p>x</p>", symptoms=["Lower back pain"])
    db.session.add(article)
    db.session.commit()
    rng = random.Random(7)
    now = utcnow()
    for start in range(0, total, BATCH):
        leads, inquiries = [], []
        for i in range(start, min(start + BATCH, total)):
            when = now - timedelta(minutes=rng.randrange(525_600))
            leads.append(
                {
                    "id": i + 1,
                    "full_name": f"Patient {i}",
                    "email": f"patient{i}@example.com",
                    "status": rng.choice(STATUSES),
                    "is_urgent": rng.random() < 0.02,
                    "score": rng.randrange(101),
                    "preferred_contact": "email",
                    "last_inquiry_at": when,
                    "created_at": when,
                    "updated_at": when,
                }
            )
            inquiries.append(
                {
                    "lead_id": i + 1,
                    "article_id": article.id,
                    "submission_id": f"bench-{i}",
                    "symptoms": ["Lower back pain"],
                    "message": "",
                    "preferred_contact": "email",
                    "consent_text": "I agree.",
                    "consent_version": "bench",
                    "consented_at": when,
                    "utm_source": rng.choice([None, "google", "newsletter"]),
                    "created_at": when,
                }
            )
        db.session.execute(sa.insert(Lead), leads)
        db.session.execute(sa.insert(Inquiry), inquiries)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    return article.id


def _ordered(filters) -> sa.Select:
    sort = SORTS[filters.sort]
    return sa.select(Lead).where(*conditions(filters, None)).order_by(*sort.order_by())


def keyset_rows(filters, cursor: str) -> list[Lead]:
    """The inbox's main query for a later page, as built: rows after the cursor."""
    after = SORTS[filters.sort].after(decode_cursor(filters.sort, cursor))
    return list(db.session.scalars(_ordered(filters).where(after).limit(PAGE + 1)))


def offset_rows(filters, depth: int) -> list[Lead]:
    """The baseline: the same query and order, paged with OFFSET."""
    return list(db.session.scalars(_ordered(filters).offset(depth).limit(PAGE + 1)))


def cursor_at(filters, depth: int) -> str:
    """The cursor the inbox's "next page" link carries after `depth` rows."""
    lead = db.session.scalars(_ordered(filters).offset(depth - 1).limit(1)).one()
    return encode_cursor(filters.sort, lead)


def statements_per_page(filters, cursor: str | None) -> int:
    seen = []
    listener = lambda *args: seen.append(1)  # noqa: E731  (a counter, nothing more)
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        load_page(filters, None, utcnow(), cursor=cursor, size=PAGE)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def run_on(backend: str, total: int, n: int) -> list[Result]:
    results = []
    with bench_app(backend):
        seed(total)
        everyone, _ = parse_filters({}, SORTS)
        new_only, _ = parse_filters({"status": "new"}, SORTS)
        deep = total // 2
        deep_cursor = cursor_at(everyone, deep)
        now = utcnow()

        def timed(name, func):
            db.session.expire_all()
            results.append(measure(name, backend, func, n, warmup=5))

        timed("inbox page 1 (built)", lambda _i: load_page(everyone, None, now, size=PAGE))
        timed(
            f"inbox page at row {deep:,}, keyset (built)",
            lambda _i: load_page(everyone, None, now, deep_cursor),
        )
        timed(f"rows at {deep:,}: keyset query (built)", lambda _i: keyset_rows(everyone, deep_cursor))
        timed(f"baseline: rows at {deep:,}: OFFSET query", lambda _i: offset_rows(everyone, deep))
        timed("inbox page 1, status=new (built)", lambda _i: load_page(new_only, None, now, size=PAGE))
        timed("status counts (tabs above the inbox)", lambda _i: status_counts(everyone, None))
        first = statements_per_page(everyone, None)
        later = statements_per_page(everyone, deep_cursor)
        print(f"{backend}: SQL statements per inbox page: first {first}, deep {later}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("-n", type=int, default=50)
    args = parser.parse_args()
    results = [result for backend in backends() for result in run_on(backend, args.leads, args.n)]
    print_table(f"Inbox with {args.leads:,} leads ({PAGE} rows a page)", results)
    print(f"figures saved to {save('inbox_scale', results)}")


if __name__ == "__main__":
    main()

"""The dashboard inbox on a large table: keyset pages (built) vs OFFSET pages (baseline).

    python -m bench.inbox_scale [--leads 100000] [-n 50] [--backend postgresql]

Seeds N leads with `flask dev seed`'s loader (COPY on PostgreSQL), then times what one
inbox view queries (50 rows, their batched side queries, and the per-status tab counts)
at the top, under a status tab, halfway down, and for searches (exact email, email
prefix, a name, a fragment of a name). Beside them: the tab counts from the counter rows
(built) and by GROUP BY over every lead (baseline), and the page's main query halfway
down as keyset (built) and OFFSET (baseline).
"""

from __future__ import annotations

import argparse
import time

import sqlalchemy as sa

from bench.common import Result, backends, bench_app, measure, print_table, save
from leads.dashboard.filters import conditions, parse_filters, status_counts
from leads.dashboard.inbox import load_page
from leads.dashboard.pagination import SORTS, decode_cursor, encode_cursor
from leads.devtools.seed import seed_leads
from leads.extensions import db
from leads.models import Lead, LeadStatus
from leads.models.base import utcnow

PAGE = 50


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


def counts_by_group_by(filters) -> dict[str, int]:
    """The baseline for the tabs: one GROUP BY over every lead, as every page view ran it before."""
    rows = db.session.execute(
        sa.select(Lead.status, sa.func.count())
        .where(*conditions(filters, None, with_status=False))
        .group_by(Lead.status)
    )
    return dict(rows.all())


def inbox_view(filters, cursor: str | None = None) -> None:
    """What one inbox page view queries: the page of rows and the tab counts above it."""
    load_page(filters, None, utcnow(), cursor, size=PAGE)
    status_counts(filters, None)


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
        started = time.perf_counter()
        seed_leads(total)
        print(f"{backend}: seeded {total:,} leads in {time.perf_counter() - started:.1f} s")
        everyone, _ = parse_filters({}, SORTS)
        new_only, _ = parse_filters({"status": "new"}, SORTS)
        deep = total // 2
        deep_cursor = cursor_at(everyone, deep)
        middle = db.session.get(Lead, total // 3)
        by_email, _ = parse_filters({"q": middle.email}, SORTS)
        by_email_prefix, _ = parse_filters({"q": middle.email.split("@")[0]}, SORTS)
        surname = middle.full_name.split()[-1]
        by_name, _ = parse_filters({"q": surname}, SORTS)  # a quarter of a percent of the leads
        by_fragment, _ = parse_filters({"q": f"{middle.full_name.split()[0][1:]} {surname[:4]}"}, SORTS)
        by_phone, _ = parse_filters({"q": middle.phone[1:]}, SORTS)
        assert status_counts(everyone, None) == {
            **{status.value: 0 for status in LeadStatus},
            **counts_by_group_by(everyone),
        }

        def timed(name, func):
            db.session.expire_all()
            results.append(measure(name, backend, func, n, warmup=5))

        timed("inbox view, page 1 + tab counts (built)", lambda _i: inbox_view(everyone))
        timed(
            "baseline: page 1 + counts by GROUP BY",
            lambda _i: (load_page(everyone, None, utcnow(), size=PAGE), counts_by_group_by(everyone)),
        )
        timed("inbox view, status=new (built)", lambda _i: inbox_view(new_only))
        timed(f"inbox view at row {deep:,}, keyset (built)", lambda _i: inbox_view(everyone, deep_cursor))
        timed("tab counts: counter rows (built)", lambda _i: status_counts(everyone, None))
        timed("baseline: tab counts by GROUP BY", lambda _i: counts_by_group_by(everyone))
        timed(f"rows at {deep:,}: keyset query (built)", lambda _i: keyset_rows(everyone, deep_cursor))
        timed(f"baseline: rows at {deep:,}: OFFSET query", lambda _i: offset_rows(everyone, deep))
        timed("search: exact email, page + counts", lambda _i: inbox_view(by_email))
        timed("search: email prefix, page + counts", lambda _i: inbox_view(by_email_prefix))
        timed("search: surname, page + counts", lambda _i: inbox_view(by_name))
        timed("search: name fragment, page + counts", lambda _i: inbox_view(by_fragment))
        timed("search: phone digits, page + counts", lambda _i: inbox_view(by_phone))
        first = statements_per_page(everyone, None)
        later = statements_per_page(everyone, deep_cursor)
        print(f"{backend}: SQL statements per inbox page: first {first}, deep {later}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], help="only this database")
    args = parser.parse_args()
    chosen = [args.backend] if args.backend else backends()
    results = [result for backend in chosen for result in run_on(backend, args.leads, args.n)]
    print_table(f"Inbox with {args.leads:,} leads ({PAGE} rows a page)", results)
    print(f"figures saved to {save('inbox_scale', results)}")


if __name__ == "__main__":
    main()

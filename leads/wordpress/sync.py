"""`run_sync`: import new and changed posts, hide the ones the site no longer publishes.

Each post is applied on its own (the importer commits it whole, or not at all). The
cursor moves only when a run went through every page, so a run that stops on a failing
page keeps what it applied and the next one asks again from the same point; posts it
already has are recognised by their `modified_gmt` and skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from leads.articles.importer import ArticleImportError, import_post, parse_post
from leads.extensions import db
from leads.models import Article
from leads.models.base import utcnow
from leads.wordpress import state as sync_state
from leads.wordpress.client import SiteOptions, SyncError, get, get_page, parse_gmt, parse_json, posts_url

# `modified_after` is compared with the post's local time on the site; asking from a day
# earlier covers any time zone, and the posts seen again are skipped unread.
OVERLAP = timedelta(days=1)
# A runaway paging loop (a site that always says "one more page") stops here.
MAX_PAGES = 1000
# Statuses that say "this post is not public any more".
GONE_STATUSES = {401, 403, 404, 410}


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    hidden: int = 0
    post_errors: list[dict] = field(default_factory=list)
    error: str = ""

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "hidden": self.hidden,
        }


@dataclass
class _Run:
    options: SiteOptions
    cached: dict
    report: SyncReport = field(default_factory=SyncReport)
    validators: dict = field(default_factory=dict)
    newest: datetime | None = None
    # The oldest post that failed to import: the cursor stays before it, so it is retried.
    oldest_failure: datetime | None = None
    failed_undated: bool = False


def run_sync(options: SiteOptions) -> SyncReport:
    """One run against the site; SyncBusy when another run holds it. The report says what happened."""
    state = sync_state.claim(options.site_url)
    run = _Run(options=options, cached=dict(state.validators or {}), newest=state.cursor)
    try:
        _import_changes(run, state.cursor)
        _hide_and_catch_up(run)
    except SyncError as error:
        run.report.error = str(error)
    except Exception as error:
        db.session.rollback()
        sync_state.finish(
            state,
            error=f"Stopped by an unexpected {type(error).__name__}",
            post_errors=run.report.post_errors,
            counts=run.report.counts(),
        )
        raise
    sync_state.finish(
        state,
        error=run.report.error,
        post_errors=run.report.post_errors,
        counts=run.report.counts(),
        cursor=_next_cursor(run, state.cursor),
        validators=run.validators,
    )
    return run.report


def _next_cursor(run: _Run, previous: datetime | None) -> datetime | None:
    if run.failed_undated:
        return previous
    if run.oldest_failure is not None and (run.newest is None or run.oldest_failure < run.newest):
        return run.oldest_failure
    return run.newest


def _import_changes(run: _Run, cursor: datetime | None) -> None:
    """Every post modified since the cursor, oldest first, page by page."""
    params: dict[str, str | int] = {
        **run.options.filters(),
        "orderby": "modified",
        "order": "asc",
        "per_page": run.options.per_page,
    }
    if cursor is not None:
        params["modified_after"] = (cursor - OVERLAP).strftime("%Y-%m-%dT%H:%M:%S")
    for page in _pages(run, params):
        if page.items is None:
            # 304: the same posts as in the last complete run, all applied then.
            run.validators[page.url] = page.validators
        elif _apply_all(run, page.items) and page.validators:
            run.validators[page.url] = page.validators


def _hide_and_catch_up(run: _Run) -> None:
    """List every published id: hide the articles whose post left, import what paging missed."""
    params: dict[str, str | int] = {
        **run.options.filters(),
        "orderby": "id",
        "order": "asc",
        "per_page": 100,
        "_fields": "id,modified_gmt",
    }
    listed: dict[int, datetime | None] = {}
    for page in _pages(run, params):
        rows = page.validators.get("posts") if page.items is None else _id_rows(page.items, page.url)
        if rows is None:
            raise SyncError(f"{page.url} answered 304 but the last run kept no copy of it")
        if page.validators:
            run.validators[page.url] = {**page.validators, "posts": rows}
        listed.update((wp_id, parse_gmt(modified)) for wp_id, modified in rows)
    known = db.session.execute(db.select(Article.wp_id, Article.wp_modified_at, Article.unpublished_at)).all()
    have = {wp_id: (modified, hidden) for wp_id, modified, hidden in known}
    # A post edited while the pages were read can move past a page already read.
    missed = [
        wp_id
        for wp_id, modified in listed.items()
        if wp_id not in have or have[wp_id][1] is not None or have[wp_id][0] != modified
    ]
    for start in range(0, len(missed), 100):
        chunk = missed[start : start + 100]
        url = posts_url(run.options, {"include": ",".join(map(str, chunk)), "per_page": 100})
        items = parse_json(get(url, run.options).body, url)
        if not isinstance(items, list):
            raise SyncError(f"{url} did not answer with a list of posts")
        _apply_all(run, items)
    for wp_id, (_, hidden) in have.items():
        if hidden is None and wp_id not in listed and _confirmed_gone(run, wp_id):
            _hide(wp_id)
            run.report.hidden += 1


def _pages(run: _Run, params: dict[str, str | int]):
    """The listing's pages, in order, until `X-WP-TotalPages` (or a short page) says it ended."""
    for number in range(1, MAX_PAGES + 1):
        url = posts_url(run.options, {**params, "page": number})
        page = get_page(url, run.options, run.cached.get(url))
        yield page
        if page.total_pages is not None:
            if number >= page.total_pages:
                return
        elif page.items is None or len(page.items) < int(params["per_page"]):
            return
    raise SyncError(f"{run.options.site_url} listed more than {MAX_PAGES} pages; stopped")


def _apply_all(run: _Run, items: list) -> bool:
    """Apply each post; True when every one went in (or was already there)."""
    all_applied = True
    for item in items:
        modified = parse_gmt(item.get("modified_gmt")) if isinstance(item, dict) else None
        try:
            outcome = _apply(item)
        except ArticleImportError as error:
            all_applied = False
            wp_id = item.get("id") if isinstance(item, dict) else None
            entry = {"wp_id": wp_id if isinstance(wp_id, int) else None, "error": str(error)}
            if entry not in run.report.post_errors:  # read twice when the catch-up asks again
                run.report.post_errors.append(entry)
            if modified is None:
                run.failed_undated = True
            elif run.oldest_failure is None or modified < run.oldest_failure:
                run.oldest_failure = modified
            continue
        setattr(run.report, outcome, getattr(run.report, outcome) + 1)
        if modified is not None and (run.newest is None or modified > run.newest):
            run.newest = modified
    return all_applied


def _apply(item: object) -> str:
    """ "created", "updated" or "unchanged" (same `modified_gmt` as stored, and shown)."""
    post = parse_post(item)
    current = db.session.execute(
        db.select(Article.wp_modified_at, Article.unpublished_at).filter_by(wp_id=post.wp_id)
    ).first()
    if current is not None and post.modified_at is not None:
        modified, hidden = current
        if hidden is None and modified == post.modified_at:
            return "unchanged"
    return "created" if import_post(item).created else "updated"


def _id_rows(items: list, url: str) -> list[list]:
    rows = []
    for item in items:
        wp_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(wp_id, int) or isinstance(wp_id, bool) or wp_id <= 0:
            raise SyncError(f"{url} listed something that is not a post")
        rows.append([wp_id, item.get("modified_gmt")])
    return rows


def _confirmed_gone(run: _Run, wp_id: int) -> bool:
    """Asked one by one, so a listing that shifted while it was read never hides a live post."""
    url = posts_url(run.options, {"_fields": "id,status,categories,tags"}, post_id=wp_id)
    try:
        answer = get(url, run.options)
    except SyncError as error:
        status = getattr(error.__cause__, "status", None)
        if status in GONE_STATUSES:
            return True
        raise
    post = parse_json(answer.body, url)
    if not isinstance(post, dict):
        raise SyncError(f"{url} did not answer with a post")
    return post.get("status", "publish") != "publish" or not run.options.matches(post)


def _hide(wp_id: int) -> None:
    article = db.session.scalar(db.select(Article).filter_by(wp_id=wp_id))
    article.unpublished_at = utcnow()
    db.session.commit()

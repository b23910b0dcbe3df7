"""The sync against a fake WordPress: paging, increments, edits, unpublished posts, failures."""

from __future__ import annotations

import time

import pytest

from leads.extensions import db
from leads.models import Article, Inquiry, WordPressSync
from leads.wordpress.state import SyncBusy, claim
from tests.factories import make_inquiry


def articles() -> dict[int, Article]:
    db.session.expire_all()
    return {article.wp_id: article for article in db.session.scalars(db.select(Article))}


def state() -> WordPressSync:
    db.session.expire_all()
    return db.session.scalar(db.select(WordPressSync))


def test_two_syncs_import_three_posts_then_apply_an_edit_and_hide_an_unpublished_one(sync, wp, client):
    first = sync()
    assert (first.created, first.updated, first.hidden, first.error) == (3, 0, 0, "")
    assert sorted(articles()) == [101, 102, 103]
    # Paged like WordPress: two posts a page, the second page found through X-WP-TotalPages.
    pages = [
        params["page"]
        for path, params, status in wp.requests
        if "orderby" in params and params["orderby"] == "modified"
    ]
    assert pages == ["1", "2"]
    inquiry = make_inquiry(article=articles()[102])
    inquiry_id = inquiry.id

    wp.edit(101, title={"rendered": "Knee pain, edited"})
    wp.unpublish(102)
    second = sync()
    assert (second.created, second.updated, second.hidden, second.error) == (0, 1, 1, "")
    # Only what changed since the first run was asked for.
    changes = [params for path, params, status in wp.requests if params.get("orderby") == "modified"]
    assert "modified_after" not in changes[0]
    assert changes[-1]["modified_after"]
    now = articles()
    assert now[101].title == "Knee pain, edited"
    assert now[102].unpublished_at is not None
    assert client.get(f"/{now[102].slug}/").status_code == 410
    assert client.get(f"/{now[101].slug}/").status_code == 200
    # The hidden article's leads stay.
    assert db.session.get(Inquiry, inquiry_id) is not None


def test_a_post_published_again_is_shown_again(sync, wp, client):
    sync()
    wp.unpublish(102)
    assert sync().hidden == 1
    wp.edit(102, status="publish")
    assert sync().updated == 1
    assert articles()[102].unpublished_at is None
    assert client.get(f"/{articles()[102].slug}/").status_code == 200


def test_a_failing_page_keeps_what_was_applied_and_the_next_run_picks_up(sync, wp):
    wp.fail[("changes", 2)] = 500
    failed = sync()
    assert "HTTP 500" in failed.error
    assert failed.created == 2
    assert sorted(articles()) == [101, 102]
    assert state().cursor is None and state().last_success_at is None
    assert "HTTP 500" in state().last_error
    assert state().running_since is None

    del wp.fail[("changes", 2)]
    second = sync()
    assert (second.created, second.unchanged, second.error) == (1, 2, "")
    assert sorted(articles()) == [101, 102, 103]
    assert state().cursor is not None and state().last_error == ""


def test_a_failing_listing_of_ids_hides_nothing(sync, wp):
    sync()
    wp.unpublish(102)
    wp.fail[("ids", 1)] = 500
    failed = sync()
    assert "HTTP 500" in failed.error and failed.hidden == 0
    assert articles()[102].unpublished_at is None
    del wp.fail[("ids", 1)]
    assert sync().hidden == 1


def test_a_slow_page_is_cut_off_at_the_time_bound(sync, wp):
    wp.slow[("changes", 2)] = 30.0  # trickles a byte at a time: every read is quick, the whole is not
    started = time.monotonic()
    failed = sync(timeout=1)
    assert time.monotonic() - started < 10
    assert "within 1 seconds" in failed.error
    assert sorted(articles()) == [101, 102]
    assert state().cursor is None


def test_a_page_larger_than_the_bound_is_refused(sync, wp):
    failed = sync(max_bytes=2048)
    assert "too large" in failed.error
    assert articles() == {}


def test_an_unchanged_site_answers_304_and_nothing_is_imported_again(sync, wp):
    sync()
    sync()  # the first run had no cursor: this one asks `modified_after` for the first time
    before = {wp_id: article.updated_at for wp_id, article in articles().items()}
    wp.requests.clear()
    again = sync()
    assert (again.created, again.updated, again.hidden, again.error) == (0, 0, 0, "")
    assert wp.statuses() == [304, 304, 304], wp.requests  # two pages of changes, one of ids
    assert {wp_id: article.updated_at for wp_id, article in articles().items()} == before
    # and an edit after the 304s is still seen
    wp.edit(103, title={"rendered": "Spinal stenosis, edited"})
    assert sync().updated == 1


def test_the_category_filter_limits_the_posts_and_hides_those_that_leave_it(sync, wp):
    report = sync(categories=(7,))
    assert report.created == 2 and sorted(articles()) == [101, 102]
    assert all(
        params.get("categories") == "7" for path, params, status in wp.requests if path.endswith("/posts")
    )
    wp.edit(101, categories=[8])
    assert sync(categories=(7,)).hidden == 1
    assert articles()[101].unpublished_at is not None


def test_a_post_that_cannot_be_imported_is_reported_retried_and_taken_once_fixed(sync, wp):
    wp.edit(102, content={"rendered": ""})
    report = sync()
    assert report.created == 2 and report.error == ""
    assert report.post_errors == [
        {"wp_id": 102, "error": "Not a WordPress post: 'content.rendered' is missing or empty"}
    ]
    assert state().last_post_errors == report.post_errors
    # Still reported on the next run: the cursor stayed before it.
    assert sync().post_errors == report.post_errors
    wp.edit(102, content={"rendered": "<p>Back with text.</p>"})
    fixed = sync()
    assert fixed.created == 1 and fixed.post_errors == []
    assert state().last_post_errors == []


def test_a_second_run_while_one_holds_the_site_is_refused(sync, wp, app):
    claim(wp.url)
    with pytest.raises(SyncBusy):
        sync()
    assert articles() == {}


def test_a_post_edited_while_the_pages_are_read_does_not_hide_another_from_the_run(sync, wp):
    """Ordered by modified, an edit moves a post from page 1 to the end, so page 2 skips one."""

    def edit_once(params: dict) -> None:
        if params.get("orderby") == "modified" and params.get("page") == "1":
            wp.after_page = None
            wp.edit(101, title={"rendered": "Edited during the sync"})

    wp.after_page = edit_once
    report = sync()
    assert sorted(articles()) == [101, 102, 103]
    assert articles()[101].title == "Edited during the sync"
    # 103 was not on either page of changes: the listing of ids found it, `include` fetched it.
    assert any("include" in params for _, params, _ in wp.requests)
    assert report.error == "" and report.created == 3


def test_a_site_that_sends_last_modified_is_asked_with_if_modified_since(sync, wp):
    wp.etags, wp.last_modified = False, True
    sync()
    sync()
    wp.requests.clear()
    assert sync().error == ""
    assert wp.statuses() == [304, 304, 304]
    wp.edit(102, title={"rendered": "Edited"})
    assert sync().updated == 1


def test_a_site_without_validators_is_read_in_full_each_time(sync, wp):
    wp.etags = False
    sync()
    wp.requests.clear()
    again = sync()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert 304 not in wp.statuses()

"""The article page is rendered once per article version; each GET fills in only its own values.

Every visitor must still get exactly the page a full render would give them: their own CSRF
token and submission id, their campaign tags (escaped), the article as it is now, in its language.
"""

from __future__ import annotations

import json
import re
import select
import uuid
from contextlib import contextmanager
from unittest import mock
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import request

from leads.articles import page_cache
from leads.articles.importer import import_post
from leads.articles.routes import article_or_404, render_page
from leads.config import PROJECT_ROOT
from leads.extensions import db, limiter
from leads.inquiries.forms import build_form, tracking_from_request
from leads.links import base_url
from leads.models import Article
from tests.articles.conftest import load_post
from tests.factories import make_article
from tests.helpers import rendered
from tests.inquiries.conftest import valid_form

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SUBMISSION_ID = re.compile(r'name="submission_id" type="hidden" value="([0-9a-f]{32})"')
HOSTILE = "\"><script>alert(1)</script>&<b>'x"
SEED = PROJECT_ROOT / "seed" / "stem-cell-spinal-stenosis.wp.json"


def post_named(name: str) -> dict:
    """The bundled seed article (English) or one of the test posts."""
    return json.loads(SEED.read_text()) if name == "seed" else load_post(name)


@contextmanager
def statements(app):
    """Every statement the app's engine runs, and how many connections it takes from the pool."""
    seen: dict[str, list] = {"sql": [], "checkouts": []}

    def on_execute(_conn, _cursor, statement, *_args):
        seen["sql"].append(statement)

    def on_checkout(*_args):
        seen["checkouts"].append(1)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", on_execute)
    sa.event.listen(engine, "checkout", on_checkout)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_execute)
        sa.event.remove(engine, "checkout", on_checkout)


def heard_by_every_listener(app) -> None:
    """Another connection's commit reaches this process as a notification, a moment later (PostgreSQL)."""
    listener = app.extensions.get("article_changes")
    if listener is not None and listener.connection is not None:
        poller = select.poll()
        poller.register(listener.connection.fileno(), select.POLLIN)
        assert poller.poll(10_000), "no notification of the change"


@pytest.fixture
def csrf_app(make_app):
    """CSRF on, and no app context held around the requests: each has its own, as in production."""
    return make_app(RATELIMIT_ENABLED=False)


def test_each_visitor_gets_an_own_token_and_submission_id_that_a_post_accepts(csrf_app):
    with csrf_app.app_context():
        slug = make_article().slug
        db.session.commit()
    first_visitor, second_visitor = csrf_app.test_client(), csrf_app.test_client()
    with rendered(csrf_app) as names:
        pages = [client.get(f"/{slug}/").get_data(as_text=True) for client in (first_visitor, second_visitor)]
        again = first_visitor.get(f"/{slug}/").get_data(as_text=True)
    assert names.count("articles/show.html") == 1  # the later GETs were filled in, not rendered
    tokens = [CSRF.search(page).group(1) for page in pages]
    ids = [SUBMISSION_ID.search(page).group(1) for page in (*pages, again)]
    assert tokens[0] != tokens[1]
    assert len(set(ids)) == 3
    # Apart from those two values the pages are the same bytes.
    blank = [SUBMISSION_ID.sub("", CSRF.sub("", page)) for page in pages]
    assert blank[0] == blank[1]
    # The token filled in is the one this visitor's session expects.
    form = valid_form(csrf_token=tokens[1], submission_id=ids[1])
    assert second_visitor.post(f"/{slug}/", data=form).status_code == 303
    assert first_visitor.post(f"/{slug}/", data={**form, "submission_id": ids[0]}).status_code == 400


@pytest.mark.parametrize("post", ["seed", "ar-spinal-stenosis"])
def test_the_filled_in_page_is_byte_for_byte_the_full_render(csrf_app, post):
    with csrf_app.app_context():
        slug = import_post(post_named(post)).article.slug
        db.session.commit()
    query = "?utm_source=" + quote(HOSTILE) + "&utm_medium=email&utm_campaign=%E2%80%A8spring&utm_term="
    headers = {"Referer": "https://search.example/?q=" + HOSTILE}
    fixed = uuid.UUID("12345678123456781234567812345678")
    with csrf_app.test_request_context(f"/{slug}/" + query, headers=headers):
        found = article_or_404(slug)
        tracking = tracking_from_request(request.args, request.referrer, base_url() + request.full_path)
        page = page_cache.remember_page(found)
        assert page is not None
        with mock.patch("uuid.uuid4", return_value=fixed):
            filled = page.fill(tracking)
            form = build_form(found.symptoms, initial=tracking)
        whole = render_page(found, form).get_data(as_text=True)
    assert filled == whole
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&lt;b&gt;&#39;x"' in filled
    assert "<script>alert(1)" not in filled


def test_tracking_from_the_query_string_and_referrer_is_filled_in_and_escaped(app, client):
    article = make_article()
    db.session.commit()
    client.get(f"/{article.slug}/")  # the page is cached from here on
    response = client.get(
        f"/{article.slug}/",
        query_string={"utm_source": HOSTILE, "utm_campaign": "spring"},
        headers={"Referer": "https://search.example/"},
    )
    html = response.get_data(as_text=True)
    escaped = "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&lt;b&gt;&#39;x"
    assert f'id="utm_source" name="utm_source" type="hidden" value="{escaped}"' in html
    assert 'id="utm_campaign" name="utm_campaign" type="hidden" value="spring"' in html
    assert 'id="utm_medium" name="utm_medium" type="hidden" value=""' in html
    assert 'name="referrer" type="hidden" value="https://search.example/"' in html
    assert 'name="landing_page" type="hidden" value="http://clinic.test/' in html
    assert "<script>alert(1)" not in html
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_a_form_sent_back_with_errors_shows_what_was_typed_and_leaves_the_page_clean(app, client):
    article = make_article()
    db.session.commit()
    client.get(f"/{article.slug}/")
    sent = client.post(f"/{article.slug}/", data=valid_form(email="not-an-email", full_name="Ana <Silva>"))
    assert sent.status_code == 422
    html = sent.get_data(as_text=True)
    assert "Please enter a valid email address" in html
    assert 'value="Ana &lt;Silva&gt;"' in html and 'value="not-an-email"' in html
    assert sent.headers["Cache-Control"] == "no-store"
    fresh = client.get(f"/{article.slug}/").get_data(as_text=True)
    assert "Please enter a valid email address" not in fresh and "Silva" not in fresh


def test_a_change_written_by_another_process_shows_at_once(app, client):
    article = make_article(title="Knee therapy explained")
    db.session.commit()
    assert "Knee therapy explained" in client.get(f"/{article.slug}/").get_data(as_text=True)
    # Written outside this app's ORM (as psql, another worker or another host would).
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(Article)
            .where(Article.id == article.id)
            .values(title="Hip therapy", updated_at=sa.func.now())
        )
    heard_by_every_listener(app)
    db.session.expire_all()  # this test's session is the requests' too (the pushed app context)
    html = client.get(f"/{article.slug}/").get_data(as_text=True)
    assert "Hip therapy" in html and "Knee therapy explained" not in html
    with db.engine.begin() as conn:
        conn.execute(sa.update(Article).where(Article.id == article.id).values(unpublished_at=sa.func.now()))
    heard_by_every_listener(app)
    db.session.expire_all()  # this test's session is the requests' too (the pushed app context)
    assert client.get(f"/{article.slug}/").status_code == 410


def test_a_reimport_shows_at_once(app, client):
    post = post_named("seed")
    article = import_post(post).article
    db.session.commit()
    assert client.get(f"/{article.slug}/").status_code == 200
    import_post({**post, "title": {"rendered": "Stem cells, revised"}, "modified_gmt": "2030-01-01T00:00:00"})
    db.session.commit()
    assert "Stem cells, revised" in client.get(f"/{article.slug}/").get_data(as_text=True)


def test_each_language_gets_its_own_page(app, client):
    english = import_post(post_named("seed")).article
    arabic = import_post(load_post("ar-spinal-stenosis")).article
    db.session.commit()
    for _ in range(2):  # rendered, then filled in from the cache
        ar = client.get(f"/{arabic.slug}/").get_data(as_text=True)
        en = client.get(f"/{english.slug}/").get_data(as_text=True)
        assert '<html lang="ar" dir="rtl">' in ar and "اسأل عن هذا العلاج" in ar
        assert '<html lang="en" dir="ltr">' in en and "Ask about this treatment" in en
    # The same article moved to another language: its page follows, chrome and all.
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(Article).where(Article.id == english.id).values(language="ar", updated_at=sa.func.now())
        )
    heard_by_every_listener(app)
    db.session.expire_all()  # this test's session is the requests' too (the pushed app context)
    moved = client.get(f"/{english.slug}/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in moved and "اسأل عن هذا العلاج" in moved


def test_a_cached_page_costs_no_transaction_and_on_postgresql_no_query(app, client):
    slug = make_article().slug
    db.session.commit()
    db.session.remove()
    client.get(f"/{slug}/")
    with statements(app) as seen:
        assert client.get(f"/{slug}/").status_code == 200
    if db.engine.dialect.name == "postgresql":
        # Listening for changes instead (leads/articles/changes.py): not even a pool checkout.
        assert seen == {"sql": [], "checkouts": []}
    else:
        # SQLite checks the page's rows: one statement, in autocommit (no BEGIN, no ROLLBACK).
        assert len(seen["sql"]) == 1 and seen["sql"][0].lstrip().upper().startswith("SELECT")


def test_the_limiter_looks_up_nothing_for_the_article_page_and_still_limits_the_form(make_app):
    app = make_app(INQUIRY_POST_LIMIT="2 per minute", RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=False)
    with app.app_context():
        slug = make_article().slug
        db.session.commit()
    client = app.test_client()
    manager = limiter.limit_manager
    with mock.patch.object(manager, "resolve_limits", wraps=manager.resolve_limits) as lookups:
        assert client.get(f"/{slug}/").status_code == 200
        assert lookups.call_count == 0  # no limit applies to reading an article
        client.get(f"/{slug}/thanks")
        assert lookups.call_count > 0  # other pages are looked up as before
    posted = [client.post(f"/{slug}/", data=valid_form(email="bad")).status_code for _ in range(3)]
    assert posted == [422, 422, 429]

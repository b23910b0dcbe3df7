"""The embedded form in a real browser: framed by a page of an allowed origin, refused by another.

Three servers on free loopback ports, so three origins: the app, an allowed WordPress page
(listed in EMBED_ORIGINS) and a page of another origin. Both pages paste the dashboard's snippet.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from leads.config import PROJECT_ROOT
from leads.embed.snippet import embed_snippet
from leads.extensions import db
from leads.models import Article, Inquiry
from tests.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SEED = PROJECT_ROOT / "seed" / "stem-cell-spinal-stenosis.wp.json"
SLUG = "mayo-clinic-stem-cell-therapy-for-spinal-stenosis"


class ParentSite:
    """A static site that serves one page holding `html` at /treatments/page.html."""

    def __init__(self) -> None:
        self.html = b""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = site.html if self.path.startswith("/treatments/page.html") else b"not found"
                self.send_response(200 if body is site.html else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sites(make_app):
    allowed, other = ParentSite(), ParentSite()
    app = make_app(RATELIMIT_ENABLED=False, EMBED_ORIGINS=[allowed.origin])
    result = app.test_cli_runner().invoke(args=["articles", "import", str(SEED)])
    assert result.exit_code == 0, result.output
    with LiveServer(app) as live:
        app.config["PUBLIC_BASE_URL"] = live.base
        with app.test_request_context():
            article = db.session.scalar(db.select(Article).filter_by(slug=SLUG))
            snippet = embed_snippet(article)
            db.session.remove()
        page = f"<!doctype html><html><body><h1>Our treatments</h1>{snippet}</body></html>".encode()
        allowed.html = other.html = page
        yield app, allowed, other
        allowed.stop()
        other.stop()


def test_a_page_of_an_allowed_origin_frames_the_form_and_is_the_landing_page(browser, sites):
    app, allowed, _ = sites
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        parent_url = f"{allowed.origin}/treatments/page.html?utm_source=site"
        page.goto(parent_url, wait_until="load")
        frame_element = page.locator("iframe[data-clinic-embed]")
        # The frame's script asked the parent for its address and sent its height back.
        page.wait_for_function(
            "document.querySelector('iframe[data-clinic-embed]').style.height !== ''", timeout=15000
        )
        frame = frame_element.content_frame
        form = frame.locator("form.inquiry-form")
        form.locator("input[name=full_name]").fill("Test Patient")
        form.locator("input[name=email]").fill("test.patient@example.org")
        form.locator("input[name=preferred_contact][value=email]").check()
        form.locator("input[name=symptoms]").first.check()
        form.locator("input[name=consent]").check()
        form.locator("button[type=submit]").click()
        frame.get_by_text("Thank you, we have your inquiry").wait_for(timeout=15000)
        # The thanks view stays inside the frame: the parent page did not move.
        assert page.url == parent_url
        assert errors == []
    finally:
        context.close()
    with app.app_context():
        inquiries = db.session.scalars(sa.select(Inquiry)).all()
        assert [inquiry.landing_page for inquiry in inquiries] == [parent_url]
        db.session.remove()


def test_a_page_of_another_origin_cannot_frame_it(browser, sites):
    _, _, other = sites
    context = browser.new_context()
    page = context.new_page()
    refusals: list[str] = []
    page.on(
        "console",
        lambda message: refusals.append(message.text) if "frame-ancestors" in message.text else None,
    )
    try:
        page.goto(f"{other.origin}/treatments/page.html", wait_until="load")
        page.wait_for_timeout(1500)
        frame = page.locator("iframe[data-clinic-embed]").content_frame
        assert frame.locator("form.inquiry-form").count() == 0
        assert refusals, "Chromium did not report the frame-ancestors refusal"
    finally:
        context.close()

"""#13: the Arabic article and its questionnaire on a 390 px phone in Debian's Chromium: laid out
right to left by the one stylesheet, with no sideways scroll. Screenshots go to the test's tmp dir."""

from __future__ import annotations

import pytest

from leads import links
from leads.articles.importer import import_post
from leads.extensions import db
from tests.articles.conftest import load_post
from tests.e2e.pages import axe_violations, require_axe
from tests.factories import make_inquiry
from tests.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def arabic_site(make_app):
    """A live server with the Arabic stenosis post and an inquiry on it: (article URL, questionnaire URL)."""
    app = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)
    with app.app_context():
        article = import_post(load_post("ar-spinal-stenosis"), profile="spinal_stenosis").article
        inquiry = make_inquiry(article=article, symptoms=[article.symptoms[0]])
        db.session.commit()
        slug, token = article.slug, links.questionnaire_url(inquiry.id).split("/q/", 1)[1]
    with LiveServer(app) as live:
        yield f"{live.base}/{slug}/", f"{live.base}/q/{token}"


def _layout(page) -> dict:
    return page.evaluate(
        """() => ({
            dir: document.documentElement.dir,
            lang: document.documentElement.lang,
            direction: getComputedStyle(document.body).direction,
            scrollWidth: document.documentElement.scrollWidth,
            clientWidth: document.documentElement.clientWidth,
        })"""
    )


def _right_to_left_without_sideways_scroll(page) -> None:
    layout = _layout(page)
    assert (layout["dir"], layout["lang"], layout["direction"]) == ("rtl", "ar", "rtl")
    assert layout["scrollWidth"] <= layout["clientWidth"], layout
    # Nothing can be scrolled into view sideways either (an RTL page scrolls to negative x).
    page.evaluate("window.scrollTo(-10000, 0)")
    assert page.evaluate("window.scrollX") == 0


def _arabic_page(browser):
    """A phone-sized context; CSP bypassed so axe can be injected (the page itself keeps its CSP)."""
    require_axe()
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    return context, context.new_page()


def test_the_arabic_article_is_right_to_left_without_sideways_scroll(browser, arabic_site, tmp_path):
    article_url, _ = arabic_site
    context, page = _arabic_page(browser)
    page = context.new_page()
    try:
        page.goto(article_url)
        _right_to_left_without_sideways_scroll(page)
        # Mirrored by the logical properties: the notice's bar and the list indent are on the right.
        notice = page.locator(".emergency-notice")
        assert notice.evaluate("e => getComputedStyle(e).borderRightWidth") == "6px"
        assert notice.evaluate("e => getComputedStyle(e).borderLeftWidth") == "0px"
        title = page.locator("#inquiry-title").bounding_box()
        assert title["x"] + title["width"] > PHONE["width"] - 40  # starts at the right edge
        assert axe_violations(page) == []
        # The form sent empty: its Arabic error messages pass axe too.
        with page.expect_navigation():
            page.locator("form.inquiry-form button[type=submit]").click()
        assert page.locator(".error-summary").count() == 1
        assert axe_violations(page) == []
        page.screenshot(path=str(tmp_path / "article-ar-390.png"), full_page=True)
        print(f"screenshot: {tmp_path / 'article-ar-390.png'}")
    finally:
        context.close()


def test_the_arabic_questionnaire_is_right_to_left_without_sideways_scroll(browser, arabic_site, tmp_path):
    _, questionnaire_url = arabic_site
    context, page = _arabic_page(browser)
    try:
        page.goto(questionnaire_url)
        _right_to_left_without_sideways_scroll(page)
        assert page.locator("h1").inner_text() == "استبيان التقييم الخاص بك"
        # Each box sits at the start of its option: the right side in Arabic.
        option = page.locator(".red-flag-screen .choice").first
        box, label = option.locator("input").bounding_box(), option.locator("label").bounding_box()
        assert box["x"] > label["x"] + label["width"] / 2
        assert axe_violations(page) == []
        page.screenshot(path=str(tmp_path / "questionnaire-ar-390.png"), full_page=True)
        print(f"screenshot: {tmp_path / 'questionnaire-ar-390.png'}")
    finally:
        context.close()

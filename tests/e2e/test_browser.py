"""The article page in a real browser: strict CSP holds, the form works with and without JavaScript, phones fit.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright; never a downloaded
browser. The app is served by werkzeug on a free port, with the seed article imported
and CSRF on, as a patient would meet it.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from leads.config import PROJECT_ROOT
from leads.extensions import db
from leads.models import Inquiry, Lead
from tests.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SEED = PROJECT_ROOT / "seed" / "stem-cell-spinal-stenosis.wp.json"
SLUG = "mayo-clinic-stem-cell-therapy-for-spinal-stenosis"
PHONE = {"width": 390, "height": 844}

# Collects CSP violations the page sees; init scripts run outside the page's CSP.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


@pytest.fixture
def live_server(make_app):
    """The app on 127.0.0.1:<free port>, seeded with the bundled article."""
    app = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)
    result = app.test_cli_runner().invoke(args=["articles", "import", str(SEED)])
    assert result.exit_code == 0, result.output

    with LiveServer(app) as live:
        yield app, live.base


class PageWatch:
    """Console errors, uncaught exceptions and failed requests seen by one page."""

    def __init__(self, page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: self.problems.append(f"request failed: {request.url}"))
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type in {"error", "warning"}:
            self.problems.append(f"console {message.type}: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def all(self) -> list[str]:
        if self.page.is_closed():
            return self.problems
        try:
            violations = self.page.evaluate("window.__cspViolations || []")
        except Exception as error:  # noqa: BLE001  (a page mid-navigation cannot be evaluated)
            violations = [f"could not read CSP violations: {error}"]
        return self.problems + [f"CSP violation: {v}" for v in violations]


def _open(browser, url: str, **context_options):
    context = browser.new_context(**context_options)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    watch = PageWatch(page)
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    return context, page, watch


def _fill_and_send(page) -> None:
    form = page.locator("form.inquiry-form, form:has(input[name=email])").first
    form.locator("input[name=full_name]").fill("Test Patient")
    form.locator("input[name=email]").fill("Test.Patient@Example.org")
    contact = form.locator("input[name=preferred_contact][value=email]")
    if contact.count():
        contact.check()
    form.locator("input[name=symptoms]").first.check()
    form.locator("input[name=consent]").check()
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit], input[type=submit]").first.click()


def _stored_inquiries(app) -> int:
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Inquiry))
        db.session.remove()
        return count


def _assert_thank_you(page) -> None:
    assert f"/{SLUG}/" not in page.url or "thank" in page.url.lower(), page.url
    assert "thank" in page.content().lower(), page.url


def test_article_page_loads_without_csp_violations_or_console_errors(browser, live_server):
    _app, base = live_server
    context, page, watch = _open(browser, f"{base}/{SLUG}/")
    try:
        assert page.locator("h1").first.is_visible()
        assert page.locator("input[name=symptoms]").count() == 5
        page.wait_for_load_state("networkidle")
        assert watch.all() == []
    finally:
        context.close()


def test_form_submits_with_javascript(browser, live_server):
    app, base = live_server
    context, page, watch = _open(browser, f"{base}/{SLUG}/")
    try:
        _fill_and_send(page)
        _assert_thank_you(page)
        assert watch.all() == []
        assert _stored_inquiries(app) == 1
        with app.app_context():
            emails = db.session.scalars(sa.select(Lead.email)).all()
            db.session.remove()
        assert emails == ["test.patient@example.org"]
    finally:
        context.close()


def test_form_submits_without_javascript(browser, live_server):
    app, base = live_server
    context, page, watch = _open(browser, f"{base}/{SLUG}/", java_script_enabled=False)
    try:
        _fill_and_send(page)
        _assert_thank_you(page)
        assert watch.problems == []
        assert _stored_inquiries(app) == 1
    finally:
        context.close()


@pytest.mark.parametrize("path", [f"/{SLUG}/", "/"])
def test_phone_viewport_has_no_horizontal_scroll(browser, live_server, path):
    _app, base = live_server
    context, page, _watch = _open(browser, base + path, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        overflow = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert overflow[0] <= overflow[1], f"page is {overflow[0]}px wide in a {overflow[1]}px viewport"
    finally:
        context.close()

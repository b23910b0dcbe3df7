"""After a dashboard action the coordinator sees what happened: the message is on screen and focused.

Before, the redirect scrolled to the action's section (#actions, #timeline) and the message
sat at the top of the page, off-screen.
"""

from __future__ import annotations

import pytest

from leads.auth.passwords import hash_password
from leads.extensions import db
from tests.factories import make_lead, make_user
from tests.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long enough password"
LAPTOP = {"width": 1280, "height": 720}
IN_VIEW = """() => {
  const box = document.getElementById('flash').getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight;
}"""


@pytest.fixture
def dashboard(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)
    with app.app_context():
        make_user(email="cora@clinic.example", password_hash=hash_password(PASSWORD))
        lead = make_lead()
        db.session.commit()
        lead_id = lead.id
    with LiveServer(app) as live:
        yield live.base, lead_id


def test_the_message_after_an_action_is_on_screen_and_focused(browser, dashboard):
    base, lead_id = dashboard
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    try:
        page.goto(f"{base}/login")
        page.get_by_label("Email").fill("cora@clinic.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{base}/dashboard/leads/{lead_id}")
        page.get_by_label("Note", exact=True).fill("Called back, no answer")
        page.get_by_role("button", name="Add note").click()
        page.wait_for_load_state()
        assert page.locator("#flash").inner_text().strip() == "Note added."
        assert page.evaluate(IN_VIEW)
        assert page.evaluate("document.activeElement.id") == "flash"
    finally:
        context.close()

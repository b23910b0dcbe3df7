"""The questionnaire on a phone, in Debian's Chromium: only the symptoms a patient has ask for details.

The patient ticked one of the five symptoms on the inquiry form. Before, every symptom showed
its 0-10 scale and its durations (the page was about 7,200 px tall at 390 px wide); now a
symptom's details appear only while it is ticked (CSS `:has()`, no JavaScript).
"""

from __future__ import annotations

import pytest

from leads import links
from leads.extensions import db
from tests.factories import make_article, make_inquiry
from tests.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
# One of five symptoms ticked: 7,213 px before the change, 4,340 px after (Chromium, 390 px wide).
MAX_HEIGHT_ONE_SYMPTOM = 4600


@pytest.fixture
def questionnaire_link(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)
    with app.app_context():
        inquiry = make_inquiry(article=make_article(), symptoms=["Lower back pain"])
        db.session.commit()
        path = links.questionnaire_url(inquiry.id).split("/q/", 1)[1]
    with LiveServer(app) as live:
        yield f"{live.base}/q/{path}"


def _height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def test_only_ticked_symptoms_show_severity_and_duration_without_javascript(browser, questionnaire_link):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(questionnaire_link)
        height = _height(page)
        print(f"questionnaire height at 390 px, one of five symptoms ticked: {height} px")
        scales = page.locator("fieldset.choice-group--scale")
        visible = [scales.nth(i).is_visible() for i in range(scales.count())]
        assert visible == [True, False, False, False, False]
        assert height <= MAX_HEIGHT_ONE_SYMPTOM

        # Ticking a second symptom reveals its questions, still without a script.
        page.get_by_label("Balance issues", exact=True).check()
        assert page.locator("fieldset.choice-group--scale").nth(3).is_visible()
        print(f"after ticking a second symptom: {_height(page)} px")
    finally:
        context.close()

"""#13: what is sent about an inquiry speaks its article's language, with Content-Language and
the direction of the HTML part to match; coordinators' emails stay English."""

from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup

from leads.extensions import db
from leads.mail.delivery import open_transport
from leads.mail.outbox import schedule_inquiry_followups
from leads.mail.send import deliver
from leads.models import EmailStatus
from leads.models.base import utcnow
from tests.factories import make_article, make_inquiry, make_lead


def _send_all(article) -> list:
    inquiry = make_inquiry(lead=make_lead(full_name="سارة أحمد", language=article.language), article=article)
    rows = schedule_inquiry_followups(inquiry)
    for row in rows:
        row.due_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with open_transport() as transport:
        assert all(deliver(row.id, transport).status == EmailStatus.SENT for row in rows)
    return rows


def test_patient_emails_about_an_arabic_article_are_arabic_and_right_to_left(smtp_app, smtp):
    article = make_article(language="ar", title="العلاج بالخلايا الجذعية لتضيق القناة الشوكية")
    rows = _send_all(article)
    messages = smtp.handler.wait_for(len(rows))
    subjects = sorted(str(m["Subject"]) for m in messages)
    assert f"وصلنا استفسارك عن {article.title}" in subjects
    for message in messages:
        assert message["Content-Language"] == "ar"
        html = BeautifulSoup(message.get_body(("html",)).get_content(), "html.parser")
        assert html.html["lang"] == "ar" and html.html["dir"] == "rtl" and html.body["dir"] == "rtl"
        text = message.get_body(("plain",)).get_content()
        assert text.startswith("مرحبًا سارة،")
        assert "لإلغاء الاشتراك في الرسائل القادمة:" in text
        assert "Hello" not in text and "Kind regards" not in text
    confirmation = next(m for m in messages if "وصلنا استفسارك" in str(m["Subject"]))
    body = " ".join(confirmation.get_body(("plain",)).get_content().split())
    assert "خلال يوم عمل واحد عبر البريد الإلكتروني كما طلبت" in body


def test_patient_emails_about_an_english_article_are_unchanged(smtp_app, smtp):
    rows = _send_all(make_article(language="en"))
    for message in smtp.handler.wait_for(len(rows)):
        assert message["Content-Language"] == "en"
        html = BeautifulSoup(message.get_body(("html",)).get_content(), "html.parser")
        assert html.html["lang"] == "en" and html.html["dir"] == "ltr"
        assert message.get_body(("plain",)).get_content().startswith("Hello سارة,")

"""#13: a patient who reads an Arabic article inquires, is answered and is questioned in Arabic,
right to left; the same flow in English is unchanged."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from leads.extensions import db
from leads.links import QUESTIONNAIRE, UNSUBSCRIBE
from leads.models import Lead, QuestionnaireResponse
from leads.tokens import make_token
from tests.factories import make_article
from tests.inquiries.conftest import valid_form
from tests.questionnaire.conftest import answers

ARABIC = re.compile(r"[\u0600-\u06ff]")


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def arabic_form(**changes) -> dict:
    return valid_form(symptoms=["ألم أسفل الظهر"], message="", **changes)


def test_the_arabic_article_page_is_arabic_and_right_to_left(client, arabic_article):
    doc = page(client.get(f"/{arabic_article.slug}/"))
    assert doc.html["lang"] == "ar" and doc.html["dir"] == "rtl"
    assert doc.select_one("#inquiry-title").get_text() == "اسأل عن هذا العلاج"
    assert doc.select_one("#toc-title").get_text() == "محتويات الصفحة"
    # The form's labels and its symptom choices, and the submit button.
    assert doc.find("label", attrs={"for": "full_name"}).get_text() == "الاسم الكامل"
    assert "ألم أسفل الظهر" in doc.select_one(".inquiry-form").get_text()
    assert doc.select_one(".inquiry-form button[type=submit]").get_text() == "أرسل استفساري"
    # Emails and phone numbers are typed left to right inside the Arabic page.
    assert doc.find("input", attrs={"name": "email"})["dir"] == "ltr"
    assert doc.find("input", attrs={"name": "phone"})["dir"] == "ltr"
    # The default region by its Arabic name, not its code.
    assert "أضف رمز الدولة إذا كنت خارج الولايات المتحدة." in doc.get_text()
    # The emergency notice speaks Arabic, with the profile's reviewed examples.
    notice = doc.select_one(".emergency-notice").get_text(" ", strip=True)
    assert "فاطلب الرعاية الطارئة الآن" in notice and "فقدان التحكم في التبول" in notice


def test_the_english_page_is_unchanged(client):
    article = make_article()
    db.session.commit()
    doc = page(client.get(f"/{article.slug}/"))
    assert doc.html["lang"] == "en" and doc.html["dir"] == "ltr"
    assert doc.select_one("#inquiry-title").get_text() == "Ask about this treatment"
    assert "seek emergency care now" in doc.select_one(".emergency-notice").get_text()
    assert "Include the country code if you are outside the US." in doc.get_text()


def test_form_errors_come_back_in_arabic(client, arabic_article):
    response = client.post(f"/{arabic_article.slug}/", data=arabic_form(email="not-an-email", consent=None))
    assert response.status_code == 422
    doc = page(response)
    summary = doc.select_one(".error-summary").get_text(" ", strip=True)
    assert "هناك مشكلة" in summary
    assert "يرجى إدخال عنوان بريد إلكتروني صحيح" in summary
    assert "يرجى تحديد مربع الموافقة" in summary
    assert not re.search(r"Please|There is a problem", summary)


def test_an_arabic_inquiry_stores_the_language_and_thanks_in_arabic(client, arabic_article):
    response = client.post(f"/{arabic_article.slug}/", data=arabic_form())
    assert response.status_code == 303
    lead = db.session.scalar(db.select(Lead))
    assert lead.language == "ar"
    # The consent stored is the text the patient read: the Arabic one.
    assert lead.inquiries[0].consent_text.startswith("أوافق على أن تحفظ العيادة")
    thanks = page(client.get(response.headers["Location"]))
    assert thanks.html["dir"] == "rtl"
    assert thanks.h1.get_text() == "شكرًا لك، وصلنا استفسارك"
    assert "خلال يوم عمل واحد" in thanks.get_text()


def test_a_later_inquiry_in_english_updates_the_leads_language(client, arabic_article):
    client.post(f"/{arabic_article.slug}/", data=arabic_form())
    english = make_article()
    db.session.commit()
    response = client.post(f"/{english.slug}/", data=valid_form(submission_id="0" * 31 + "2"))
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(db.select(Lead.language)) == "en"


def _arabic_inquiry(client, article):
    client.post(f"/{article.slug}/", data=arabic_form())
    lead = db.session.scalar(db.select(Lead))
    return lead, lead.inquiries[0]


def test_the_questionnaire_asks_the_arabic_posts_symptoms_and_red_flags_in_arabic(client, arabic_article):
    _, inquiry = _arabic_inquiry(client, arabic_article)
    doc = page(client.get(f"/q/{make_token(QUESTIONNAIRE, inquiry.id)}"))
    assert doc.html["lang"] == "ar" and doc.html["dir"] == "rtl"
    assert doc.h1.get_text() == "استبيان التقييم الخاص بك"
    text = doc.get_text(" ", strip=True)
    for symptom in arabic_article.symptoms:
        assert symptom in text
    # The reviewed translations of the stenosis red flags, the scale's hint and the durations.
    assert "صعوبة جديدة في التحكم في التبول أو التبرز" in text
    assert "0 تعني لا يوجد ألم" in text and "أقل من 6 أسابيع" in text
    red_flags = doc.select_one(".red-flag-screen").get_text(" ", strip=True)
    assert not re.search(r"[A-Za-z]{3,}", red_flags), red_flags


def test_questionnaire_errors_are_arabic(client, arabic_article):
    _, inquiry = _arabic_inquiry(client, arabic_article)
    url = f"/q/{make_token(QUESTIONNAIRE, inquiry.id)}"
    response = client.post(url, data={"symptom_0_present": "y"})
    assert response.status_code == 422
    summary = page(response).select_one(".error-summary").get_text(" ", strip=True)
    assert "يرجى مراجعة هذه الإجابات" in summary
    assert "يرجى اختيار مدى شدة «ألم أسفل الظهر»" in summary
    assert "يرجى الإجابة بنعم أو لا." in summary


def test_a_red_flag_gives_the_urgent_page_in_arabic_and_the_coordinators_read_english(
    client, arabic_article, monkeypatch
):
    monkeypatch.setattr("leads.questionnaire.service.publish", lambda ids: len(ids))
    _, inquiry = _arabic_inquiry(client, arabic_article)
    body = answers(symptom_count=len(arabic_article.symptoms), red_flag="bladder_bowel")
    response = client.post(f"/q/{make_token(QUESTIONNAIRE, inquiry.id)}", data=body)
    assert response.status_code == 200
    doc = page(response)
    assert doc.html["dir"] == "rtl"
    assert doc.select_one("#urgent-care-title").get_text() == "يرجى طلب رعاية طبية عاجلة الآن"
    assert "لا تنتظر أن نتواصل معك." in doc.select_one(".urgent-care").get_text()
    # The stored snapshot is the coordinators' record: English questions, the patient's symptoms.
    stored = db.session.scalars(db.select(QuestionnaireResponse)).one()
    sections = stored.answers["snapshot"]
    questions = [row["question"] for section in sections for row in section["rows"]]
    assert "New trouble controlling your bladder or bowel" in questions
    assert "Do you have this?" in questions
    assert sections[0]["title"] == arabic_article.symptoms[0]


def test_the_unsubscribe_pages_follow_the_leads_language(client, arabic_article):
    lead, _ = _arabic_inquiry(client, arabic_article)
    url = f"/unsubscribe/{make_token(UNSUBSCRIBE, lead.id)}"
    confirm = page(client.get(url))
    assert confirm.html["dir"] == "rtl" and confirm.h1.get_text() == "إيقاف رسائلنا؟"
    done = page(client.post(url))
    assert done.h1.get_text() == "تم إلغاء اشتراكك"


def test_pages_without_an_article_are_in_the_default_language(client):
    doc = page(client.get("/no-such-article/"))
    assert doc.html["lang"] == "en" and doc.h1.get_text() == "Page not found"


def test_default_language_arabic_makes_unprefixed_posts_and_error_pages_arabic(make_app):
    app = make_app(env={"DEFAULT_LANGUAGE": "ar"}, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        doc = page(app.test_client().get("/no-such-article/"))
        assert doc.html["dir"] == "rtl" and doc.h1.get_text() == "الصفحة غير موجودة"
        from leads.articles.importer import parse_post
        from tests.articles.conftest import load_post

        post = load_post("knee-osteoarthritis")
        post["link"] = "https://stemlix.com/knee/"
        assert parse_post(post).language == "ar"

"""#13: Arabic posts written the way the English ones are import with their symptoms, FAQ,
table of contents (Arabic heading ids) and language."""

from __future__ import annotations

from bs4 import BeautifulSoup

from leads.articles.importer import import_post, parse_post
from leads.extensions import db
from tests.articles.conftest import load_post


def _import(name: str):
    article = import_post(load_post(name)).article
    db.session.commit()
    return article


def test_an_arabic_post_under_ar_gets_its_symptoms_faq_and_toc(app):
    article = _import("ar-spinal-stenosis")
    assert article.language == "ar"  # from the /ar/ path of its link: the post names no `lang`
    # The list introduced by "…وتشمل الأعراض الشائعة ما يلي:"; a bold term keeps only the term.
    assert article.symptoms == [
        "ألم أسفل الظهر",
        "ألم أو تنميل في الساقين عند المشي",
        "ضعف في الساقين أو القدمين",
        "خدر في الأرداف أو الساقين",
    ]
    # Question headings ending in "؟" under "الأسئلة الشائعة".
    assert [faq["question"] for faq in article.faqs] == [
        "هل الحقن مؤلم؟",
        "متى أستطيع العودة إلى العمل؟",
        "هل أحتاج إلى أكثر من جلسة؟",
    ]
    assert article.faqs[0]["answer"].startswith("يشعر معظم المرضى")
    ids = [entry["id"] for entry in article.toc]
    assert "أعراض_تضيق_القناة_الشوكية" in ids and "الأسئلة_الشائعة" in ids


def test_an_arabic_post_with_a_lang_field_and_a_symptom_heading(app):
    article = _import("ar-sciatica")
    assert article.language == "ar"  # Polylang's `lang`, though its link has no /ar/
    # Under "أعراض عرق النسا", introduced by a sentence that does not name symptoms; the
    # earlier list (causes, under "عرق النسا") is not taken.
    assert article.symptoms == ["ألم حاد يمتد إلى الساق", "تنميل أو وخز في القدم", "ضعف في الساق"]
    assert article.faqs == [
        {"question": "كم تستغرق الجلسة؟", "answer": "تستغرق الجلسة نحو ساعة واحدة."},
        {"question": "هل يناسب العلاج كبار السن؟", "answer": "نعم في أغلب الحالات، بعد فحص الطبيب."},
    ]


def test_the_language_comes_from_lang_then_the_link_then_the_setting(app):
    post = load_post("knee-osteoarthritis")
    assert parse_post(post).language == "en"  # https://stemlix.com/en/...
    assert parse_post({**post, "lang": "ar"}).language == "ar"
    assert parse_post({**post, "link": "https://stemlix.com/ar/knee/"}).language == "ar"
    assert (
        parse_post({**post, "link": "https://stemlix.com/knee/"}).language == app.config["DEFAULT_LANGUAGE"]
    )


def test_translations_are_linked_both_ways_and_the_page_offers_the_other_language(app, client):
    english_post = load_post("sciatica-heading")
    english_post["id"] = 20003  # the English version the Arabic post names in its `translations`
    english = import_post(english_post).article
    db.session.commit()
    arabic = _import("ar-sciatica")  # imported second: the English article gets the link back
    db.session.expire_all()
    assert arabic.translations == {"en": 20003}
    assert english.translations == {"ar": arabic.wp_id}

    doc = BeautifulSoup(client.get(f"/{english.slug}/").get_data(as_text=True), "html.parser")
    link = doc.select_one(".language-link a")
    assert link.get_text() == "العربية" and link["lang"] == "ar" and link["dir"] == "rtl"
    assert link["href"].endswith(f"/{arabic.slug}/")
    assert doc.select_one("link[rel=alternate][hreflang=ar]")["href"] == link["href"]
    doc = BeautifulSoup(client.get(f"/{arabic.slug}/").get_data(as_text=True), "html.parser")
    assert doc.select_one(".language-link a").get_text() == "English"


def test_a_post_without_translations_offers_no_language_link(app, client):
    article = _import("ar-spinal-stenosis")
    doc = BeautifulSoup(client.get(f"/{article.slug}/").get_data(as_text=True), "html.parser")
    assert doc.select(".language-link") == [] and doc.select("link[rel=alternate]") == []

"""#13: coordinators see which language each lead reads, filter by it, and export Arabic intact."""

from __future__ import annotations

from bs4 import BeautifulSoup

from leads.extensions import db
from tests.dashboard.test_export import rows_of
from tests.factories import make_article, make_inquiry, make_lead

ARABIC_NAME = "سارة أحمد"
ARABIC_SYMPTOM = "ألم أسفل الظهر"


def _leads():
    arabic = make_lead(full_name=ARABIC_NAME, language="ar")
    make_inquiry(
        arabic,
        article=make_article(language="ar", title="علاج تضيق القناة الشوكية"),
        symptoms=[ARABIC_SYMPTOM],
    )
    english = make_lead(full_name="Ana Silva", language="en")
    make_inquiry(english)
    db.session.commit()
    return arabic, english


def _names(html: str) -> list[str]:
    return [a.get_text() for a in BeautifulSoup(html, "html.parser").select("table.inbox th[scope=row] a")]


def test_the_inbox_shows_each_leads_language_and_filters_by_it(app, coord_client):
    _leads()
    doc = BeautifulSoup(coord_client.get("/dashboard/").get_data(as_text=True), "html.parser")
    badges = {
        row.select_one("a").get_text(): row.select_one(".badge-language")
        for row in doc.select("table.inbox th[scope=row]")
    }
    assert badges[ARABIC_NAME].get_text() == "AR" and badges[ARABIC_NAME]["title"] == "Arabic"
    assert badges["Ana Silva"].get_text() == "EN"
    options = [o["value"] for o in doc.select("select#language option")]
    assert options == ["", "en", "ar"]
    assert _names(coord_client.get("/dashboard/?language=ar").get_data(as_text=True)) == [ARABIC_NAME]
    assert _names(coord_client.get("/dashboard/?language=en").get_data(as_text=True)) == ["Ana Silva"]


def test_an_unknown_language_filter_is_ignored_with_a_notice(app, coord_client):
    _leads()
    html = coord_client.get("/dashboard/?language=xx").get_data(as_text=True)
    assert "unknown language ignored" in html
    assert sorted(_names(html)) == sorted([ARABIC_NAME, "Ana Silva"])


def test_the_lead_page_names_the_language_and_sets_arabic_text_right_to_left(app, coord_client):
    arabic, _ = _leads()
    doc = BeautifulSoup(
        coord_client.get(f"/dashboard/leads/{arabic.id}").get_data(as_text=True), "html.parser"
    )
    assert doc.select_one("#lead-language").get_text() == "Arabic (ar)"
    symptoms = next(dd for dd in doc.select("dd[dir=auto]") if ARABIC_SYMPTOM in dd.get_text())
    assert symptoms is not None


def test_the_csv_keeps_arabic_and_the_language(app, coord_client):
    _leads()
    body = coord_client.get("/dashboard/export.csv").get_data()
    assert ARABIC_NAME.encode() in body and ARABIC_SYMPTOM.encode() in body
    rows = {row["name"]: row for row in rows_of(coord_client.get("/dashboard/export.csv"))}
    assert rows[ARABIC_NAME]["language"] == "ar" and rows[ARABIC_NAME]["symptoms"] == ARABIC_SYMPTOM
    assert rows["Ana Silva"]["language"] == "en"

"""The article page: what it shows, what search engines read, and what it never contains."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from leads.extensions import db
from tests.factories import SEED_SYMPTOMS, make_article


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _json_ld(soup: BeautifulSoup) -> dict:
    scripts = soup.find_all("script")
    assert len(scripts) == 1
    assert scripts[0]["type"] == "application/ld+json"
    return json.loads(scripts[0].string)


def test_page_shows_title_toc_article_disclaimer_emergency_and_form(app, client):
    article = make_article(
        title="Knee therapy explained",
        html='<h2 id="what">What it is</h2><p>Plain words.</p><h3 id="how">How</h3><p>More.</p>',
        toc=[{"id": "what", "title": "What it is", "level": 2}, {"id": "how", "title": "How", "level": 3}],
    )
    db.session.commit()

    response = client.get(f"/{article.slug}/")

    assert response.status_code == 200
    soup = _soup(response)
    assert soup.title.string == f"Knee therapy explained · {app.config['CLINIC_NAME']}"
    assert soup.h1.get_text(strip=True) == "Knee therapy explained"
    toc = soup.find("nav", class_="toc")
    assert [(a["href"], a.get_text()) for a in toc.find_all("a")] == [
        ("#what", "What it is"),
        ("#how", "How"),
    ]
    assert soup.find(id="what") is not None
    assert app.config["MEDICAL_DISCLAIMER"] in soup.find(class_="disclaimer").get_text()
    assert "seek emergency care" in soup.find(class_="emergency-notice").get_text()
    boxes = soup.select('form input[type="checkbox"][name="symptoms"]')
    assert [box["value"] for box in boxes] == SEED_SYMPTOMS
    for box in boxes:
        assert soup.find("label", attrs={"for": box["id"]}).get_text() == box["value"]
    assert soup.select_one("fieldset legend").get_text() == "How should we contact you?"
    assert soup.find("label", attrs={"for": "consent"}).get_text() == app.config["CONSENT_TEXT"]


def test_head_has_description_canonical_open_graph_and_json_ld(client):
    article = make_article(
        excerpt="Stem cells & the spine: " + "what to know " * 30,
        faqs=[{"question": "Is it safe?", "answer": "Mostly."}, {"question": "Cost?", "answer": "Varies."}],
    )
    db.session.commit()
    url = f"http://clinic.test/{article.slug}/"

    soup = _soup(client.get(f"/{article.slug}/"))

    description = soup.find("meta", attrs={"name": "description"})["content"]
    assert description.startswith("Stem cells & the spine: what to know")
    assert len(description) <= 160 and description.endswith("…")
    assert soup.find("link", rel="canonical")["href"] == url
    og = {tag["property"]: tag["content"] for tag in soup.find_all("meta", property=True)}
    assert og["og:url"] == url and og["og:title"] == article.title and og["og:type"] == "article"
    graph = {node["@type"]: node for node in _json_ld(soup)["@graph"]}
    assert graph["MedicalWebPage"]["url"] == url
    assert graph["MedicalWebPage"]["name"] == article.title
    questions = graph["FAQPage"]["mainEntity"]
    assert [(q["name"], q["acceptedAnswer"]["text"]) for q in questions] == [
        ("Is it safe?", "Mostly."),
        ("Cost?", "Varies."),
    ]


def test_canonical_falls_back_to_the_configured_address_not_the_request_host(make_app):
    app = make_app(
        PUBLIC_BASE_URL="", HOST="127.0.0.1", PORT=5140, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False
    )
    with app.app_context():
        article = make_article()
        db.session.commit()
        slug = article.slug
    response = app.test_client().get(f"/{slug}/", base_url="https://www.example.org")
    assert _soup(response).find("link", rel="canonical")["href"] == f"http://127.0.0.1:5140/{slug}/"


def test_json_ld_cannot_break_out_of_its_script(client):
    article = make_article(
        title="</script><script>alert(1)</script>",
        faqs=[{"question": "<b>q</b>", "answer": "</script><img src=x onerror=alert(1)>"}],
    )
    db.session.commit()

    body = client.get(f"/{article.slug}/").get_data(as_text=True)

    assert body.count("<script") == 1
    assert "</script><img" not in body
    soup = BeautifulSoup(body, "html.parser")
    assert _json_ld(soup)["@graph"][0]["name"] == "</script><script>alert(1)</script>"


def test_page_has_no_inline_script_style_or_handler(client):
    article = make_article()
    db.session.commit()

    response = client.get(f"/{article.slug}/")

    soup = _soup(response)
    assert [tag["type"] for tag in soup.find_all("script")] == ["application/ld+json"]
    assert soup.find("style") is None
    assert soup.find("svg") is None
    for tag in soup.find_all(True):
        assert "style" not in tag.attrs, tag.name
        assert not [name for name in tag.attrs if name.lower().startswith("on")], tag.name
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    stylesheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    # Fingerprinted (`?v=<hash>`, leads/static_files.py); the files are what matters here.
    assert [href.split("?")[0] for href in stylesheets] == ["/static/css/site.css", "/static/css/article.css"]


def test_unknown_slug_is_a_404_page(client):
    response = client.get("/no-such-article/")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/abc%00/", "/abc%00/thanks", "/a%0Ab/", f"/{'a' * 201}/"])
def test_an_address_no_article_can_have_is_a_404_not_a_database_error(client, path):
    # PostgreSQL refuses NUL in a query: such an address must not reach the database.
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_home_goes_to_the_only_article(client):
    article = make_article()
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{article.slug}/"


def test_home_lists_several_articles(client):
    first, second = make_article(title="Alpha"), make_article(title="Beta")
    db.session.commit()
    soup = _soup(client.get("/"))
    links = [(a["href"], a.get_text()) for a in soup.select(".article-list h2 a")]
    assert links == [(f"/{first.slug}/", "Alpha"), (f"/{second.slug}/", "Beta")]


def test_home_without_articles_says_so(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No articles have been published yet." in response.get_data(as_text=True)


def test_robots_txt_is_a_plain_text_answer_not_an_article_lookup(client):
    make_article(slug="robots-txt")
    db.session.commit()
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True).startswith("User-agent: *")


def test_article_page_has_one_meta_description(client):
    make_article(slug="one-description")
    db.session.commit()
    soup = _soup(client.get("/one-description/"))
    assert len(soup.find_all("meta", attrs={"name": "description"})) == 1

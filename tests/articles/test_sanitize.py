"""Sanitizing the WordPress body: what the page may show, and nothing else."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from leads.articles.sanitize import sanitize_html, slugify_id
from leads.extensions import db
from tests.articles.conftest import load_post
from tests.factories import SEED_SYMPTOMS, make_article

SEED_LINK = "https://stemlix.com/en/mayo-clinic-stem-cell-therapy-for-spinal-stenosis/"
DANGEROUS = re.compile(
    r"<\s*(script|style|svg|iframe|form|input|button|object|embed|math|img|noscript)\b"
    r"|\bstyle\s*=|\bon[a-z]+\s*=|javascript:|vbscript:|data:|\bclass\s*=|\bdata-[a-z-]+\s*=",
    re.IGNORECASE,
)


ALLOWED = {
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "br",
    "hr",
    "blockquote",
}


def assert_safe(html: str) -> None:
    """Only whitelisted tags and attributes, and no script-capable URL, as a browser's parser would see them."""
    for tag in BeautifulSoup(html, "html.parser").find_all(True):
        assert tag.name in ALLOWED, tag
        allowed = {"id"} if tag.name.startswith("h") and tag.name != "hr" else set()
        if tag.name == "a":
            allowed = {"href", "title", "rel"}
            assert tag.get("rel") in (None, ["noopener", "noreferrer"]), tag
            assert re.match(r"^(https?:|mailto:|tel:|#|/|[^:]*$)", tag.get("href", ""), re.IGNORECASE), tag
        assert set(tag.attrs) <= allowed, tag
    assert re.search(r"<\s*(script|style|svg|iframe|img)", html, re.IGNORECASE) is None


def sanitized(name: str) -> str:
    post = load_post(name)
    return sanitize_html(post["content"]["rendered"], post["link"])


def test_malicious_post_keeps_no_active_content():
    html = sanitized("malicious")
    assert_safe(html)
    assert DANGEROUS.search(html) is None, DANGEROUS.search(html)
    assert "alert" not in html
    assert "evil.example/frame" not in html
    # The harmless text around the attacks survives.
    for text in ("Hello", "world", "Safe heading", "Headache", "Quoted", "external"):
        assert text in html


def test_malicious_links_lose_their_href_and_external_ones_get_rel():
    html = sanitized("malicious")
    assert "<a>click</a>" in html
    assert "<a>entity</a>" in html
    assert '<a href="https://evil.example/" rel="noopener noreferrer">external</a>' in html
    assert "target=" not in html
    assert 'rel="opener"' not in html


def test_seed_drops_the_toc_widget_svg_and_wordpress_attributes():
    html = sanitized("../../../seed/stem-cell-spinal-stenosis")
    assert "ez-toc" not in html
    assert "محتويات" not in html  # the widget's own title
    assert "Toggle" not in html
    assert DANGEROUS.search(html) is None
    assert_safe(html)
    assert "https://stemlix.com" not in html  # the only absolute links were the widget's
    assert '<h3 id="What_Is_Spinal_Stenosis">What Is Spinal Stenosis?</h3>' in html
    assert '<h3 id="Frequently_Asked_Questions_FAQs">Frequently Asked Questions (FAQs)</h3>' in html
    assert "Mayo Clinic\u2019s Approach" in html  # entity decoded
    assert "<hr>" in html


def test_keeps_the_whitelisted_structure():
    html = sanitize_html(
        "<h2>A</h2><p><strong>b</strong> <em>c</em> <b>d</b> <i>e</i><br>f</p><ul><li>g</li></ul>"
        "<ol><li>h</li></ol><blockquote>i</blockquote><hr><h4>j</h4><h5>k</h5><h6>l</h6>"
    )
    assert html == (
        '<h2 id="A">A</h2><p><strong>b</strong> <em>c</em> <b>d</b> <i>e</i><br>f</p><ul><li>g</li></ul>'
        '<ol><li>h</li></ol><blockquote>i</blockquote><hr><h4 id="j">j</h4><h5 id="k">k</h5><h6 id="l">l</h6>'
    )


def test_unknown_wrappers_are_unwrapped_not_lost():
    assert sanitize_html('<div class="x"><section><span>kept</span></section></div>') == "kept"


@pytest.mark.parametrize(
    "href",
    [
        SEED_LINK + "#Conclusion",
        "https://stemlix.com/mayo-clinic-stem-cell-therapy-for-spinal-stenosis/#Conclusion",
        "http://www.stemlix.com/en/mayo-clinic-stem-cell-therapy-for-spinal-stenosis#Conclusion",
        "/en/mayo-clinic-stem-cell-therapy-for-spinal-stenosis/#Conclusion",
        "#Conclusion",
    ],
)
def test_links_to_the_articles_own_anchors_become_local(href):
    html = sanitize_html(f'<h2 id="Conclusion">Conclusion</h2><p><a href="{href}">see</a></p>', SEED_LINK)
    assert '<a href="#Conclusion">see</a>' in html


@pytest.mark.parametrize(
    ("href", "rel"),
    [
        ("https://stemlix.com/en/other-article/#Conclusion", False),  # same site, another page
        ("https://stemlix.com/en/mayo-clinic-stem-cell-therapy-for-spinal-stenosis/", False),  # no anchor
        ("https://elsewhere.example/en/mayo-clinic-stem-cell-therapy-for-spinal-stenosis/#Conclusion", True),
    ],
)
def test_other_links_stay_absolute(href, rel):
    html = sanitize_html(f'<p><a href="{href}">see</a></p>', SEED_LINK)
    assert f'href="{href}"' in html
    assert ('rel="noopener noreferrer"' in html) is rel


def test_toc_links_of_the_knee_post_are_local():
    html = sanitized("knee-osteoarthritis")
    assert '<a href="#how-it-works">' in html  # the link had no /en/ prefix
    assert '<a href="#Frequently_asked_questions">' in html  # the link had one
    assert '<h2 id="Frequently_asked_questions">' in html
    assert '<a href="https://stemlix.com/en/contact/">' in html  # same site: no rel
    assert '<a href="https://www.nih.gov/health-information" rel="noopener noreferrer">' in html


def test_headings_get_unique_safe_ids():
    html = sanitize_html(
        "<h1>Title</h1><h2>Before you book</h2><h2>Before you book</h2>"
        '<h3 id="x&quot; onload=&quot;y">Odd id</h3><h3><span class="ez-toc-section" id="Moved"></span>Moved'
        '<span class="ez-toc-section-end"></span></h3><h4>¿Qué es?</h4><h4>123</h4>'
        '<p><a href="#x&quot; onload=&quot;y">odd</a></p>'
    )
    ids = re.findall(r'<h\d id="([^"]+)"', html)
    assert ids == [
        "Title",
        "Before_you_book",
        "Before_you_book_2",
        "x_onload_y",
        "Moved",
        "Qué_es",
        "section_123",
    ]
    assert "<h1" not in html
    assert "<span" not in html
    assert '<a href="#x_onload_y">odd</a>' in html  # a local link follows its renamed heading


def test_headings_never_take_an_id_the_page_uses(app, client):
    # Every id of the page outside the article body, from a rendered page.
    article = make_article(symptoms=list(SEED_SYMPTOMS))
    db.session.commit()
    error_page = client.post(f"/{article.slug}/", data={"preferred_contact": "pigeon", "symptoms": "x"})
    page = BeautifulSoup(error_page.get_data(as_text=True), "html.parser")
    for node in page.select(".article-body [id]"):
        node.extract()
    page_ids = sorted({node["id"] for node in page.find_all(id=True)})
    assert {"inquiry", "email", "email-error", "symptoms-0", "consent"} <= set(page_ids)

    headings = "".join(f'<h2 id="{page_id}">Heading</h2>' for page_id in page_ids)
    html = sanitize_html(headings + '<p><a href="#inquiry">ask</a></p>')

    heading_ids = re.findall(r'<h2 id="([^"]+)"', html)
    assert len(heading_ids) == len(page_ids)
    assert not set(heading_ids) & set(page_ids)
    assert '<a href="#inquiry_2">ask</a>' in html  # a link to the heading follows it


def test_slugify_id():
    assert slugify_id("Mayo Clinic\u2019s Approach") == "Mayo_Clinic_s_Approach"
    assert slugify_id("   ") == "section"
    assert len(slugify_id("word " * 100)) <= 80


def test_sanitizing_twice_changes_nothing():
    once = sanitized("knee-osteoarthritis")
    assert sanitize_html(once, "https://stemlix.com/en/stem-cell-therapy-knee-osteoarthritis/") == once


FRAGMENTS = [
    "<script>alert(1)</script>",
    "<svg onload=alert(1)>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">',
    '<p style="x:y" onclick="alert(1)">',
    "<iframe src=x>",
    "</p>",
    "<style>",
    '"',
    "'",
    "<",
    ">",
    "<!--",
    "-->",
    "<h2>",
    "</h2>",
    "<noscript>",
    "</noscript>",
    '<a title="</a><script>">',
    "text",
    "<math><mi>",
    "<form><input onfocus=alert(1) autofocus>",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12))
def test_no_combination_of_attack_fragments_survives(parts):
    assert_safe(sanitize_html("".join(parts), SEED_LINK))


@pytest.mark.parametrize(
    "href", ["//evil.example/x", "/\\evil.example/x", "\\\\evil.example/x", "///evil.example/x"]
)
def test_protocol_relative_links_are_external(href):
    html = sanitize_html(f'<p><a href="{href}">elsewhere</a></p>', link="https://clinic.example/post/")
    assert '<a href="https://evil.example/x" rel="noopener noreferrer">elsewhere</a>' in html


def test_a_protocol_relative_link_to_the_post_itself_stays_an_anchor():
    html = sanitize_html(
        '<h2 id="intro">Intro</h2><a href="//clinic.example/post/#intro">up</a>',
        link="https://clinic.example/post/",
    )
    assert '<a href="#intro">up</a>' in html

"""import_post: validation, upsert by WordPress id, nothing written on error."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from leads.articles.importer import ArticleImportError, import_post
from leads.extensions import db
from leads.models import Article
from tests.articles.conftest import load_post
from tests.factories import SEED_SYMPTOMS, seed_payload

SEED_SLUG = "mayo-clinic-stem-cell-therapy-for-spinal-stenosis"


def article_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Article))


def test_imports_the_seed(app):
    result = import_post(seed_payload())
    assert result.created is True
    db.session.expire_all()
    article = db.session.scalar(db.select(Article).filter_by(wp_id=12622))
    assert article.id == result.article.id
    assert article.slug == SEED_SLUG
    assert article.title == "mayo clinic stem cell therapy for spinal stenosis"
    assert article.language == "en"
    assert article.source_url == f"https://stemlix.com/en/{SEED_SLUG}/"
    assert article.symptoms == SEED_SYMPTOMS
    assert len(article.faqs) == 5
    assert len(article.toc) == 8
    assert article.excerpt.startswith(
        "Stem Cell Therapy for Spinal Stenosis at Mayo Clinic: An Overview Spinal"
    )
    assert article.excerpt.endswith("medication, and…")
    assert "<" not in article.excerpt
    assert article.published_at == datetime(2025, 12, 23, 15, 43, 35, tzinfo=UTC)
    assert article.wp_modified_at == datetime(2025, 12, 23, 15, 43, 35, tzinfo=UTC)
    for forbidden in ("<script", "<svg", "style=", "ez-toc", "data-start"):
        assert forbidden not in article.html


def test_entities_are_decoded_and_the_more_marker_dropped(app):
    article = import_post(load_post("knee-osteoarthritis")).article
    assert article.title == "Knee Osteoarthritis \u2013 What\u2019s New in Stem Cell Therapy"
    assert article.excerpt == "Knee osteoarthritis wears down the cartilage & the joint"


def test_without_an_excerpt_the_first_paragraph_is_used(app):
    article = import_post(load_post("rotator-cuff")).article
    assert article.title == "Rotator Cuff Tears & Stem Cells"
    assert article.excerpt == (
        "The rotator cuff is a group of four tendons that keep the shoulder stable. Tears are common after forty."
    )


def test_reimport_updates_in_place(app):
    first = import_post(seed_payload()).article
    changed = seed_payload()
    changed["title"]["rendered"] = "Stem cell therapy &#8211; updated"
    changed["slug"] = "stem-cell-therapy-spinal-stenosis"
    changed["modified_gmt"] = "2026-01-05T09:00:00"
    changed["content"]["rendered"] = "<h2>New</h2><p>Common signs include:</p><ul><li>Back pain</li></ul>"
    result = import_post(changed)
    assert result.created is False
    assert article_count() == 1
    db.session.expire_all()
    article = db.session.get(Article, first.id)
    assert article.title == "Stem cell therapy \u2013 updated"
    assert article.slug == "stem-cell-therapy-spinal-stenosis"
    assert article.symptoms == ["Back pain"]
    assert article.faqs == []
    assert article.wp_modified_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_a_slug_taken_by_another_post_is_refused_and_nothing_changes(app):
    import_post(seed_payload())
    other = load_post("knee-osteoarthritis")
    other["slug"] = SEED_SLUG
    with pytest.raises(ArticleImportError, match="already used by WordPress post 12622"):
        import_post(other)
    assert article_count() == 1
    assert db.session.scalar(db.select(Article.wp_id)) == 12622


def test_percent_encoded_slug_is_decoded(app):
    post = load_post("rotator-cuff")
    post["slug"] = "%d8%a7%d9%84%d8%b1%d9%83%d8%a8%d8%a9"
    assert import_post(post).article.slug == "الركبة"


def _without(path: str) -> dict:
    post = seed_payload()
    *parents, last = path.split(".")
    node = post
    for key in parents:
        node = node[key]
    del node[last]
    return post


def _with(**changes) -> dict:
    post = copy.deepcopy(seed_payload())
    post.update(changes)
    return post


BAD_POSTS = {
    "a list": ([seed_payload()], "expected a JSON object, got a list"),
    "a string": ("post", "expected a JSON object, got a string"),
    "no id": (_without("id"), "'id' must be a positive integer"),
    "id as text": (_with(id="12622"), "'id' must be a positive integer"),
    "id as boolean": (_with(id=True), "'id' must be a positive integer"),
    "no content": (_without("content"), "'content.rendered' is missing"),
    "no content.rendered": (_without("content.rendered"), "'content.rendered' is missing"),
    "empty content": (_with(content={"rendered": "  "}), "'content.rendered' is missing or empty"),
    "only scripts": (_with(content={"rendered": "<script>x()</script><svg></svg>"}), "no text left"),
    "no title": (_without("title"), "'title.rendered' is missing"),
    "blank title": (_with(title={"rendered": "<b> </b>"}), "the title is empty"),
    "long title": (_with(title={"rendered": "x" * 301}), "longer than 300"),
    "no slug": (_without("slug"), "'slug' is missing"),
    "slug with a slash": (_with(slug="a/b"), "cannot be a page address"),
    "bad date": (_with(modified_gmt="yesterday"), "'modified_gmt' is not a date"),
}


@pytest.mark.parametrize("name", BAD_POSTS)
def test_bad_posts_are_refused_with_one_line_and_write_nothing(app, name):
    payload, message = BAD_POSTS[name]
    with pytest.raises(ArticleImportError) as raised:
        import_post(payload)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    assert article_count() == 0


def test_a_bad_reimport_leaves_the_stored_article_alone(app):
    import_post(seed_payload())
    broken = _with(content={"rendered": "<script>x()</script>"})
    with pytest.raises(ArticleImportError):
        import_post(broken)
    db.session.expire_all()
    assert db.session.scalar(db.select(Article.symptoms)) == SEED_SYMPTOMS


def test_language_comes_from_the_post_or_its_link(app):
    post = load_post("rotator-cuff")
    post["link"] = "https://stemlix.com/ar/rotator-cuff-stem-cells/"
    assert import_post(post).article.language == "ar"
    post["lang"] = "fr"
    assert import_post(post).article.language == "fr"

"""A changed slug keeps the old address answering, with a permanent redirect to the current one."""

from __future__ import annotations

from leads.articles.importer import import_post
from leads.extensions import db
from leads.models import ArticleSlug
from tests.factories import seed_payload

SEED_SLUG = "mayo-clinic-stem-cell-therapy-for-spinal-stenosis"


def _import_with_slug(slug: str, wp_id: int = 12622):
    payload = seed_payload()
    payload["slug"], payload["id"] = slug, wp_id
    return import_post(payload)


def test_old_slug_redirects_permanently_to_the_current_one(app, client):
    _import_with_slug(SEED_SLUG)
    _import_with_slug("stem-cells-for-spinal-stenosis")
    _import_with_slug("spinal-stenosis-stem-cells")

    for old in (SEED_SLUG, "stem-cells-for-spinal-stenosis"):
        response = client.get(f"/{old}/?utm_source=newsletter")
        assert response.status_code == 308, old
        assert response.headers["Location"] == "/spinal-stenosis-stem-cells/?utm_source=newsletter"
    assert client.get("/spinal-stenosis-stem-cells/").status_code == 200
    assert client.get("/never-was-an-article/").status_code == 404


def test_going_back_to_an_old_slug_serves_it_again(app, client):
    _import_with_slug(SEED_SLUG)
    _import_with_slug("renamed")
    _import_with_slug(SEED_SLUG)
    assert client.get(f"/{SEED_SLUG}/").status_code == 200
    assert client.get("/renamed/").headers["Location"] == f"/{SEED_SLUG}/"
    assert db.session.scalars(db.select(ArticleSlug.slug)).all() == ["renamed"]


def test_a_new_article_takes_over_an_old_address(app, client):
    _import_with_slug(SEED_SLUG)
    _import_with_slug("renamed")
    _import_with_slug(SEED_SLUG, wp_id=999)  # another post now lives at the old address
    assert client.get(f"/{SEED_SLUG}/").status_code == 200
    assert db.session.scalars(db.select(ArticleSlug)).all() == []


def test_a_form_sent_from_a_page_loaded_before_the_change_follows_the_redirect(app, client):
    _import_with_slug(SEED_SLUG)
    _import_with_slug("renamed")
    # 308, not 301: the browser sends the same POST, with what the patient typed, to the new address.
    response = client.post(f"/{SEED_SLUG}/", data={"full_name": "x"})
    assert response.status_code == 308 and response.headers["Location"] == "/renamed/"
    assert client.get(f"/{SEED_SLUG}/thanks").headers["Location"] == "/renamed/thanks"

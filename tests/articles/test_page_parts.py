"""The article part of the page is rendered once per article version; only the form per request."""

from __future__ import annotations

from leads.extensions import db
from tests.factories import make_article
from tests.helpers import rendered


def test_the_article_part_is_rendered_once_and_again_after_an_edit(app, client):
    article = make_article(title="Knee therapy explained", html="<p>First version.</p>")
    db.session.commit()
    with rendered(app) as names:
        first = client.get(f"/{article.slug}/").get_data(as_text=True)
        second = client.get(f"/{article.slug}/").get_data(as_text=True)
    assert names.count("articles/_article.html") == 1
    # Was 2 (the form rendered per GET): now the whole page is rendered once and each GET only
    # fills in its own tokens (leads/articles/page_cache.py).
    assert names.count("articles/show.html") == 1
    assert "First version." in first and "First version." in second
    assert first != second  # each GET has its own submission id

    article.html = "<p>Second version.</p>"
    db.session.commit()  # moves updated_at
    with rendered(app) as names:
        edited = client.get(f"/{article.slug}/").get_data(as_text=True)
    assert names.count("articles/_article.html") == 1
    assert "Second version." in edited and "First version." not in edited

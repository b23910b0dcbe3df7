"""Fixtures of the language tests: the Arabic test posts, imported as an operator would."""

from __future__ import annotations

import pytest

from leads.articles.importer import import_post
from leads.extensions import db
from tests.articles.conftest import load_post


def imported(name: str, profile: str | None = None):
    """Import tests/articles/posts/<name>.wp.json (as `flask articles import --profile`)."""
    article = import_post(load_post(name), profile=profile).article
    db.session.commit()
    return article


@pytest.fixture
def arabic_article(app):
    return imported("ar-spinal-stenosis", profile="spinal_stenosis")

"""Static URLs carry a content hash; the file at its current hash is cacheable for a year."""

from __future__ import annotations

import re

from flask import url_for

from leads.config import PROJECT_ROOT
from leads.static_files import IMMUTABLE, file_hashes


def test_every_static_file_gets_its_hash_in_the_url(app):
    hashes = file_hashes(PROJECT_ROOT / "static")
    assert {"css/site.css", "favicon.svg", "js/dashboard.js"} <= set(hashes)
    with app.test_request_context():
        for filename, version in hashes.items():
            assert url_for("static", filename=filename) == f"/static/{filename}?v={version}"


def test_the_hash_follows_the_content(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "a.css").write_text("body { color: black }")
    before = file_hashes(tmp_path)["css/a.css"]
    (tmp_path / "css" / "a.css").write_text("body { color: navy }")
    assert file_hashes(tmp_path)["css/a.css"] != before


def test_a_page_references_fingerprinted_files_and_stays_uncached(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "max-age" not in (response.headers.get("Cache-Control") or "")
    references = re.findall(r'(?:href|src)="(/static/[^"]+)"', response.get_data(as_text=True))
    assert references
    assert all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in references), references


def test_the_current_fingerprint_is_cached_for_a_year(client, app):
    with app.test_request_context():
        url = url_for("static", filename="css/site.css")
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE


def test_another_fingerprint_or_none_is_not_cached_long(client):
    # An old page, or a web container of another release, must not pin a wrong file for a year.
    for url in ("/static/css/site.css?v=000000000000", "/static/css/site.css"):
        with client.get(url) as response:
            assert response.status_code == 200
            assert "immutable" not in response.headers.get("Cache-Control", ""), url

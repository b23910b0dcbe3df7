"""`flask articles import|list` and load_source: one clear line for every bad input, nothing written."""

from __future__ import annotations

import json
import socket

import pytest

from leads.articles import source
from leads.articles.importer import ArticleImportError
from leads.articles.source import load_source
from leads.extensions import db
from leads.models import Article
from tests.factories import SEED_PATH, seed_payload

SEED_SLUG = "mayo-clinic-stem-cell-therapy-for-spinal-stenosis"


def article_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Article))


def import_(runner, source: str, *options: str):
    # The local test servers are on loopback: URL imports from them need the flag.
    if source.startswith("http://127.0.0.1"):
        options = ("--allow-private-network", *options)
    return runner.invoke(args=["articles", "import", *options, source])


def assert_refused(result, message: str) -> None:
    assert result.exit_code != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert message in lines[0]
    assert article_count() == 0


def test_import_the_bundled_seed_then_update_it(runner):
    first = import_(runner, str(SEED_PATH))
    assert first.exit_code == 0, first.output
    assert first.stdout == (
        f'Imported "mayo clinic stem cell therapy for spinal stenosis" at /{SEED_SLUG}/ (created)\n'
    )
    second = import_(runner, str(SEED_PATH))
    assert second.exit_code == 0, second.output
    assert second.stdout.endswith("(updated)\n")
    assert article_count() == 1


def test_import_if_empty_leaves_existing_articles_alone(runner):
    assert import_(runner, str(SEED_PATH)).exit_code == 0
    db.session.execute(db.update(Article).values(title="Updated by the clinic"))
    db.session.commit()
    result = runner.invoke(args=["articles", "import", "--if-empty", str(SEED_PATH)])
    assert result.exit_code == 0 and result.stdout == "Articles exist already: nothing imported\n"
    db.session.expire_all()
    assert db.session.scalars(db.select(Article.title)).all() == ["Updated by the clinic"]


def test_import_if_empty_imports_into_an_empty_database(runner):
    result = runner.invoke(args=["articles", "import", "--if-empty", str(SEED_PATH)])
    assert result.exit_code == 0 and result.stdout.endswith("(created)\n")
    assert article_count() == 1


def test_list(runner):
    assert "No articles yet" in runner.invoke(args=["articles", "list"]).stdout
    import_(runner, str(SEED_PATH))
    result = runner.invoke(args=["articles", "list"])
    assert result.exit_code == 0
    assert result.stdout == (
        f"12622\t/{SEED_SLUG}/\tmayo clinic stem cell therapy for spinal stenosis\t(5 symptoms, 5 FAQ)\n"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("this is not json", "Not JSON"),
        ("", "is empty"),
        (b"\xff\xfe\x00garbage", "Not JSON"),
        ("[1, 2, 3]", "expected a JSON object, got a list"),
        ('{"id": 1, "slug": "x", "title": {"rendered": "x"}}', "'content.rendered' is missing"),
        ("[" * 100000, "Not JSON"),
    ],
    ids=["text", "empty", "binary", "list", "no-content", "deep"],
)
def test_bad_files_are_refused(runner, post_file, content, message):
    assert_refused(import_(runner, post_file(content)), message)


def test_a_missing_file_and_a_directory(runner, tmp_path):
    assert_refused(import_(runner, str(tmp_path / "nope.json")), "not found")
    assert_refused(import_(runner, str(tmp_path)), "is a directory")


def test_a_50_mb_file_is_refused_without_reading_it(runner, tmp_path, monkeypatch):
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: instant, takes no disk

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(source, "_bounded", no_reading)
    assert_refused(import_(runner, str(big)), "is too large (50.0 MB; the limit is 5.0 MB)")


def test_unsupported_address(runner):
    assert_refused(import_(runner, "ftp://example.com/post.json"), "give a file path or an http(s) URL")


def test_an_unreachable_url_is_refused(runner):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert_refused(import_(runner, f"http://127.0.0.1:{port}/wp-json/wp/v2/posts/1"), "no HTTP answer")


def test_a_url_with_an_unknown_host_is_refused(runner):
    assert_refused(import_(runner, "http://no-such-host.invalid/post.json"), "does not resolve")


def test_import_from_a_url(runner, http_server):
    base, routes = http_server
    routes["/wp-json/wp/v2/posts/12622"] = (200, "application/json", SEED_PATH.read_bytes())
    result = import_(runner, f"{base}/wp-json/wp/v2/posts/12622")
    assert result.exit_code == 0, result.output
    assert "(created)" in result.stdout
    assert article_count() == 1


def test_http_errors_and_non_json_answers(runner, http_server):
    base, routes = http_server
    routes["/html"] = (200, "text/html", b"<html><body>Maintenance</body></html>")
    routes["/list"] = (200, "application/json", b"[]")
    routes["/huge"] = (200, "application/json", b"{}", {"Content-Length": str(50 * 1024 * 1024)})
    routes["/broken"] = (500, "text/plain", b"oops")
    assert_refused(import_(runner, f"{base}/missing"), "answered HTTP 404 Not Found")
    assert_refused(import_(runner, f"{base}/broken"), "answered HTTP 500")
    assert_refused(import_(runner, f"{base}/html"), "Not JSON")
    assert_refused(import_(runner, f"{base}/list"), "got a list")
    assert_refused(import_(runner, f"{base}/huge"), "is too large (50.0 MB")


def test_a_body_over_the_cap_is_cut_off_even_without_a_length(http_server):
    base, routes = http_server
    body = json.dumps({**seed_payload(), "padding": "x" * 5000}).encode()
    routes["/stream"] = (200, "application/json", body, {"Content-Length": None})
    with pytest.raises(ArticleImportError, match="too large"):
        load_source(f"{base}/stream", max_bytes=len(body) - 1, allow_private_network=True)
    assert load_source(f"{base}/stream", max_bytes=len(body), allow_private_network=True)["id"] == 12622


def test_load_source_returns_the_post():
    assert load_source(str(SEED_PATH))["slug"] == SEED_SLUG

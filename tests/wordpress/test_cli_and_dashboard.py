"""`flask articles sync`, the dashboard's WordPress page, the 410 page, and the settings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leads.config import ConfigError, load_settings
from leads.extensions import db
from leads.models import Article
from leads.task_names import SYNC_WORDPRESS
from tasks import beat_schedule
from tests.factories import make_user
from tests.helpers import log_in


def sync_cli(runner, *args: str):
    return runner.invoke(args=["articles", "sync", *args])


def test_the_command_syncs_and_says_what_it_did(runner, wp):
    result = sync_cli(runner, wp.url + "/", "--allow-private-network")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{wp.url}: 3 created, 0 updated, 0 unchanged, 0 hidden\n"


def test_a_failing_page_is_one_line_and_exit_status_1(runner, wp):
    wp.fail[("changes", 1)] = 500
    result = sync_cli(runner, wp.url, "--allow-private-network")
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and "HTTP 500" in line and "next run goes on" in line


def test_a_post_not_imported_is_listed_and_the_status_is_1(runner, wp):
    wp.edit(101, slug="bad/slug")
    result = sync_cli(runner, wp.url, "--allow-private-network")
    assert result.exit_code == 1
    assert "2 created" in result.stdout
    assert result.stderr.startswith("Post 101: Not importable: the slug")


@pytest.mark.parametrize("address", ["ftp://example.com", "example.com", "https://example.com/?p=1"])
def test_a_bad_site_address_is_one_line(runner, address):
    result = sync_cli(runner, address)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Not a site address")


def test_an_unreachable_site_is_recorded(runner, app):
    result = sync_cli(runner, "http://127.0.0.1:9/", "--allow-private-network")
    assert result.exit_code == 1 and "no HTTP answer" in result.stderr  # closed port, said like an open one


def test_the_dashboard_shows_the_last_sync_and_its_errors(sync, wp, client, app):
    wp.edit(102, content={"rendered": ""})
    sync()
    wp.fail[("ids", 1)] = 500
    sync()
    log_in(client, make_user())
    page = client.get("/dashboard/wordpress/").get_data(as_text=True)
    assert wp.url in page
    assert "Stopped: " in page and "HTTP 500" in page
    assert "Post 102: Not a WordPress post: &#39;content.rendered&#39; is missing or empty" in page
    assert '<a href="/dashboard/wordpress/">WordPress</a>' in page
    # The page's title is its title, and the embed snippets are shown once (both were broken).
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<section" not in title and title.startswith("WordPress")
    assert page.count('id="embed-title"') == 1


def test_a_hidden_article_answers_410_everywhere_and_leaves_the_list(sync, wp, client):
    sync()
    wp.unpublish(102)
    sync()
    article = db.session.scalar(db.select(Article).filter_by(wp_id=102))
    page = client.get(f"/{article.slug}/")
    assert page.status_code == 410 and "no longer" in page.get_data(as_text=True)
    assert client.post(f"/{article.slug}/", data={}).status_code == 410
    assert client.get(f"/{article.slug}/thanks").status_code == 410
    assert article.title not in client.get("/").get_data(as_text=True)


def test_the_beat_schedule_has_the_sync_only_with_a_site(tmp_path):
    env = {"INSTANCE_PATH": str(tmp_path)}
    config = load_settings(env | {"WP_SITE_URL": "https://clinic.example", "WP_SYNC_MINUTES": "7"})
    entry = beat_schedule(config)["wordpress-sync"]
    assert entry == {"task": SYNC_WORDPRESS, "schedule": timedelta(minutes=7)}
    assert "wordpress-sync" not in beat_schedule(load_settings(env))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WP_SYNC_MINUTES": "0"}, "WP_SYNC_MINUTES must be more than 0"),
        ({"WP_SYNC_MINUTES": "soon"}, "WP_SYNC_MINUTES must be a number of minutes"),
        ({"WP_SYNC_CATEGORIES": "7,x"}, "WP_SYNC_CATEGORIES must be"),
        ({"WP_SYNC_TAGS": "-1"}, "WP_SYNC_TAGS must be WordPress ids"),
        ({"WP_SITE_URL": "clinic.example"}, "WP_SITE_URL must be the site's http(s) address"),
    ],
)
def test_bad_sync_settings_stop_start_up_with_one_line(env, message, tmp_path):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings({"INSTANCE_PATH": str(tmp_path), **env})

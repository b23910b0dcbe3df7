"""A small fake WordPress: the REST shape of `/wp-json/wp/v2/posts`, served on a free local port.

It pages like WordPress (`per_page`, `page`, `X-WP-Total`, `X-WP-TotalPages`, 400 past the last
page), filters by `modified_after`, `categories`, `tags` and `include`, trims to `_fields`,
answers drafts with 401 like an anonymous visitor sees them, and sends an ETag (304 on a match).
Tests break it on purpose: `fail` makes a listing page answer 500, `slow` makes one trickle.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.articles.conftest import load_post
from tests.factories import seed_payload

LISTING = "/wp-json/wp/v2/posts"


def sample_posts() -> list[dict]:
    """Three real-shaped posts (two fixtures and the seed), modified a minute apart."""
    posts = [load_post("knee-osteoarthritis"), load_post("rotator-cuff"), seed_payload()]
    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    for n, post in enumerate(posts):
        post["id"] = 101 + n
        post["status"] = "publish"
        post["categories"] = [7] if n < 2 else [8]
        post["tags"] = []
        post["modified_gmt"] = (start + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%S")
    return posts


class FakeWordPress:
    def __init__(
        self, posts: list[dict] | None = None, etags: bool = True, last_modified: bool = False
    ) -> None:
        self.posts: dict[int, dict] = {post["id"]: post for post in (posts or sample_posts())}
        self.etags = etags
        self.last_modified = last_modified
        # (listing kind, page) -> status: "changes" is ordered by modified, "ids" by id.
        self.fail: dict[tuple[str, int], int] = {}
        # (listing kind, page) -> seconds the answer takes to trickle out.
        self.slow: dict[tuple[str, int], float] = {}
        self.requests: list[tuple[str, dict, int]] = []
        # Called (with the query) after each listing page is answered: an editor at work meanwhile.
        self.after_page = None
        self._lock = threading.Lock()
        self._clock = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # What the editors do on the site.
    def edit(self, wp_id: int, **changes) -> None:
        with self._lock:
            post = self.posts[wp_id]
            post.update(changes)
            self._clock += timedelta(minutes=1)
            post["modified_gmt"] = self._clock.strftime("%Y-%m-%dT%H:%M:%S")

    def unpublish(self, wp_id: int) -> None:
        self.edit(wp_id, status="draft")

    def add(self, post: dict) -> None:
        with self._lock:
            self.posts[post["id"]] = post

    def newest(self) -> datetime:
        return max(_modified(post) for post in self.posts.values())

    def statuses(self, kind: str | None = None) -> list[int]:
        return [status for (path, params, status) in self.requests if kind is None or _kind(params) == kind]

    # The server.
    def start(self) -> FakeWordPress:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {key: values[-1] for key, values in parse_qs(parts.query).items()}
                with fake._lock:
                    status, body, headers, delay = fake._answer(parts.path, params, self.headers)
                fake.requests.append((parts.path, params, status))
                raw = json.dumps(body).encode() if body is not None else b""
                if status == 200 and fake.etags:
                    etag = '"' + hashlib.sha256(raw).hexdigest()[:16] + '"'
                    headers["ETag"] = etag
                    if self.headers.get("If-None-Match") == etag:
                        status, raw = 304, b""
                        fake.requests[-1] = (parts.path, params, 304)
                elif status == 200 and fake.last_modified:
                    # A caching plugin's way: one date for the whole listing, from the newest post.
                    stamp = fake.newest().strftime("%a, %d %b %Y %H:%M:%S GMT")
                    headers["Last-Modified"] = stamp
                    if self.headers.get("If-Modified-Since") == stamp:
                        status, raw = 304, b""
                        fake.requests[-1] = (parts.path, params, 304)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                if delay and raw:
                    step = delay / len(raw)
                    for byte in raw:
                        try:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                        except OSError:
                            return  # the client gave up, as it should
                        time.sleep(step)
                else:
                    self.wfile.write(raw)
                if fake.after_page and parts.path == LISTING:
                    fake.after_page(params)

            def log_message(self, format, *args) -> None:
                pass

        return Handler

    def _answer(self, path: str, params: dict, headers) -> tuple[int, object, dict, float]:
        if path == LISTING:
            return self._listing(params)
        if path.startswith(LISTING + "/") and path[len(LISTING) + 1 :].isdigit():
            post = self.posts.get(int(path[len(LISTING) + 1 :]))
            if post is None:
                return 404, {"code": "rest_post_invalid_id"}, {}, 0
            if post["status"] != "publish":
                return 401, {"code": "rest_forbidden"}, {}, 0
            return 200, _fields(post, params), {}, 0
        return 404, {"code": "rest_no_route"}, {}, 0

    def _listing(self, params: dict) -> tuple[int, object, dict, float]:
        page = int(params.get("page", 1))
        kind = _kind(params)
        if (kind, page) in self.fail:
            return self.fail[(kind, page)], {"code": "internal_server_error"}, {}, 0
        per_page = int(params.get("per_page", 10))
        if not 1 <= per_page <= 100:
            return 400, {"code": "rest_invalid_param"}, {}, 0
        posts = [post for post in self.posts.values() if post["status"] == "publish"]
        if "modified_after" in params:
            after = datetime.fromisoformat(params["modified_after"]).replace(tzinfo=UTC)
            posts = [post for post in posts if _modified(post) > after]
        for key in ("categories", "tags"):
            if key in params:
                wanted = {int(value) for value in params[key].split(",")}
                posts = [post for post in posts if wanted & set(post.get(key, []))]
        if "include" in params:
            wanted = {int(value) for value in params["include"].split(",")}
            posts = [post for post in posts if post["id"] in wanted]
        order_key = (
            (lambda post: (_modified(post), post["id"]))
            if params.get("orderby") == "modified"
            else (lambda post: post["id"])
        )
        posts.sort(key=order_key, reverse=params.get("order", "desc") == "desc")
        total = len(posts)
        pages = -(-total // per_page)
        if page > max(pages, 1):
            return 400, {"code": "rest_post_invalid_page_number"}, {}, 0
        chunk = posts[(page - 1) * per_page : page * per_page]
        body = [_fields(copy.deepcopy(post), params) for post in chunk]
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        return 200, body, headers, self.slow.get((kind, page), 0)


def _kind(params: dict) -> str:
    if "include" in params:
        return "include"
    return "ids" if params.get("_fields") else "changes"


def _modified(post: dict) -> datetime:
    return datetime.fromisoformat(post["modified_gmt"]).replace(tzinfo=UTC)


def _fields(post: dict, params: dict) -> dict:
    if not params.get("_fields"):
        return post
    wanted = params["_fields"].split(",")
    return {key: post[key] for key in wanted if key in post}

"""Article page: rendered from the HTML stored at import vs sanitizing and extracting per request.

    python -m bench.page_render [-n 300]

Both cases go through the full Flask stack (test client, routing, template, CSP
headers). The baseline route does what a naive design would do on every request:
run the WordPress HTML through nh3 + BeautifulSoup (sanitize, then extract the TOC,
symptoms and FAQ) before rendering the same template.
"""

from __future__ import annotations

import argparse
import json

from flask import Blueprint, request

from bench.common import SEED, Result, backends, bench_app, import_seed, measure, print_table, save
from leads.articles.extract import extract
from leads.articles.routes import article_or_404, render_page
from leads.articles.sanitize import sanitize_html
from leads.inquiries.forms import build_form, tracking_from_request


def naive_blueprint(post: dict) -> Blueprint:
    """The baseline: the same page, but parsing the WordPress HTML on every request."""
    bp = Blueprint("bench_naive", __name__)

    @bp.get("/_bench/naive/<slug>/")
    def naive(slug: str):
        article = article_or_404(slug)
        html = sanitize_html(post["content"]["rendered"], post.get("link", ""))
        found = extract(html)
        # Assigned, never committed: the session is discarded at the end of the request.
        article.html, article.toc, article.symptoms, article.faqs = (
            html,
            found.toc,
            found.symptoms,
            found.faqs,
        )
        tracking = tracking_from_request(request.args, request.referrer, request.url)
        return render_page(article, build_form(article.symptoms, initial=tracking))

    return bp


def run(n: int) -> list[Result]:
    post = json.loads(SEED.read_text(encoding="utf-8"))
    results = [result for backend in backends() for result in run_on(backend, post, n)]
    content, link = post["content"]["rendered"], post.get("link", "")
    results.append(
        measure(
            "sanitize+extract alone (no request)", "-", lambda _i: extract(sanitize_html(content, link)), n
        )
    )
    return results


def run_on(backend: str, post: dict, n: int) -> list[Result]:
    results = []
    with bench_app(backend) as app:
        app.register_blueprint(naive_blueprint(post))
        slug = import_seed(app)
        client = app.test_client()

        def get(path: str, fresh_parts: bool = False):
            def once(_i: int) -> None:
                if fresh_parts:  # as before the cache: the article part rendered on every request
                    app.extensions.get("article_page_parts", {}).clear()
                response = client.get(path)
                assert response.status_code == 200, response.status_code

            return once

        # Alternating rounds, so load on the machine moves both figures alike.
        for _round in range(3):
            results.append(measure("page, article part cached (built)", backend, get(f"/{slug}/"), n))
            results.append(
                measure(
                    "baseline: article part rendered per request",
                    backend,
                    get(f"/{slug}/", fresh_parts=True),
                    n,
                )
            )
        results.append(
            measure("baseline: sanitize+extract per request", backend, get(f"/_bench/naive/{slug}/"), n)
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="requests per case")
    args = parser.parse_args()
    results = run(args.n)
    print_table("Article page render (Flask test client, one process)", results)
    print(f"\nsaved {save('page_render', results)}")


if __name__ == "__main__":
    main()

"""Security headers. Pages carry no inline script or style, so the policy needs no 'unsafe-inline'."""

from flask import Flask, Response, request

from leads.links import pin_redirects_to_base_url

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # Pages that may be framed (the embed) say by whom in their own frame-ancestors.
    if "frame-ancestors 'none'" in headers["Content-Security-Policy"]:
        headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


# Every page of these shows a lead, an answer or an account (or a one-time password): no cache,
# shared or the browser's own, may keep a copy after the coordinator logs out.
PRIVATE_BLUEPRINTS = frozenset({"dashboard", "admin", "audit", "auth"})


def no_store_private_pages(response: Response) -> Response:
    if request.blueprint in PRIVATE_BLUEPRINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


def add_hsts(response: Response) -> Response:
    response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.after_request(no_store_private_pages)
    app.after_request(pin_redirects_to_base_url)
    if app.config["PRODUCTION"]:
        app.after_request(add_hsts)

"""The clinic's treatment-inquiry lead service."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from leads.config import PROJECT_ROOT, load_settings


def create_app(overrides: Mapping | None = None, env: Mapping[str, str] | None = None) -> Flask:
    """Build the application. `env` replaces the process environment (tests use it)."""
    settings = load_settings(env)
    app = Flask(
        __name__,
        instance_path=settings["INSTANCE_PATH"],
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    # Form bodies with invalid UTF-8 keep their readable values (see leads/request.py).
    from leads.request import AppRequest

    app.request_class = AppRequest
    app.config.update(settings)
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    configure_logging(app)
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_commands(app)
    register_celery(app)
    return app


def configure_logging(app: Flask) -> None:
    """Log to stderr; records carry ids, never names, emails or answers."""
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        # Alembic lists its plugins at INFO on every CLI command; that is noise, not news.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def trust_proxies(app: Flask) -> None:
    """Behind a reverse proxy, take the client's address from the proxy's headers."""
    count = app.config["TRUSTED_PROXY_COUNT"]
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_extensions(app: Flask) -> None:
    """Bind the extension singletons."""
    from leads import models  # noqa: F401  (every model must be known before migrations run)
    from leads.extensions import csrf, db, limiter, login_manager, migrate
    from leads.signing import init_app as init_signing

    init_signing(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    login_manager.init_app(app)

    from leads.auth.sessions import init_app as init_sessions
    from leads.webhooks.emit import init_app as init_webhooks

    init_sessions(app)
    init_webhooks(app)


def register_blueprints(app: Flask) -> None:
    """Mount each area's routes."""
    from leads.api.admin import bp as api_keys_bp
    from leads.api.routes import bp as api_bp
    from leads.articles.routes import bp as articles_bp
    from leads.audit.routes import bp as audit_bp
    from leads.auth.admin_routes import bp as admin_bp
    from leads.auth.routes import bp as auth_bp
    from leads.dashboard.routes import bp as dashboard_bp
    from leads.embed.routes import bp as embed_bp
    from leads.health import bp as health_bp
    from leads.inquiries.routes import bp as inquiries_bp
    from leads.questionnaire.routes import bp as questionnaire_bp
    from leads.webhooks.admin import bp as webhooks_bp
    from leads.wordpress.routes import bp as wordpress_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(wordpress_bp)
    app.register_blueprint(questionnaire_bp)
    app.register_blueprint(inquiries_bp)
    app.register_blueprint(embed_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_keys_bp)
    app.register_blueprint(webhooks_bp)
    # Last: its `/<slug>/` route must not shadow the others.
    app.register_blueprint(articles_bp)


def register_errorhandlers(app: Flask) -> None:
    """Every error a user can cause gets its own page, never a stack trace."""
    from leads.errors import init_app

    init_app(app)


def register_security_headers(app: Flask) -> None:
    """A strict Content-Security-Policy and friends on every response."""
    from leads.security import init_app

    init_app(app)


def register_commands(app: Flask) -> None:
    """The `flask articles …`, `flask users …` and friends."""
    from leads.cli import init_app

    init_app(app)


def register_celery(app: Flask) -> None:
    """The Celery app, bound to this Flask app; tasks run inside its context."""
    from tasks import celery_init_app

    celery_init_app(app)

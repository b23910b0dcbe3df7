"""The clinic's treatment-inquiry lead service."""

from __future__ import annotations

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
    from leads.instance import secure_instance, sqlite_files

    # Form bodies with invalid UTF-8 keep their readable values (see leads/request.py).
    from leads.request import AppRequest

    app.request_class = AppRequest
    app.config.update(settings)
    if overrides:
        app.config.update(overrides)
    secure_instance(
        Path(app.instance_path),
        sqlite_files([app.config["SQLALCHEMY_DATABASE_URI"], app.config["CELERY_BROKER_URL"]]),
    )

    configure_logging(app)
    register_monitoring(app)
    trust_proxies(app)
    register_input_guard(app)
    register_extensions(app)
    register_languages(app)
    load_condition_profiles(app)
    register_blueprints(app)
    register_template_globals(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_static_files(app)
    register_commands(app)
    register_celery(app)
    return app


def configure_logging(app: Flask) -> None:
    """JSON lines on stderr with a request id; records carry ids, never names, emails or answers."""
    from leads.logs import init_app

    init_app(app)


def register_monitoring(app: Flask) -> None:
    """Prometheus metrics at /metrics (guarded) and errors to Sentry when SENTRY_DSN is set."""
    from leads.monitoring import init_app
    from leads.sentry import init_sentry

    init_sentry(app)
    init_app(app)


def trust_proxies(app: Flask) -> None:
    """Behind a reverse proxy, take the client's address from the proxy's headers."""
    count = app.config["TRUSTED_PROXY_COUNT"]
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_input_guard(app: Flask) -> None:
    """NUL bytes and out-of-range ids get 400/404 on every route (before blueprints add rules)."""
    from leads.input_guard import init_app

    init_app(app)


def register_extensions(app: Flask) -> None:
    """Bind the extension singletons."""
    from leads import models  # noqa: F401  (every model must be known before migrations run)
    from leads.extensions import csrf, db, limiter, login_manager, migrate
    from leads.signing import init_app as init_signing

    init_signing(app)
    db.init_app(app)
    from leads.db_teardown import init_app as init_db_teardown

    init_db_teardown(app)
    from leads.db_liveness import init_app as init_db_liveness

    init_db_liveness(app)
    from leads.articles.changes import init_app as init_article_changes

    init_article_changes(app)
    from leads.sqlite_pragmas import init_app as init_sqlite_pragmas

    init_sqlite_pragmas(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    from leads.ratelimit import init_app as init_limiter

    init_limiter(app, limiter)
    login_manager.init_app(app)

    from leads.auth.sessions import init_app as init_sessions
    from leads.webhooks.emit import init_app as init_webhooks

    init_sessions(app)
    init_webhooks(app)


def register_languages(app: Flask) -> None:
    """Flask-Babel and the catalogues; each page is in its article's language."""
    from leads.i18n import init_app

    init_app(app)


def register_blueprints(app: Flask) -> None:
    """Mount each area's routes."""
    from leads.api.admin import bp as api_keys_bp
    from leads.api.routes import bp as api_bp
    from leads.articles.admin_routes import bp as article_admin_bp
    from leads.articles.routes import bp as articles_bp
    from leads.audit.routes import bp as audit_bp
    from leads.auth.admin_routes import bp as admin_bp
    from leads.auth.routes import bp as auth_bp
    from leads.clinic.routes import bp as clinic_bp
    from leads.dashboard.routes import bp as dashboard_bp
    from leads.embed.routes import bp as embed_bp
    from leads.health import bp as health_bp
    from leads.inquiries.routes import bp as inquiries_bp
    from leads.questionnaire.routes import bp as questionnaire_bp
    from leads.webhooks.admin import bp as webhooks_bp
    from leads.wordpress.routes import bp as wordpress_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(clinic_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(article_admin_bp)
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


def load_condition_profiles(app: Flask) -> None:
    """The questionnaire's condition profiles: a broken file stops start-up, not a patient's page."""
    from leads.articles.profile import condition_of
    from leads.questionnaire.conditions import init_app

    init_app(app)
    app.add_template_global(condition_of)


def register_template_globals(app: Flask) -> None:
    """Wording shared by pages and emails."""
    from leads.reply_time import init_app

    init_app(app)


def register_errorhandlers(app: Flask) -> None:
    """Every error a user can cause gets its own page, never a stack trace."""
    from leads.errors import init_app

    init_app(app)


def register_security_headers(app: Flask) -> None:
    """A strict Content-Security-Policy and friends on every response."""
    from leads.security import init_app

    init_app(app)


def register_static_files(app: Flask) -> None:
    """Static URLs carry a content hash, so the files can be cached for a year."""
    from leads.static_files import init_app

    init_app(app)


def register_commands(app: Flask) -> None:
    """The `flask articles …`, `flask users …` and friends."""
    from leads.cli import init_app

    init_app(app)


def register_celery(app: Flask) -> None:
    """The Celery app, bound to this Flask app; tasks run inside its context."""
    from tasks import celery_init_app

    celery_init_app(app)

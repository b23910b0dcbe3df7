"""The migrations build exactly the models' schema, on SQLite and on PostgreSQL, and undo cleanly.

The rest of the suite builds its tables with `db.create_all()`; this is the test that
catches a model change shipped without a migration (or a migration that drifts).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pprint import pformat

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app

from leads import create_app
from leads.dashboard.filters import InboxFilters, status_counts
from leads.extensions import db
from leads.models import Article, AuditEntry, Lead, LeadEvent, OutboundEmail, QuestionnaireResponse
from leads.models.base import UTCDateTime
from tests.conftest import postgres_base_url, scratch_postgres_database
from tests.helpers import log_in


@pytest.fixture(autouse=True)
def _keep_logging():
    """Alembic's env.py runs logging.fileConfig, which disables every existing logger; undo that."""
    root = logging.getLogger()
    saved_root = (root.level, list(root.handlers))
    loggers = [obj for obj in logging.root.manager.loggerDict.values() if isinstance(obj, logging.Logger)]
    saved = {logger: (logger.disabled, logger.level, list(logger.handlers)) for logger in loggers}
    yield
    root.setLevel(saved_root[0])
    root.handlers[:] = saved_root[1]
    for logger, (disabled, level, handlers) in saved.items():
        logger.disabled, logger.level = disabled, level
        logger.handlers[:] = handlers
    for obj in logging.root.manager.loggerDict.values():
        if isinstance(obj, logging.Logger) and obj not in saved:
            obj.disabled = False


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path) -> Iterator[str]:
    """A database with no tables at all: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    with scratch_postgres_database(postgres_base_url(), "leads_migrations") as url:
        yield url


@pytest.fixture
def migrated_app(empty_database, base_env, tmp_path):
    app = create_app(env={**base_env, "DATABASE_URL": empty_database, "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _schema_differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_matches_the_models_and_downgrade_empties(migrated_app):
    flask_migrate.upgrade()
    tables = set(sa.inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    differences = _schema_differences()
    assert differences == [], (
        "the migrations and the models differ; generate a migration "
        "(flask db migrate) for these changes:\n" + pformat(differences)
    )

    flask_migrate.downgrade(revision="base")
    left = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert left == set()


def test_upgrade_twice_is_a_no_op(migrated_app):
    flask_migrate.upgrade()
    with db.engine.connect() as conn:
        head = MigrationContext.configure(conn).get_current_revision()
    flask_migrate.upgrade()
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
    assert head is not None


@pytest.fixture
def migrated_postgres_app(base_env, tmp_path):
    with scratch_postgres_database(postgres_base_url(), "leads_migrations") as url:
        app = create_app(env={**base_env, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path)})
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def test_migrated_audit_log_refuses_edits_on_postgresql(migrated_postgres_app):
    flask_migrate.upgrade()
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO audit_log (action, details, created_at) VALUES ('x', '{}', now())"))
    for statement in ("UPDATE audit_log SET action = 'y'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(sa.text(statement))


def _sqlite_indexes(url: str) -> dict[str, str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            )
            return {name: " ".join(sql.split()) for name, sql in rows}
    finally:
        engine.dispose()


def test_migrated_indexes_match_the_models_including_partial_ones(base_env, tmp_path):
    """compare_metadata does not see an index's WHERE clause; SQLite's own DDL text does."""
    migrated, created = tmp_path / "migrated.sqlite", tmp_path / "created.sqlite"
    for path, build in ((migrated, flask_migrate.upgrade), (created, db.create_all)):
        app = create_app(
            env={**base_env, "DATABASE_URL": f"sqlite:///{path}", "INSTANCE_PATH": str(tmp_path)}
        )
        with app.app_context():
            build()
            db.engine.dispose()
    assert _sqlite_indexes(f"sqlite:///{migrated}") == _sqlite_indexes(f"sqlite:///{created}")


def _first_and_head_revisions() -> tuple[str, str]:
    """Whatever the chain holds today: its one base and its one head."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    [base] = script.get_bases()
    [head] = script.get_heads()
    return base, head


def _seed_at_first_revision(conn) -> None:
    """Rows written in plain SQL against the first revision's schema (which never changes)."""
    if conn.dialect.name == "postgresql":
        at = "'2025-01-02 03:04:05+00:00'"
    else:
        at = "'2025-01-02 03:04:05.000000'"
    statements = [
        "INSERT INTO users (email, full_name, password_hash, role, active, must_change_password, created_at)"
        f" VALUES ('cora@clinic.example', 'Cora Coordinator', 'x', 'admin', TRUE, FALSE, {at})",
        "INSERT INTO articles (wp_id, slug, language, title, excerpt, html, toc, symptoms, faqs, source_url,"
        " imported_at, updated_at) VALUES (1, 'knees', 'en', 'Knees', 'e', '<p>x</p>', '[]',"
        f" '[\"Knee pain\"]', '[]', 'https://clinic.example/knees/', {at}, {at})",
        "INSERT INTO leads (full_name, email, phone, preferred_contact, status, is_urgent, score, assignee_id,"
        " last_inquiry_at, created_at, updated_at) VALUES ('Zoë Lindqvist', 'zoe@example.com', '+4420794609',"
        f" 'phone', 'contacted', TRUE, 70, (SELECT id FROM users), {at}, {at}, {at})",
        "INSERT INTO leads (full_name, email, preferred_contact, status, is_urgent, score, merged_into_id,"
        " last_inquiry_at, created_at, updated_at) VALUES ('Zoe L', 'zoe.l@example.com', 'email', 'new',"
        f" FALSE, 0, (SELECT id FROM leads WHERE email = 'zoe@example.com'), {at}, {at}, {at})",
        "INSERT INTO inquiries (lead_id, article_id, submission_id, symptoms, message, preferred_contact,"
        " consent_text, consent_version, consented_at, utm_source, created_at) VALUES"
        " ((SELECT id FROM leads WHERE email = 'zoe@example.com'), (SELECT id FROM articles), 'sub-1',"
        f" '[\"Knee pain\"]', 'Stairs hurt', 'phone', 'I agree.', 'v1', {at}, 'newsletter', {at})",
        "INSERT INTO questionnaire_responses (inquiry_id, lead_id, questionnaire_version, answers, red_flags,"
        " score, submitted_at) VALUES ((SELECT id FROM inquiries), (SELECT id FROM leads WHERE email ="
        f" 'zoe@example.com'), 'v1', '{{\"hopes\": \"Walk again\"}}', '[]', 70, {at})",
        "INSERT INTO outbound_emails (lead_id, inquiry_id, kind, sequence, recipient, due_at, status, attempts,"
        " idempotency_key, created_at) VALUES ((SELECT id FROM leads WHERE email = 'zoe@example.com'),"
        f" (SELECT id FROM inquiries), 'confirmation', 0, 'zoe@example.com', {at}, 'sent', 1, 'conf-1', {at})",
        "INSERT INTO lead_events (lead_id, actor_id, kind, data, created_at) VALUES ((SELECT id FROM leads"
        f" WHERE email = 'zoe@example.com'), NULL, 'status_changed', '{{\"to\": \"contacted\"}}', {at})",
        "INSERT INTO audit_log (actor_email, action, target_type, target_id, details, created_at) VALUES"
        f" ('cora@clinic.example', 'lead.viewed', 'lead', 1, '{{}}', {at})",
    ]
    for statement in statements:
        conn.execute(sa.text(statement))


def test_upgrade_from_the_first_revision_keeps_the_data(migrated_app):
    first, head = _first_and_head_revisions()
    flask_migrate.upgrade(revision=first)
    with db.engine.begin() as conn:
        _seed_at_first_revision(conn)
    db.engine.dispose()

    result = migrated_app.test_cli_runner().invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
    lead = db.session.scalar(sa.select(Lead).where(Lead.email == "zoe@example.com"))
    assert (lead.full_name, lead.phone, lead.status, lead.is_urgent, lead.score) == (
        "Zoë Lindqvist",
        "+4420794609",
        "contacted",
        True,
        70,
    )
    assert lead.last_inquiry_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert lead.assignee.email == "cora@clinic.example"
    [inquiry] = lead.inquiries
    assert (inquiry.message, inquiry.symptoms, inquiry.utm_source) == (
        "Stairs hurt",
        ["Knee pain"],
        "newsletter",
    )
    duplicate = db.session.scalar(sa.select(Lead).where(Lead.email == "zoe.l@example.com"))
    assert duplicate.merged_into_id == lead.id
    response = db.session.scalar(sa.select(QuestionnaireResponse))
    assert (response.lead_id, response.answers, response.score) == (lead.id, {"hopes": "Walk again"}, 70)
    email = db.session.scalar(sa.select(OutboundEmail))
    assert (email.kind, email.status, email.recipient) == ("confirmation", "sent", "zoe@example.com")
    event = db.session.scalar(sa.select(LeadEvent))
    assert (event.lead_id, event.data) == (lead.id, {"to": "contacted"})
    audit = db.session.scalar(sa.select(AuditEntry))
    assert (audit.action, audit.actor_email) == ("lead.viewed", "cora@clinic.example")
    # The inbox's counters were counted from the leads there were, and the triggers keep them.
    assert status_counts(InboxFilters(), None)["contacted"] == 1  # the merged duplicate is not
    lead.status = "qualified"
    db.session.commit()
    assert {k: v for k, v in status_counts(InboxFilters(), None).items() if v} == {"qualified": 1}
    # And the app serves it: the upgraded account logs in and the inbox lists the lead.
    client = migrated_app.test_client()
    log_in(client, lead.assignee)
    page = client.get("/dashboard/")
    assert page.status_code == 200 and "Zoë Lindqvist" in page.get_data(as_text=True)


def test_urgent_leads_get_the_time_of_their_latest_red_flag(migrated_app):
    """a7qst0001 adds leads.urgent_since; a lead already urgent is due from its latest red flag."""
    flask_migrate.upgrade(revision="7dcae1ae5a15")
    at = sa.bindparam("at", type_=UTCDateTime())
    lead = sa.text(
        "INSERT INTO leads (id, full_name, email, preferred_contact, status, is_urgent, score,"
        " last_inquiry_at, created_at, updated_at) VALUES (:id, 'x', :email, 'email', 'new', :urgent, 0,"
        " :at, :at, :at)"
    ).bindparams(at)
    event = sa.text(
        "INSERT INTO lead_events (lead_id, kind, data, created_at) VALUES (:lead, :kind, '{}', :at)"
    ).bindparams(at)
    early, late = datetime(2026, 11, 30, 9, 0, tzinfo=UTC), datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    with db.engine.begin() as conn:
        for values in (
            {"id": 1, "email": "a@x.example", "urgent": True},
            {"id": 2, "email": "b@x.example", "urgent": False},
        ):
            conn.execute(lead, {**values, "at": early})
        for kind, moment in (("red_flag", early), ("red_flag", late), ("note", late + timedelta(hours=1))):
            conn.execute(event, {"lead": 1, "kind": kind, "at": moment})
    flask_migrate.upgrade(revision="a7qst0001")
    with db.engine.connect() as conn:
        rows = dict(conn.execute(sa.select(Lead.id, Lead.urgent_since).order_by(Lead.id)).all())
    assert rows == {1: late, 2: None}


def test_articles_imported_before_profiles_keep_the_stenosis_questionnaire(migrated_app):
    """a14cnd0001: every article so far was asked the stenosis questions; the upgrade keeps it so."""
    flask_migrate.upgrade(revision="a7qst0001")
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO articles (wp_id, slug, language, title, excerpt, html, toc, symptoms, faqs,"
                " source_url, imported_at, updated_at) VALUES (1, 'spine', 'en', 'Spine', 'e', '<p>x</p>',"
                " '[]', '[\"Back pain\", \"Leg pain\"]', '[]', '', :at, :at)"
            ),
            {"at": datetime(2026, 11, 30, tzinfo=UTC)},
        )
    flask_migrate.upgrade(revision="a14cnd0001")
    # Only the columns this revision knows: later revisions add others the model already maps.
    article = db.session.execute(
        sa.select(
            Article.admin_profile,
            Article.wp_profile,
            Article.found_symptoms,
            Article.symptoms,
            Article.symptoms_corrected_at,
        )
    ).one()
    assert (article.admin_profile, article.wp_profile) == ("spinal_stenosis", None)
    assert article.found_symptoms == article.symptoms == ["Back pain", "Leg pain"]
    assert article.symptoms_corrected_at is None


def test_leads_before_languages_take_their_latest_inquirys_article_language(migrated_app):
    """a13i18n0001: a lead's language is its latest inquiry's article's; a lead without one is English."""
    flask_migrate.upgrade(revision="a14cnd0001")
    at = datetime(2026, 11, 30, tzinfo=UTC)
    later = datetime(2026, 12, 1, tzinfo=UTC)
    with db.engine.begin() as conn:
        for wp_id, language in ((1, "en"), (2, "ar")):
            conn.execute(
                sa.text(
                    "INSERT INTO articles (id, wp_id, slug, language, title, excerpt, html, toc, symptoms,"
                    " found_symptoms, faqs, source_url, imported_at, updated_at) VALUES (:id, :id, :slug,"
                    " :language, 't', 'e', '<p>x</p>', '[]', '[]', '[]', '[]', '', :at, :at)"
                ),
                {"id": wp_id, "slug": f"a{wp_id}", "language": language, "at": at},
            )
        for lead_id in (1, 2):
            conn.execute(
                sa.text(
                    "INSERT INTO leads (id, full_name, email, preferred_contact, status, is_urgent, score,"
                    " last_inquiry_at, created_at, updated_at) VALUES (:id, 'P', :email, 'email', 'new',"
                    " false, 0, :at, :at, :at)"
                ),
                {"id": lead_id, "email": f"p{lead_id}@example.com", "at": at},
            )
        # Lead 1 wrote first from the English article, then from the Arabic one.
        for inquiry_id, article_id, created in ((1, 1, at), (2, 2, later)):
            conn.execute(
                sa.text(
                    "INSERT INTO inquiries (id, lead_id, article_id, submission_id, symptoms, message,"
                    " preferred_contact, consent_text, consent_version, consented_at, created_at)"
                    " VALUES (:id, 1, :article, :sid, '[]', '', 'email', 'c', 'v', :at, :at)"
                ),
                {"id": inquiry_id, "article": article_id, "sid": f"s{inquiry_id}", "at": created},
            )
    flask_migrate.upgrade(revision="a13i18n0001")
    with db.engine.connect() as conn:
        languages = dict(conn.execute(sa.text("SELECT id, language FROM leads ORDER BY id")).all())
        translations = conn.execute(sa.text("SELECT translations FROM articles WHERE id = 1")).scalar_one()
    assert languages == {1: "ar", 2: "en"}
    assert translations in ({}, "{}")

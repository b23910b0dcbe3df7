"""An admin reviews an article's symptom list and questionnaire profile: audited, kept through re-imports."""

from __future__ import annotations

import pytest

from leads.articles.importer import import_post
from leads.articles.profile import article_profile
from leads.audit.service import AuditAction
from leads.extensions import db
from leads.links import QUESTIONNAIRE
from leads.models import Article, AuditEntry, Inquiry
from leads.questionnaire import service
from leads.tokens import make_token
from tests.articles.conftest import load_post
from tests.factories import SEED_PATH, make_inquiry, make_lead, make_user, seed_payload
from tests.helpers import log_in

MAPPING = "category:sciatica=sciatica,category:knee-osteoarthritis=knee_osteoarthritis"


@pytest.fixture
def mapped_app(make_app):
    app = make_app(env={"ARTICLE_PROFILE_TERMS": MAPPING}, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        yield app


@pytest.fixture
def admin_client(mapped_app):
    admin = make_user(role="admin")
    db.session.commit()
    client = mapped_app.test_client()
    log_in(client, admin)
    client.admin = admin
    return client


def audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)))


def questionnaire_html(client, article: Article) -> str:
    inquiry = make_inquiry(lead=make_lead(), article=article)
    db.session.commit()
    return client.get(f"/q/{make_token(QUESTIONNAIRE, inquiry.id)}").get_data(as_text=True)


def test_the_seed_a_sciatica_post_and_a_knee_post_give_three_questionnaires(admin_client):
    seed = import_post(seed_payload()).article
    sciatica = import_post(load_post("sciatica-heading")).article
    knee = import_post(load_post("knee-feels-like")).article
    # The seed's WordPress category is "uncategorized": an admin gives it its profile.
    assert (
        admin_client.post(
            f"/dashboard/admin/articles/{seed.id}/profile", data={"profile": "spinal_stenosis"}
        ).status_code
        == 302
    )

    stenosis_page = questionnaire_html(admin_client, seed)
    sciatica_page = questionnaire_html(admin_client, sciatica)
    knee_page = questionnaire_html(admin_client, knee)

    assert "Do they ease when you sit down or bend forward?" in stenosis_page
    assert "Numbness in the groin or saddle area" in stenosis_page
    assert service.questionnaire_for(_inquiry(seed)).version == "2026-11-v1"
    assert "Does the pain spread below your knee, into your foot or toes?" in sciatica_page
    assert "Sharp pain down one leg" in sciatica_page
    assert "A hot, red, swollen knee together with a fever" in knee_page
    assert "Grating or clicking" in knee_page
    for spine in ("saddle", "bladder", "bend forward", "your back"):
        assert spine not in knee_page


def _inquiry(article: Article) -> Inquiry:
    return db.session.scalar(db.select(Inquiry).where(Inquiry.article_id == article.id))


def test_an_article_without_a_symptom_list_is_flagged_and_corrected(admin_client):
    article = import_post(load_post("no-symptom-list")).article
    index = admin_client.get("/dashboard/admin/articles/").get_data(as_text=True)
    assert "No symptom list found" in index
    page = admin_client.get(f"/dashboard/admin/articles/{article.id}").get_data(as_text=True)
    assert "The last import found no symptom list in this article." in page

    response = admin_client.post(
        f"/dashboard/admin/articles/{article.id}/symptoms", data={"symptoms": "Pain\n  Fatigue \n\nPain\n"}
    )

    assert response.status_code == 302
    db.session.expire_all()
    article = db.session.get(Article, article.id)
    assert article.symptoms == ["Pain", "Fatigue"]
    assert article.symptoms_corrected_at is not None
    [entry] = audits(AuditAction.ARTICLE_SYMPTOMS_CORRECTED)
    assert (entry.actor_id, entry.target_id, entry.details["after"]) == (
        admin_client.admin.id,
        article.id,
        ["Pain", "Fatigue"],
    )
    assert "Fatigue" in questionnaire_html(admin_client, article)


def test_a_corrected_list_survives_re_imports_until_reset(admin_client):
    article = import_post(load_post("sciatica-heading")).article
    admin_client.post(f"/dashboard/admin/articles/{article.id}/symptoms", data={"symptoms": "Leg pain"})

    import_post(load_post("sciatica-heading"))
    db.session.expire_all()
    article = db.session.get(Article, article.id)
    assert article.symptoms == ["Leg pain"]
    assert article.found_symptoms[0] == "Sharp pain down one leg"

    admin_client.post(f"/dashboard/admin/articles/{article.id}/symptoms/reset")
    db.session.expire_all()
    article = db.session.get(Article, article.id)
    assert article.symptoms == article.found_symptoms and article.symptoms_corrected_at is None
    assert len(audits(AuditAction.ARTICLE_SYMPTOMS_RESET)) == 1


def test_the_admins_profile_wins_over_the_mapping_and_can_be_handed_back(admin_client):
    article = import_post(load_post("knee-feels-like")).article
    assert article.wp_profile == "knee_osteoarthritis"
    admin_client.post(f"/dashboard/admin/articles/{article.id}/profile", data={"profile": "generic"})
    import_post(load_post("knee-feels-like"))
    db.session.expire_all()
    article = db.session.get(Article, article.id)
    assert "A hot, red, swollen knee" not in questionnaire_html(admin_client, article)

    admin_client.post(f"/dashboard/admin/articles/{article.id}/profile", data={"profile": ""})
    db.session.expire_all()
    assert "A hot, red, swollen knee" in questionnaire_html(admin_client, db.session.get(Article, article.id))
    assert [e.details["after"] for e in audits(AuditAction.ARTICLE_PROFILE_CHOSEN)] == ["generic", None]


def test_an_unknown_profile_is_refused_with_a_message(admin_client):
    article = import_post(load_post("knee-feels-like")).article
    response = admin_client.post(
        f"/dashboard/admin/articles/{article.id}/profile", data={"profile": "bogus"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Please choose one of the profiles listed." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Article, article.id).admin_profile is None
    assert audits(AuditAction.ARTICLE_PROFILE_CHOSEN) == []


def test_an_overlong_symptom_is_refused(admin_client):
    article = import_post(load_post("knee-feels-like")).article
    response = admin_client.post(
        f"/dashboard/admin/articles/{article.id}/symptoms",
        data={"symptoms": "x" * 201},
        follow_redirects=True,
    )
    assert "under 200 characters" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Article, article.id).symptoms_corrected_at is None


def test_an_unmapped_post_gets_the_generic_profile(mapped_app):
    article = import_post(load_post("hip-subsection")).article
    assert article.wp_profile is None
    assert article_profile(article) == "generic"


def test_coordinators_cannot_review_articles(mapped_app):
    coordinator = make_user(role="coordinator")
    db.session.commit()
    client = mapped_app.test_client()
    log_in(client, coordinator)
    assert client.get("/dashboard/admin/articles/").status_code == 403


def test_the_bundled_seed_is_imported_with_the_stenosis_profile_as_boot_does(mapped_app):
    runner = mapped_app.test_cli_runner()
    result = runner.invoke(args=["articles", "import", "--profile", "spinal_stenosis", str(SEED_PATH)])
    assert result.exit_code == 0, result.output
    article = db.session.scalar(db.select(Article))
    assert article_profile(article) == "spinal_stenosis"
    [entry] = audits(AuditAction.ARTICLE_PROFILE_CHOSEN)
    assert (entry.actor_email, entry.details["after"]) == ("flask articles import", "spinal_stenosis")
    # An admin's later choice outlives the next boot's import.
    article.admin_profile = "generic"
    db.session.commit()
    runner.invoke(args=["articles", "import", "--profile", "spinal_stenosis", str(SEED_PATH)])
    db.session.expire_all()
    assert db.session.scalar(db.select(Article)).admin_profile == "generic"


def test_an_unknown_import_profile_is_refused_in_one_line(mapped_app):
    result = mapped_app.test_cli_runner().invoke(
        args=["articles", "import", "--profile", "hip", str(SEED_PATH)]
    )
    assert result.exit_code == 1
    assert result.stderr.strip().startswith(
        "Error: Unknown profile 'hip'; known: generic, knee_osteoarthritis"
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(Article)) == 0


def test_the_article_pages_emergency_notice_fits_its_condition(mapped_app):
    client = mapped_app.test_client()
    knee = import_post(load_post("knee-feels-like")).article
    stenosis = import_post(seed_payload(), profile="spinal_stenosis").article
    knee_notice = client.get(f"/{knee.slug}/").get_data(as_text=True)
    stenosis_notice = client.get(f"/{stenosis.slug}/").get_data(as_text=True)
    assert "such as a hot, swollen knee with a fever" in knee_notice and "bladder" not in knee_notice
    # Word for word what every article said before profiles.
    assert (
        "such as loss of bladder or bowel control, sudden weakness or numbness in your legs, or severe pain,"
        in " ".join(stenosis_notice.split())
    )

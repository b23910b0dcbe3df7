"""`POST /api/v1/inquiries`: validation as on the page, Idempotency-Key, API keys, CORS, limits, problems."""

from __future__ import annotations

import json

import pytest

from leads.api.keys import create_key, revoke_key
from leads.extensions import db
from leads.models import ApiKey, IdempotencyRecord, Inquiry
from tests.factories import SEED_SYMPTOMS, make_article, make_user
from tests.helpers import log_in
from tests.live import LiveServer

URL = "/api/v1/inquiries"
SITE = "https://www.clinic-site.example"


@pytest.fixture
def api_app(make_app):
    app = make_app(env={"EMBED_ORIGINS": SITE}, RATELIMIT_ENABLED=False)
    with app.app_context():
        yield app


@pytest.fixture
def article(api_app):
    article = make_article()
    db.session.commit()
    return article


def body(of, **changes) -> dict:
    return {
        "article": of.slug,
        "full_name": "Test Patient",
        "email": "Patient@Example.org",
        "preferred_contact": "email",
        "symptoms": [SEED_SYMPTOMS[0]],
        "message": "Since March.",
        "consent": True,
        "utm_source": "plugin",
    } | changes


def inquiries() -> list[Inquiry]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Inquiry)))


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status and problem["title"] and problem["type"] == "about:blank"
    return problem


def test_an_inquiry_is_stored_with_the_pages_rules(api_app, article):
    response = api_app.test_client().post(URL, json=body(article))
    assert response.status_code == 201
    assert response.get_json() == {"status": "received", "article": article.slug}
    [inquiry] = inquiries()
    assert inquiry.symptoms == [SEED_SYMPTOMS[0]] and inquiry.utm_source == "plugin"
    assert inquiry.lead.email == "patient@example.org"


def test_a_retry_with_the_same_key_returns_the_first_answer_and_stores_one(api_app, article):
    client = api_app.test_client()
    headers = {"Idempotency-Key": "order-1234"}
    first = client.post(URL, json=body(article), headers=headers)
    again = client.post(URL, json=body(article), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert len(inquiries()) == 1
    # Another body under the same key is refused, and nothing is stored.
    other = client.post(URL, json=body(article, message="Something else."), headers=headers)
    assert "another body" in assert_problem(other, 422)["detail"]
    assert len(inquiries()) == 1
    # A new key is a new inquiry.
    assert (
        client.post(URL, json=body(article, message="New one."), headers={"Idempotency-Key": "2"}).status_code
        == 201
    )
    assert len(inquiries()) == 2


def test_a_retry_whose_record_was_lost_still_stores_one(api_app, article):
    """The key is the submission id too: even without the kept answer, the service stores once."""
    client = api_app.test_client()
    headers = {"Idempotency-Key": "lost-record"}
    client.post(URL, json=body(article), headers=headers)
    db.session.execute(db.delete(IdempotencyRecord))
    db.session.commit()
    assert client.post(URL, json=body(article), headers=headers).status_code == 201
    assert len(inquiries()) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"symptoms": ["Not on this article"]}, "symptoms"),
        ({"email": "nope"}, "email"),
        ({"consent": False}, "consent"),
        ({"consent": "yes"}, "consent"),
        ({"symptoms": "Lower back pain"}, "symptoms"),
        ({"full_name": 12}, "full_name"),
        ({"extra": 1}, "extra"),
        ({"preferred_contact": "phone"}, "preferred_contact"),
        ({"message": "bad\x00byte"}, "message"),
        ({"utm_term": "x" * 201}, "utm_term"),
        ({"full_name": None}, "full_name"),
    ],
)
def test_invalid_fields_are_a_422_naming_each(api_app, article, changes, field):
    problem = assert_problem(api_app.test_client().post(URL, json=body(article, **changes)), 422)
    assert field in [error["field"] for error in problem["errors"]]
    assert inquiries() == []


def test_an_address_we_could_not_send_to_is_refused_but_an_international_domain_is_not(api_app, article):
    # The confirmation to jöhn@ would need SMTPUTF8: stored, it would fail for good.
    client = api_app.test_client()
    problem = assert_problem(client.post(URL, json=body(article, email="jöhn@example.org")), 422)
    [error] = problem["errors"]
    assert error["field"] == "email" and "before the @" in error["message"]
    assert inquiries() == []
    assert client.post(URL, json=body(article, email="john@exämple.org")).status_code == 201
    assert inquiries()[0].lead.email == "john@exämple.org"


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 1000 + "]" * 1000,  # deeper than Python's parser follows
        '{"full_name": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"full_name": "\\ud800"}',  # a lone surrogate: no character, so no database takes it
        '{"message": "ok \\udfff", "full_name": "Ana"}',
        '{"symptoms": ["\\udc80"]}',
        '{"\\ud800": 1}',
    ],
)
def test_json_that_parses_to_no_text_is_a_400_problem(api_app, article, raw):
    client = api_app.test_client()
    for headers in ({}, {"Idempotency-Key": "k-1"}):
        response = client.post(URL, data=raw, content_type="application/json", headers=headers)
        assert assert_problem(response, 400)["title"] == "Malformed JSON"
    assert inquiries() == []


def test_a_surrogate_pair_escape_is_one_character_and_is_stored(api_app, article):
    raw = json.dumps(body(article, full_name="Ana \U0001f600"))  # sent as \ud83d\ude00
    assert "\\ud83d\\ude00" in raw
    assert api_app.test_client().post(URL, data=raw, content_type="application/json").status_code == 201
    assert inquiries()[0].full_name == "Ana \U0001f600"


def test_every_error_is_a_problem_document(api_app, article):
    client = api_app.test_client()
    assert_problem(client.post(URL, json=body(article, article="no-such-article")), 404)
    assert_problem(client.post(URL, data="{}", content_type="text/plain"), 415)
    assert_problem(client.post(URL, data="{not json", content_type="application/json"), 400)
    assert_problem(client.post(URL, json=[1, 2]), 422)
    assert_problem(client.post(URL, json=body(article), headers={"Idempotency-Key": "x" * 256}), 400)
    assert_problem(client.get(URL), 405)
    assert_problem(client.get("/api/v1/nothing-here"), 404)
    big = body(article, message="x" * 70_000)
    assert_problem(client.post(URL, json=big), 413)


def test_api_keys_are_stored_hashed_and_revoked_keys_refused(api_app, article):
    key, token = create_key("WordPress form plugin", None)
    client = api_app.test_client()
    response = client.post(URL, json=body(article), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    row = db.session.get(ApiKey, key.id)
    assert token not in (row.key_hash, row.prefix) and len(row.key_hash) == 64
    assert row.last_used_at is not None
    revoke_key(key.id)
    refused = client.post(URL, json=body(article), headers={"Authorization": f"Bearer {token}"})
    assert assert_problem(refused, 401) and refused.headers["WWW-Authenticate"] == "Bearer"
    bogus = client.post(URL, json=body(article), headers={"Authorization": "Bearer clk_nope"})
    assert_problem(bogus, 401)


def test_cors_for_the_allowed_origins_only(api_app, article):
    client = api_app.test_client()
    preflight = client.options(
        URL,
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, idempotency-key",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == SITE
    assert preflight.headers["Access-Control-Allow-Methods"] == "POST"
    assert "Idempotency-Key" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Authorization" not in preflight.headers["Access-Control-Allow-Headers"]
    posted = client.post(URL, json=body(article), headers={"Origin": SITE})
    assert posted.headers["Access-Control-Allow-Origin"] == SITE
    other = client.post(URL, json=body(article, message="2"), headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Origin" in other.headers["Vary"]


def test_rate_limits_per_client_and_per_key(make_app):
    app = make_app(
        API_CLIENT_RATE_LIMIT="2 per minute", API_KEY_RATE_LIMIT="3 per minute", RATELIMIT_ENABLED=True
    )
    with app.app_context():
        article = make_article()
        db.session.commit()
        client = app.test_client()
        for n in range(2):
            assert client.post(URL, json=body(article, message=f"m{n}")).status_code == 201
        limited = client.post(URL, json=body(article, message="m3"))
        assert_problem(limited, 429)
        assert limited.headers["Retry-After"]
        # A key has its own allowance, not the client's.
        _, token = create_key("plugin", None)
        auth = {"Authorization": f"Bearer {token}"}
        for n in range(3):
            assert client.post(URL, json=body(article, message=f"k{n}"), headers=auth).status_code == 201
        assert_problem(client.post(URL, json=body(article, message="k4"), headers=auth), 429)


def test_admins_create_a_key_shown_once_and_revoke_it(make_app):
    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        article = make_article()
        db.session.commit()
        client = app.test_client()
        log_in(client, make_user(role="admin"))
        created = client.post("/dashboard/admin/api-keys/", data={"name": "WordPress plugin"})
        assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
        token = created.get_data(as_text=True).split('<code class="secret">')[1].split("</code>")[0]
        assert token.startswith("clk_")
        listing = client.get("/dashboard/admin/api-keys/").get_data(as_text=True)
        assert "WordPress plugin" in listing and token not in listing
        key = db.session.scalar(db.select(ApiKey))
        auth = {"Authorization": f"Bearer {token}"}
        assert client.post(URL, json=body(article), headers=auth).status_code == 201
        client.post(f"/dashboard/admin/api-keys/{key.id}/revoke")
        assert client.post(URL, json=body(article, message="again"), headers=auth).status_code == 401


def test_the_openapi_document_is_served(api_app):
    document = api_app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert "post" in document["paths"]["/inquiries"]


def test_concurrent_retries_with_one_key_store_one_inquiry(make_app):
    """Five copies of one request at the same moment, as a sender's retry storm: one inquiry."""
    import json
    import threading
    import urllib.request

    app = make_app(RATELIMIT_ENABLED=False)
    with app.app_context():
        article = make_article()
        db.session.commit()
        payload = json.dumps(body(article)).encode()
    answers: list[tuple[int, bytes]] = []
    start = threading.Barrier(5)

    def send() -> None:
        request = urllib.request.Request(  # noqa: S310  (http on loopback)
            f"{live.base}{URL}",
            data=payload,
            headers={"Content-Type": "application/json", "Idempotency-Key": "storm-1"},
        )
        start.wait()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  (http on loopback)
            answers.append((response.status, response.read()))

    with LiveServer(app) as live:
        senders = [threading.Thread(target=send) for _ in range(5)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=60)
    assert len(answers) == 5 and {status for status, _ in answers} == {201}
    assert len({json.loads(text)["status"] for _, text in answers}) == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Inquiry)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(IdempotencyRecord)) == 1
        db.session.remove()

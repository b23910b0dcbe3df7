"""Every bad input gets a clear answer, keeps what was typed, and stores nothing."""

from __future__ import annotations

import io
from urllib.parse import quote, urlencode

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leads.extensions import db
from tests.factories import SEED_SYMPTOMS, make_article
from tests.inquiries.conftest import NOTHING, counts, valid_form


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _summary(response) -> str:
    summary = _soup(response).find(class_="error-summary")
    assert summary is not None, "no error summary"
    assert summary["role"] == "alert" and summary["tabindex"] == "-1"
    return " ".join(summary.get_text(" ").split())


def _value(response, name: str) -> str:
    field = _soup(response).find(attrs={"name": name})
    return field.get_text() if field.name == "textarea" else field.get("value", "")


def _assert_field_error(response, field_id: str, message: str) -> None:
    """The message is in the summary (linking to the field) and next to the field."""
    soup = _soup(response)
    link = soup.select_one(f'.error-summary a[href="#{field_id}"]')
    assert link is not None and message in link.get_text()
    error = soup.find(id=f"{field_id.split('-')[0]}-error")
    assert message in error.get_text()


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"full_name": "Ana\r\nBcc: evil@example.com"}, "full_name", "on a single line"),
        ({"full_name": "Ana\x01Silva"}, "full_name", "on a single line"),
        ({"full_name": "Ana\tSilva"}, "full_name", "on a single line"),
        ({"full_name": "A" * 121}, "full_name", "under 120 characters"),
        ({"full_name": "   "}, "full_name", "Please enter your name."),
        ({"message": "x" * 2001}, "message", "under 2000 characters"),
        ({"message": "hello\x01"}, "message", "control characters"),
        ({"email": "e" * 330 + "@example.com"}, "email", "too long"),
        ({"email": "not-an-email"}, "email", "valid email address"),
        ({"email": "ana@exa mple.com"}, "email", "valid email address"),
        ({"email": "ünï@exämple.org"}, "email", "before the @"),  # its mail could never leave
        ({"email": None}, "email", "Please enter your email address."),
        ({"phone": "12"}, "phone", "phone number"),
        ({"phone": "+1 555 000"}, "phone", "does not look complete"),
        ({"phone": "9" * 41}, "phone", "too long"),
        ({"phone": "", "preferred_contact": "phone"}, "preferred_contact-0", "please give a phone number"),
        ({"preferred_contact": "pigeon"}, "preferred_contact-0", "Not a valid choice"),
        ({"symptoms": ["Lower back pain", "Headache"]}, "symptoms-0", "only from the symptoms listed"),
        ({"consent": None}, "consent", "tick the consent box"),
    ],
)
def test_invalid_field_is_explained_and_nothing_is_stored(client, page_url, changes, field_id, message):
    form = valid_form(**changes)

    response = client.post(page_url, data=form)

    assert response.status_code == 422
    _assert_field_error(response, field_id, message)
    field = _soup(response).find(id=field_id)
    assert field["aria-invalid"] == "true"
    assert f"{field_id.split('-')[0]}-error" in (
        field.get("aria-describedby") or field.find_parent("fieldset")["aria-describedby"]
    )
    for name in ("full_name", "email", "phone", "message"):
        if isinstance(form.get(name), str) and name not in changes:
            assert _value(response, name).strip() == form[name]
    assert response.headers["Cache-Control"] == "no-store"
    assert counts() == NOTHING


def test_valid_symptoms_stay_ticked_after_an_error(client, page_url):
    response = client.post(page_url, data=valid_form(email="bad", symptoms=[SEED_SYMPTOMS[1]]))
    ticked = [box["value"] for box in _soup(response).select('input[name="symptoms"][checked]')]
    assert ticked == [SEED_SYMPTOMS[1]]
    assert _value(response, "submission_id") == valid_form()["submission_id"]


def test_invalid_utf8_is_refused_with_a_clear_message(client, page_url):
    body = b"full_name=Ana%FF%FESilva&email=ana%40example.com&consent=y&message=" + quote("hé").encode()
    response = client.post(page_url, data=body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 422
    assert "could not be read" in _summary(response)
    assert _value(response, "email") == "ana@example.com"
    assert _value(response, "message").strip() == "hé"
    assert counts() == NOTHING


def test_raw_invalid_utf8_bytes_never_give_a_500(client, page_url):
    body = b"full_name=\xff\xfe\xfd&email=\xc3\x28@example.com&message=\xed\xa0\x80&consent=y"
    response = client.post(page_url, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert "could not be read" in _summary(response)
    assert counts() == NOTHING


def test_a_percent_encoded_surrogate_is_refused_with_a_clear_message(client, page_url):
    # %ED%A0%80 is U+D800 in (invalid) UTF-8: the JSON API's lone-surrogate case, as a form sends it.
    body = "full_name=Ana%ED%A0%80&email=ana%40example.com&consent=y&message=" + quote("hé")
    response = client.post(page_url, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert "could not be read" in _summary(response)
    assert _value(response, "message").strip() == "hé"
    assert counts() == NOTHING


def test_oversized_body_is_413_with_the_form_and_the_reason(client, page_url):
    response = client.post(page_url, data=valid_form(message="x" * (70 * 1024)))

    assert response.status_code == 413
    assert "larger than we accept" in _summary(response)
    assert _soup(response).find("form", class_="inquiry-form") is not None
    assert counts() == NOTHING


def _post_chunked(client, url: str, form: dict):
    """POST `form` with no Content-Length, as a chunked body, the way a streaming client sends it."""
    return client.post(
        url,
        input_stream=io.BytesIO(urlencode(form, doseq=True).encode()),
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_oversized_chunked_body_is_413_not_a_form_cut_short(client, page_url):
    # Without a Content-Length the body is read up to MAX_CONTENT_LENGTH; what is past it
    # must make a 413, not a form parsed from the first 64 KB.
    response = _post_chunked(client, page_url, valid_form(message="x" * (70 * 1024)))
    assert response.status_code == 413
    assert "larger than we accept" in _summary(response)
    assert counts() == NOTHING


def test_small_chunked_body_is_read_as_usual(client, page_url):
    response = _post_chunked(client, page_url, valid_form())
    assert response.status_code == 303
    assert counts()["Inquiry"] == 1


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405(client, page_url, method):
    response = client.open(page_url, method=method, data=valid_form())
    assert response.status_code == 405
    assert "cannot be used this way" in response.get_data(as_text=True)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert counts() == NOTHING


def test_post_to_an_unknown_article_is_404(client):
    response = client.post("/no-such-article/", data=valid_form())
    assert response.status_code == 404
    assert counts() == NOTHING


def test_post_to_an_address_with_a_nul_is_404(client):
    # PostgreSQL refuses NUL in a query: the slug must be refused before any lookup.
    response = client.post("/abc%00/", data=valid_form())
    assert response.status_code == 404
    assert counts() == NOTHING


def test_a_body_that_is_not_a_form_is_a_422(client, page_url):
    response = client.post(page_url, data='{"full_name": "x"}', content_type="application/json")
    assert response.status_code == 422
    assert "Please enter your name." in _summary(response)
    assert counts() == NOTHING


@pytest.fixture
def csrf_client(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)
    with app.app_context():
        article = make_article()
        db.session.commit()
        yield app.test_client(), f"/{article.slug}/"


def _token(client, url: str) -> str:
    return _soup(client.get(url)).find("input", attrs={"name": "csrf_token"})["value"]


@pytest.mark.parametrize("token", [None, "wrong-token", ""])
def test_missing_or_wrong_csrf_token_shows_the_form_again_with_what_was_typed(csrf_client, token):
    client, url = csrf_client
    _token(client, url)  # the session exists; the token sent is missing or wrong
    form = valid_form(csrf_token=token)

    response = client.post(url, data=form)

    assert response.status_code == 400
    assert "This form has expired" in _summary(response)
    assert _value(response, "full_name") == "Ana Silva"
    assert _value(response, "email") == "ana.silva@example.com"
    assert _value(response, "message").strip() == form["message"]
    assert counts() == NOTHING
    # The page carries a fresh token: sending it again works.
    retry = {**form, "csrf_token": _value(response, "csrf_token")}
    assert client.post(url, data=retry).status_code == 303
    assert counts()["Inquiry"] == 1


def test_csrf_without_any_session_is_the_expired_answer(csrf_client):
    client, url = csrf_client
    response = client.post(url, data=valid_form())
    assert response.status_code == 400
    assert "This form has expired" in _summary(response)
    assert counts() == NOTHING


def test_an_address_with_a_nul_is_the_plain_answer(csrf_client):
    # leads/input_guard.py answers before CSRF or the database look at it.
    client, _ = csrf_client
    response = client.post("/abc%00/", data=valid_form())
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert counts() == NOTHING


def test_valid_csrf_token_is_accepted(csrf_client):
    client, url = csrf_client
    response = client.post(url, data=valid_form(csrf_token=_token(client, url)))
    assert response.status_code == 303


# Text a browser could send: anything but lone surrogates, which cannot be encoded.
_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
_values = st.one_of(_text, st.sampled_from(["", "y", "email", "phone", "ana@example.com", "+15075550123"]))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fields=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            (
                "full_name",
                "email",
                "phone",
                "preferred_contact",
                "message",
                "consent",
                "website",
                "submission_id",
                "utm_source",
                "referrer",
                "landing_page",
            ),
            _values,
        ),
    ),
    symptoms=st.lists(st.one_of(_text, st.sampled_from(SEED_SYMPTOMS)), max_size=6),
    raw=st.binary(max_size=200),
)
def test_no_field_value_gives_a_server_error(client, page_url, fields, symptoms, raw):
    # A NUL byte anywhere is refused whole by leads/input_guard.py (400); anything else is
    # stored or explained field by field.
    response = client.post(page_url, data={**fields, "symptoms": symptoms})
    assert response.status_code < 500, response.status_code
    assert response.status_code in (303, 422, 400)
    has_nul = any("\x00" in value for value in [*fields.values(), *symptoms])
    assert (response.status_code == 400) == has_nul
    response = client.post(page_url, data=raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (303, 422, 400)

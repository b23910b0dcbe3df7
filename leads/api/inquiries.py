"""`POST /api/v1/inquiries`: the page's form validation and store function, behind JSON.

The body is checked for shape here (types, known fields), then handed to the same
InquiryForm the article page uses, so the rules (symptoms from the article's list, email,
phone, consent) are one set. The Idempotency-Key becomes the inquiry's submission id, so two
concurrent retries still store one inquiry (the service is idempotent on it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from leads.api.problems import Problem
from leads.articles.routes import find_article
from leads.extensions import db
from leads.inquiries.forms import URL_MAX, UTM_FIELDS, UTM_MAX, InquiryForm, build_form
from leads.inquiries.service import submit_inquiry
from leads.inquiries.submission import inquiry_data
from leads.models import IdempotencyRecord

TEXT_FIELDS = (
    "full_name",
    "email",
    "phone",
    "preferred_contact",
    "message",
    "referrer",
    "landing_page",
    *UTM_FIELDS,
)
FIELDS = {"article", "symptoms", "consent", *TEXT_FIELDS}
# The others may be null (same as left out).
NOT_NULL = {"full_name", "email", "preferred_contact"}
KEY_MAX = 255
MALFORMED = "Malformed JSON"
TOO_DEEP = "The body nests arrays or objects deeper than an inquiry ever does."
# The page bounds these hidden fields silently; an API sender is told instead.
TRACKING_MAX = {"referrer": URL_MAX, "landing_page": URL_MAX} | dict.fromkeys(UTM_FIELDS, UTM_MAX)


class ApiInquiryForm(InquiryForm):
    """The page's form without its session CSRF token: API callers have no session."""

    class Meta:
        csrf = False


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict


def receive(payload: object, scope: str, idempotency_key: str | None) -> Answer:
    """Store one inquiry from a JSON body, or replay the first answer to the same key."""
    request_hash = fingerprint(payload)
    if idempotency_key is not None:
        check_key(idempotency_key)
        earlier = _earlier(scope, idempotency_key)
        if earlier is not None:
            return _replay(earlier, request_hash)
    body = check_shape(payload)
    article = find_article(body["article"])
    if article is None:
        raise Problem(404, f"No article at /{body['article']}/.", "Article not found")
    if article.unpublished_at is not None:
        raise Problem(410, "The clinic no longer publishes this article.", "Article no longer published")
    form = build_form(article.symptoms, formdata=_formdata(body), form_class=ApiInquiryForm)
    if not form.validate():
        errors = [
            {"field": name, "message": message}
            for name, messages in form.errors.items()
            for message in messages
        ]
        raise Problem(422, "Some fields are not valid; see errors.", "Invalid inquiry", errors=errors)
    data = inquiry_data(form)
    if idempotency_key is not None:
        data = replace(
            data, submission_id=hashlib.sha256(f"{scope}\n{idempotency_key}".encode()).hexdigest()[:32]
        )
    result = submit_inquiry(article, data)
    answer = Answer(
        status=201,
        body={"status": "repeat" if result.repeat_of else "received", "article": article.slug},
    )
    if idempotency_key is not None:
        answer = _remember(scope, idempotency_key, request_hash, answer)
    return answer


def fingerprint(payload: object) -> str:
    """The body's hash, which an Idempotency-Key replay must match.

    Problem 400 for JSON that parses but is no text: a lone surrogate escape (`"\\ud800"`), which
    UTF-8 cannot encode, so the database would refuse the row. Nesting deeper than Python follows
    fails here as well as at parsing (same depth of call)."""
    try:
        json.dumps(payload, ensure_ascii=False).encode()
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    except UnicodeEncodeError:
        raise Problem(
            400, "The body holds a lone surrogate escape (like \\ud800), which is not a character.", MALFORMED
        ) from None
    except RecursionError:
        raise Problem(400, TOO_DEEP, MALFORMED) from None


def check_key(value: str) -> None:
    if not value or len(value) > KEY_MAX or not value.isprintable():
        raise Problem(
            400, f"Idempotency-Key must be 1 to {KEY_MAX} printable characters.", "Bad Idempotency-Key"
        )


def check_shape(payload: object) -> dict:
    """Types and known fields, each error named; the form checks the values."""
    if not isinstance(payload, dict):
        raise Problem(422, "The body must be a JSON object.", "Invalid inquiry", errors=[])
    errors = [{"field": name, "message": "Unknown field."} for name in payload if name not in FIELDS]
    if not isinstance(payload.get("article"), str) or not payload.get("article"):
        errors.append({"field": "article", "message": "The article's address (slug) is required."})
    for name in TEXT_FIELDS:
        value = payload.get(name)
        if (value is not None or (name in NOT_NULL and name in payload)) and not isinstance(value, str):
            errors.append({"field": name, "message": "Must be a string."})
        elif value and name in TRACKING_MAX and len(value) > TRACKING_MAX[name]:
            errors.append({"field": name, "message": f"At most {TRACKING_MAX[name]} characters."})
    symptoms = payload.get("symptoms", [])
    if not isinstance(symptoms, list) or not all(isinstance(item, str) for item in symptoms):
        errors.append({"field": "symptoms", "message": "Must be a list of strings."})
    if not isinstance(payload.get("consent"), bool):
        errors.append({"field": "consent", "message": "Must be true: the sender showed the consent text."})
    if errors:
        raise Problem(422, "Some fields are not valid; see errors.", "Invalid inquiry", errors=errors)
    return payload


def _formdata(body: dict) -> MultiDict:
    formdata = MultiDict()
    for name in TEXT_FIELDS:
        if body.get(name) is not None:
            formdata.add(name, body[name])
    for symptom in body.get("symptoms", []):
        formdata.add("symptoms", symptom)
    if body["consent"]:
        formdata.add("consent", "y")
    return formdata


def _earlier(scope: str, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(db.select(IdempotencyRecord).filter_by(scope=scope, key=key))


def _replay(record: IdempotencyRecord, request_hash: str) -> Answer:
    if record.request_hash != request_hash:
        raise Problem(
            422,
            "This Idempotency-Key was used with another body. Use a new key for a new inquiry.",
            "Idempotency-Key reused",
        )
    return Answer(status=record.status_code, body=dict(record.body))


def _remember(scope: str, key: str, request_hash: str, answer: Answer) -> Answer:
    """Keep the answer for retries; of two racing requests, the first row stays and both get it."""
    db.session.add(
        IdempotencyRecord(
            scope=scope, key=key, request_hash=request_hash, status_code=answer.status, body=answer.body
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _replay(_earlier(scope, key), request_hash)
    return answer

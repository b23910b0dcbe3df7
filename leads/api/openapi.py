"""The OpenAPI 3.1 document of the API: what the tests (schemathesis) check the app against."""

from __future__ import annotations

from leads.inquiries.forms import MESSAGE_MAX, NAME_MAX, PHONE_MAX, URL_MAX, UTM_FIELDS, UTM_MAX

PROBLEM = {"$ref": "#/components/schemas/Problem"}
# A body that is stored when the site has this article (the API tests create it).
EXAMPLE = {
    "article": "stem-cell-therapy-for-knee-pain",
    "full_name": "Alex Example",
    "email": "alex@example.org",
    "preferred_contact": "email",
    "symptoms": ["Lower back pain"],
    "message": "Since last spring.",
    "consent": True,
    "landing_page": "https://www.example.com/knee-pain/",
}


def _problem(description: str, headers: dict | None = None) -> dict:
    response: dict = {
        "description": description,
        "content": {"application/problem+json": {"schema": PROBLEM}},
    }
    if headers:
        response["headers"] = headers
    return response


def _inquiry_schema() -> dict:
    text = {"type": "string"}
    properties = {
        "article": {"type": "string", "minLength": 1, "maxLength": 200, "description": "The article's slug."},
        "full_name": {**text, "maxLength": NAME_MAX},
        "email": {**text, "maxLength": 320},
        "phone": {"type": ["string", "null"], "maxLength": PHONE_MAX},
        "preferred_contact": {"type": "string", "enum": ["email", "phone"]},
        "symptoms": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Each one from the article's list of symptoms.",
        },
        "message": {"type": ["string", "null"], "maxLength": MESSAGE_MAX},
        "consent": {
            "type": "boolean",
            "description": "True when the person agreed to the consent text (CONSENT_TEXT) shown to them.",
        },
        "referrer": {"type": ["string", "null"], "maxLength": URL_MAX},
        "landing_page": {"type": ["string", "null"], "maxLength": URL_MAX},
        **{name: {"type": ["string", "null"], "maxLength": UTM_MAX} for name in UTM_FIELDS},
    }
    return {
        "type": "object",
        "required": ["article", "full_name", "email", "consent"],
        "additionalProperties": False,
        "properties": properties,
    }


def document() -> dict:
    rate_headers = {
        "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Clinic inquiries API",
            "version": "1.0.0",
            "description": (
                "Send a treatment inquiry from another form or tool, with the same validation, "
                "idempotency and rate limits as the clinic's own pages. Errors are RFC 9457 "
                "Problem Details."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/inquiries": {
                "post": {
                    "operationId": "createInquiry",
                    "summary": "Send one inquiry",
                    "security": [{}, {"apiKey": []}],
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "description": (
                                "A retry with the same key returns the first answer; the same key "
                                "with another body is a 422."
                            ),
                            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Inquiry"},
                                "example": EXAMPLE,
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Stored (or recognised as a repeat of a recent inquiry).",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}
                            },
                        },
                        "400": _problem(
                            "Malformed JSON (nested too deeply, or a lone surrogate escape) or Idempotency-Key."
                        ),
                        "401": _problem("The API key is not valid or was revoked."),
                        "404": _problem("No such article."),
                        "410": _problem("The article is no longer published."),
                        "413": _problem("The body is too large."),
                        "415": _problem("The body is not application/json."),
                        "422": _problem("Invalid fields, or an Idempotency-Key reused with another body."),
                        "429": _problem("Too many requests from this key or client.", rate_headers),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document",
                    "security": [{}],
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "429": _problem("Too many requests.", rate_headers),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A key made by an admin (dashboard → API keys), for server-to-server senders.",
                }
            },
            "schemas": {
                "Inquiry": _inquiry_schema(),
                "Accepted": {
                    "type": "object",
                    "required": ["status", "article"],
                    "properties": {
                        "status": {"type": "string", "enum": ["received", "repeat"]},
                        "article": {"type": "string"},
                    },
                },
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["field", "message"],
                                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                            },
                        },
                    },
                },
            },
        },
    }

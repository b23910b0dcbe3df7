"""One guard for input no database can take: NUL bytes anywhere, and ids past the id columns' range.

PostgreSQL refuses a NUL byte in text and an integer past the column's type, and either
surfaced as a 500 from whichever query met it first. Checking once, before any view runs,
answers 400 or 404 for every route, including ones added later.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

# Ids are INTEGER columns (32-bit on PostgreSQL): a larger number names no row, and
# PostgreSQL refuses to even compare it with one.
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` that does not match past MAX_ID, so such a path is a 404 like any unknown id."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values.getlist(key)) for key in values)


def refuse_nul_bytes() -> None:
    """A `before_request` hook: 404 for a NUL byte in the path (no page has one), 400 in the
    query string or a form field."""
    if "\x00" in request.path:
        abort(404)
    if _has_nul(request.args):
        abort(400)
    if request.method in {"POST", "PUT", "PATCH"} and _has_nul(request.form):
        abort(400)


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: the converter applies to rules as they are added."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(refuse_nul_bytes)
